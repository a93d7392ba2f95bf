package dev.dmrbatch.cluster;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.dmrbatch.run.job.RemotePartitions.WorkerShare;
import dev.dmrbatch.run.process.RunProcesses;

import org.springframework.batch.core.step.StepExecution;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The cluster's workers and the partitions they take, in the shared database ({@code dmr_cluster_worker},
 * {@code dmr_cluster_take}), with heartbeats by the database's clock as {@link RunProcesses} keeps them for runs: a
 * partition whose worker is alive is never run by a second one, a manager counts the workers to cut the input, and
 * {@code job=show} says who ran what. Plain JDBC: nothing of the broker.
 */
@Component
class PartitionTakes {

	static final String COMPLETED = "COMPLETED";

	static final String HANDED_BACK = "HANDED_BACK";

	static final String REFUSED = "REFUSED";

	/** A take whose worker died: its partition went to another. */
	static final String LOST = "LOST";

	private final JdbcClient db;

	private final RunProcesses processes;

	PartitionTakes(JdbcTemplate jdbc, RunProcesses processes) {
		this.db = JdbcClient.create(jdbc);
		this.processes = processes;
	}

	/** This process, as a worker of the cluster: {@code host:pid:started}. */
	String workerId() {
		return this.processes.host() + ":" + ProcessHandle.current().pid() + ":" + RunProcesses.processStartedMs();
	}

	void register(String runner) {
		this.db.sql("delete from dmr_cluster_worker where worker_id = ?").param(workerId()).update();
		this.db.sql("insert into dmr_cluster_worker (worker_id, host, pid, process_started_ms, runner, started_at, "
				+ "heartbeat_at) values (?, ?, ?, ?, ?, current_timestamp, current_timestamp)")
			.params(workerId(), this.processes.host(), ProcessHandle.current().pid(), RunProcesses.processStartedMs(),
					runner)
			.update();
	}

	void forget() {
		this.db.sql("delete from dmr_cluster_worker where worker_id = ?").param(workerId()).update();
	}

	/** This worker's heartbeat, and its partition's. */
	void beat(Long take) {
		this.db.sql("update dmr_cluster_worker set heartbeat_at = current_timestamp where worker_id = ?")
			.param(workerId())
			.update();
		if (take != null) {
			this.db.sql("update dmr_cluster_take set heartbeat_at = current_timestamp where id = ?")
				.param(take)
				.update();
		}
	}

	/** Items a take stored, counted in the transaction of the chunk that stores them. */
	void stored(long take, int items) {
		this.db.sql("update dmr_cluster_take set items = items + ? where id = ?").params(items, take).update();
	}

	/** The workers alive now: how many the manager cuts the input for. */
	int liveWorkers() {
		return (int) this.db
			.sql("select host, pid, process_started_ms, heartbeat_at, current_timestamp now from dmr_cluster_worker")
			.query((rs, row) -> owner(rs))
			.list()
			.stream()
			.filter((owner) -> isAlive(owner))
			.count();
	}

	/** This worker takes a partition: its row, until it ends. */
	long claim(StepExecution partition, String runner) {
		long runId = partition.getJobExecution().getJobInstanceId();
		this.db.sql("insert into dmr_cluster_take (run_id, job_execution_id, step_execution_id, partition_name, "
				+ "worker_id, host, pid, process_started_ms, runner, taken_at, heartbeat_at, write_count_at_take, items) "
				+ "values (?, ?, ?, ?, ?, ?, ?, ?, ?, current_timestamp, current_timestamp, ?, 0)")
			.params(runId, partition.getJobExecutionId(), partition.getId(), partition.getStepName(), workerId(),
					this.processes.host(), ProcessHandle.current().pid(), RunProcesses.processStartedMs(), runner,
					partition.getWriteCount())
			.update();
		return this.db.sql("select max(id) from dmr_cluster_take where step_execution_id = ? and worker_id = ?")
			.params(partition.getId(), workerId())
			.query(Long.class)
			.single();
	}

	/** A take that never began (its run stopped between the worker's look and its take): as if never made. */
	void drop(long take) {
		this.db.sql("delete from dmr_cluster_take where id = ?").param(take).update();
	}

	/** A take that ended; its items are those its committed chunks counted ({@link #stored}). */
	void end(long take, String outcome) {
		this.db.sql("update dmr_cluster_take set ended_at = current_timestamp, heartbeat_at = current_timestamp, "
				+ "outcome = ? where id = ?")
			.params(outcome, take)
			.update();
	}

	/**
	 * Ends the takes of a partition whose workers are gone (killed): each stored what it committed, counted with its
	 * chunks; what it had not committed is sent again by whoever resumes the partition.
	 */
	void endDead(long stepExecutionId) {
		record Open(long id, RunProcesses.Owner owner) {
		}
		List<Open> open = this.db.sql("select id, host, pid, process_started_ms, heartbeat_at, current_timestamp now "
				+ "from dmr_cluster_take where step_execution_id = ? and ended_at is null")
			.param(stepExecutionId)
			.query((rs, row) -> new Open(rs.getLong("id"), owner(rs)))
			.list();
		for (Open take : open) {
			boolean self = take.owner().host().equals(this.processes.host())
					&& take.owner().pid() == ProcessHandle.current().pid();
			if (!self && !isAlive(take.owner())) {
				this.db.sql("update dmr_cluster_take set ended_at = heartbeat_at, outcome = ? where id = ?")
					.params(LOST, take.id())
					.update();
			}
		}
	}

