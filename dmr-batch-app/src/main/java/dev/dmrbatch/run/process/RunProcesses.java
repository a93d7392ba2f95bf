package dev.dmrbatch.run.process;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Which process runs which execution, so that a run left {@code STARTED} can be told apart: killed (resume it) or
 * alive in another process (leave it alone). The processes of one host share the H2 file through its store server,
 * and several processes on several hosts share a PostgreSQL repository. Each execution writes a row with its host and pid and
 * a heartbeat every {@link #BEAT}, by the database's clock so hosts' clocks need not agree. A run is alive when its
 * process is alive on this host, or, on another host, when its heartbeat is younger than {@link #SILENT_FOR}.
 */
@Component
public class RunProcesses {

	private static final Logger log = LoggerFactory.getLogger(RunProcesses.class);

	/** How often a process says it is alive. */
	public static final Duration BEAT = Duration.ofSeconds(5);

	/** How long a process of another host may stay silent before it counts as gone. */
	public static final Duration SILENT_FOR = Duration.ofSeconds(30);

	private static final ProcessHandle SELF = ProcessHandle.current();

	private final JdbcClient db;

	private final String host = hostName();

	RunProcesses(JdbcTemplate jdbc) {
		this.db = JdbcClient.create(jdbc);
	}

	/** The process of a running execution, if it is alive. */
	public Optional<Owner> liveOwner(long executionId) {
		return owner(executionId).filter(this::isAlive);
	}

	/**
	 * Whether a process that is alive, this one included, still has the execution: until its job has ended, whatever
	 * status the job repository already gives it (a stopped execution is marked STOPPED as the stop is asked, while
	 * its process still answers and stores the requests in flight).
	 */
	public boolean stillHas(long executionId) {
		return owner(executionId)
			.filter((owner) -> (owner.host().equals(this.host) && owner.pid() == SELF.pid()) || isAlive(owner))
			.isPresent();
	}

	/**
	 * Whether a running execution was left by a process that is gone (killed): its row names a process that is not
	 * alive. This process's own executions, and one whose row is not written yet, are not abandoned.
	 */
	public boolean abandoned(long executionId) {
		return owner(executionId)
			.filter((owner) -> !(owner.host().equals(this.host) && owner.pid() == SELF.pid()))
			.filter((owner) -> !isAlive(owner))
			.isPresent();
	}

	private Optional<Owner> owner(long executionId) {
		return this.db
			.sql("select host, pid, process_started_ms, heartbeat_at, current_timestamp now from dmr_run_process "
					+ "where execution_id = ?")
			.param(executionId)
			.query((rs, row) -> new Owner(rs.getString("host"), rs.getLong("pid"),
					(Long) rs.getObject("process_started_ms"),
					Duration.between(rs.getTimestamp("heartbeat_at").toInstant(), rs.getTimestamp("now").toInstant())))
			.optional();
	}

	/** This host's name, as the rows of its processes give it. */
	public String host() {
		return this.host;
	}

	/** When this process started, in milliseconds since the epoch, to tell a reused pid apart; null if unknown. */
	public static Long processStartedMs() {
		return SELF.info().startInstant().map(Instant::toEpochMilli).orElse(null);
	}

	/**
	 * Whether the process that wrote a row with a heartbeat is alive and not this one: on this host, its pid is
	 * alive and started when it says; from another host, its heartbeat is younger than {@link #SILENT_FOR}.
	 */
	public boolean isAlive(Owner owner) {
		if (!owner.host().equals(this.host)) {
			return owner.silence().compareTo(SILENT_FOR) < 0;
		}
		if (owner.pid() == SELF.pid()) {
			return false;
		}
		// a pid is reused in time: the process must also have started when the owner did
		return ProcessHandle.of(owner.pid())
			.filter(ProcessHandle::isAlive)
			.filter((process) -> owner.startedMs() == null || process.info()
				.startInstant()
				.map((start) -> Math.abs(start.toEpochMilli() - owner.startedMs()) < 2000)
				.orElse(true))
			.isPresent();
	}

	/** Forgets the process of an execution that is being recovered. */
	public void forget(long executionId) {
		this.db.sql("delete from dmr_run_process where execution_id = ?").param(executionId).update();
	}

	/** Claims each execution of a job for this process, with a heartbeat until it ends. */
	public JobExecutionListener listener() {
		return new Heartbeat();
	}

	private final class Heartbeat implements JobExecutionListener {

		private ScheduledExecutorService beat;

		@Override
		public void beforeJob(JobExecution execution) {
			long id = execution.getId();
			Long started = processStartedMs();
			RunProcesses.this.db
				.sql("insert into dmr_run_process (execution_id, run_id, host, pid, process_started_ms, heartbeat_at) "
						+ "values (?, ?, ?, ?, ?, current_timestamp)")
				.params(id, execution.getJobInstanceId(), RunProcesses.this.host, SELF.pid(), started)
				.update();
			this.beat = Executors.newSingleThreadScheduledExecutor((task) -> {
				Thread thread = new Thread(task, "heartbeat");
				thread.setDaemon(true);
				return thread;
			});
			this.beat.scheduleWithFixedDelay(() -> beat(id), BEAT.toMillis(), BEAT.toMillis(), TimeUnit.MILLISECONDS);
		}

		private void beat(long id) {
			try {
				RunProcesses.this.db.sql("update dmr_run_process set heartbeat_at = current_timestamp "
						+ "where execution_id = ?").param(id).update();
			}
			catch (RuntimeException ex) {
				// the next beat tries again; a database gone for good fails the run's own writes first
				log.debug("heartbeat of execution {} not written: {}", id, ex.getMessage());
			}
		}

		@Override
		public void afterJob(JobExecution execution) {
			if (this.beat != null) {
				this.beat.shutdownNow();
			}
			forget(execution.getId());
		}

	}

	private static String hostName() {
		try {
			return InetAddress.getLocalHost().getHostName();
		}
		catch (java.io.IOException ex) {
			return System.getenv().getOrDefault("HOSTNAME", "localhost");
		}
	}

	/**
	 * @param startedMs when the process started, to tell a reused pid apart
	 * @param silence how long since its last heartbeat, by the database's clock
	 */
	public record Owner(String host, long pid, Long startedMs, Duration silence) {

		public String describe() {
			return "process " + this.pid + " on " + this.host + ", last heard from " + this.silence.toSeconds()
					+ " s ago";
		}

	}

}
