package dev.dmrbatch.run.process;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.listener.JobExecutionListener;

/**
 * Ctrl-C or SIGTERM while a run is under way: the job is asked to stop ({@link JobOperator#stop}), no other item is
 * started, the items in flight are answered and commit, and the run ends STOPPED (exit 4), resumable by the same
 * command. The workers of a cluster run see the stop at their next commit. A second signal
 * quits at once; the next run recovers what was left.
 * <p>
 * The signals are caught rather than left to the JVM's shutdown hooks because those would close the database under
 * the running job and end the process with the signal's own exit code, not 4. Runs going on at once in one process
 * ({@code job=serve}) share one handler, which stops them all.
 */
public class GracefulStop implements JobExecutionListener {

	private static final Logger log = LoggerFactory.getLogger(GracefulStop.class);

	private static final List<String> SIGNALS = List.of("INT", "TERM");

	private final JobOperator jobOperator;

	/** The runs going on in this process ({@code job=serve} may have several): one handler stops them all. */
	private static final Set<GracefulStop> RUNNING = new LinkedHashSet<>();

	private static final List<Runnable> RESTORE = new ArrayList<>();

	private static final AtomicInteger RECEIVED = new AtomicInteger();

	private volatile JobExecution execution;

	public GracefulStop(JobOperator jobOperator) {
		this.jobOperator = jobOperator;
	}

	/**
	 * The handlers go in as the first run of the process starts and the earlier ones come back as the last one
	 * ends, whatever order runs going on at once end in.
	 */
	@Override
	public void beforeJob(JobExecution jobExecution) {
		this.execution = jobExecution;
		synchronized (RUNNING) {
			if (RUNNING.isEmpty()) {
				RECEIVED.set(0);
				for (String name : SIGNALS) {
					try {
						Signal signal = new Signal(name);
						SignalHandler previous = Signal.handle(signal, GracefulStop::onSignal);
						RESTORE.add(() -> Signal.handle(signal, previous));
					}
					catch (IllegalArgumentException ex) {
						// the JVM keeps this signal to itself (e.g. started with -Xrs): its default applies
					}
				}
			}
			RUNNING.add(this);
		}
	}

	@Override
	public void afterJob(JobExecution jobExecution) {
		synchronized (RUNNING) {
			RUNNING.remove(this);
			if (RUNNING.isEmpty()) {
				RESTORE.forEach(Runnable::run);
				RESTORE.clear();
			}
		}
	}

	/**
	 * Asks a run going on in this process to stop as Ctrl-C does ({@link JobOperator#stop}): the requests in flight
	 * finish, the run ends STOPPED (exit 4) and the same command resumes it.
	 * @return whether a run of that id was going on in this process
	 */
	public static boolean stop(long runId) {
		List<GracefulStop> runs;
		synchronized (RUNNING) {
			runs = List.copyOf(RUNNING);
		}
		for (GracefulStop run : runs) {
			JobExecution execution = run.execution;
			if (execution != null && execution.getJobInstanceId() == runId) {
				if (asked(execution)) {
					return true; // asked already: it is stopping
				}
				try {
					run.jobOperator.stop(execution);
				}
				catch (Exception ex) {
					log.warn("run {} could not be asked to stop: {}", runId, ex.getMessage());
					return false;
				}
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether a stop was asked of a running execution, however it is read (in this process, or from the job
	 * repository by another): Spring Batch 6's {@link JobOperator#stop} marks it STOPPING and, in the same update,
	 * STOPPED with an end time, while its steps still run.
	 */
	public static boolean asked(JobExecution execution) {
		return execution.isStopping() || execution.isStopped();
	}

	private static void onSignal(Signal signal) {
		if (RECEIVED.incrementAndGet() > 1) {
			log.warn("SIG{} again: quitting now; the same command recovers and resumes the run", signal.getName());
			Runtime.getRuntime().halt(128 + signal.getNumber());
		}
		log.warn("SIG{}: stopping after the requests in flight (again to quit at once); the same command resumes",
				signal.getName());
		List<GracefulStop> runs;
		synchronized (RUNNING) {
			runs = List.copyOf(RUNNING);
		}
		for (GracefulStop run : runs) {
			try {
				run.jobOperator.stop(run.execution);
			}
			catch (Exception ex) {
				log.warn("the run could not be asked to stop: {}", ex.getMessage());
			}
		}
	}

}