	/** A partition this worker would not run (its runner lacks the model, say), recorded once with the reason. */
	void refused(StepExecution partition, String runner, String reason) {
		boolean known = this.db.sql("select count(*) from dmr_cluster_take where job_execution_id = ? and worker_id = ? "
				+ "and outcome = ?")
			.params(partition.getJobExecutionId(), workerId(), REFUSED)
			.query(Integer.class)
			.single() > 0;
		if (known) {
			return;
		}
		long take = claim(partition, runner);
		this.db.sql("update dmr_cluster_take set ended_at = current_timestamp, outcome = ?, note = ? where id = ?")
			.params(REFUSED, reason.substring(0, Math.min(reason.length(), 1000)), take)
			.update();
	}

	/** Why workers refused the partitions of an execution, one line each. */
	List<String> refusals(long jobExecutionId) {
		return this.db.sql("select host, pid, note from dmr_cluster_take where job_execution_id = ? and outcome = ? "
				+ "order by id")
			.params(jobExecutionId, REFUSED)
			.query((rs, row) -> "worker " + rs.getString("host") + " (pid " + rs.getLong("pid") + "): "
					+ rs.getString("note"))
			.list();
	}

	/** The worker running a partition's execution now, if it is alive and not this process. */
	Optional<RunProcesses.Owner> liveOwner(long stepExecutionId) {
		return this.db
			.sql("select host, pid, process_started_ms, heartbeat_at, current_timestamp now from dmr_cluster_take "
					+ "where step_execution_id = ? and ended_at is null order by id desc")
			.param(stepExecutionId)
			.query((rs, row) -> owner(rs))
			.list()
			.stream()
			.filter(this::isAlive)
			.findFirst();
	}

	/** The partitions of a job execution that live workers are running now, by step execution id. */
	Map<Long, String> running(long jobExecutionId) {
		Map<Long, String> running = new LinkedHashMap<>();
		this.db.sql("select step_execution_id, partition_name, host, pid, process_started_ms, heartbeat_at, "
				+ "current_timestamp now from dmr_cluster_take where job_execution_id = ? and ended_at is null")
			.param(jobExecutionId)
			.query((rs) -> {
				RunProcesses.Owner owner = owner(rs);
				if (isAlive(owner)) {
					running.put(rs.getLong("step_execution_id"), rs.getString("partition_name") + " on "
							+ owner.host() + " (pid " + owner.pid() + ")");
				}
			});
		return running;
	}

	/** Deletes the partitions taken of a run, with the run. */
	void forget(long runId) {
		this.db.sql("delete from dmr_cluster_take where run_id = ?").param(runId).update();
	}

	/**
	 * What each worker did for a run, in the order they first took a partition of it: live while it runs, each with
	 * the partition it is running and whether the worker is alive (its row in {@code dmr_cluster_worker} alive).
	 */
	List<WorkerShare> shares(long runId) {
		record Row(String host, long pid, String runner, String partition, long items, double seconds, boolean live,
				boolean alive) {
		}
		List<Row> rows = this.db.sql("select t.host, t.pid, t.process_started_ms, t.runner, t.partition_name, t.items, "
				+ "t.taken_at, t.heartbeat_at, t.ended_at, w.heartbeat_at worker_heartbeat_at, current_timestamp now "
				+ "from dmr_cluster_take t left join dmr_cluster_worker w on w.worker_id = t.worker_id "
				+ "where t.run_id = ? and (t.outcome is null or t.outcome <> ?) order by t.id")
			.params(runId, REFUSED)
			.query((rs, n) -> {
				java.sql.Timestamp until = (rs.getTimestamp("ended_at") != null) ? rs.getTimestamp("ended_at")
						: rs.getTimestamp("heartbeat_at");
				double seconds = Math.max(0, until.getTime() - rs.getTimestamp("taken_at").getTime()) / 1000.0;
				RunProcesses.Owner take = owner(rs);
				boolean live = rs.getTimestamp("ended_at") == null && isAlive(take);
				java.sql.Timestamp beat = rs.getTimestamp("worker_heartbeat_at");
				boolean alive = live || (beat != null && isAlive(new RunProcesses.Owner(take.host(), take.pid(),
						take.startedMs(), Duration.between(beat.toInstant(), rs.getTimestamp("now").toInstant()))));
				return new Row(rs.getString("host"), rs.getLong("pid"), rs.getString("runner"),
						rs.getString("partition_name"), rs.getLong("items"), seconds, live, alive);
			})
			.list();
		Map<String, WorkerShare> shares = new LinkedHashMap<>();
		for (Row row : rows) {
			String key = row.host() + "\n" + row.pid() + "\n" + row.runner();
			WorkerShare was = shares.get(key);
			String running = row.live() ? row.partition() : (was != null) ? was.running() : null;
			shares.put(key, new WorkerShare(row.host(), row.pid(), row.runner(),
					((was != null) ? was.partitions() : 0) + 1, ((was != null) ? was.items() : 0) + row.items(),
					((was != null) ? was.seconds() : 0) + row.seconds(), running,
					row.alive() || (was != null && was.alive())));
		}
		return new ArrayList<>(shares.values());
	}

	private boolean isAlive(RunProcesses.Owner owner) {
		return this.processes.isAlive(owner);
	}

	private static RunProcesses.Owner owner(ResultSet rs) throws SQLException {
		return new RunProcesses.Owner(rs.getString("host"), rs.getLong("pid"), (Long) rs.getObject("process_started_ms"),
				Duration.between(rs.getTimestamp("heartbeat_at").toInstant(), rs.getTimestamp("now").toInstant()));
	}

}
