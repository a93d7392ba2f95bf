package dev.dmrbatch.run.process;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.listener.JobExecutionListener;

/**
 * Ctrl-C or SIGTERM while a run is under way: the job is asked to stop ({@link JobOperator#stop}), the chunk in
 * progress finishes and commits, and the run ends STOPPED (exit 4), resumable by the same command. A second signal
 * quits at once; the next run recovers what was left.
 * <p>
 * The signals are caught rather than left to the JVM's shutdown hooks because those would close the database under
 * the running job and end the process with the signal's own exit code, not 4.
 */
public class GracefulStop implements JobExecutionListener {

	private static final Logger log = LoggerFactory.getLogger(GracefulStop.class);

	private static final List<String> SIGNALS = List.of("INT", "TERM");

	private final JobOperator jobOperator;

	private final AtomicInteger received = new AtomicInteger();

	private final List<Runnable> restore = new ArrayList<>();

	private volatile JobExecution execution;

	public GracefulStop(JobOperator jobOperator) {
		this.jobOperator = jobOperator;
	}

	@Override
	public void beforeJob(JobExecution jobExecution) {
		this.execution = jobExecution;
		for (String name : SIGNALS) {
			try {
				Signal signal = new Signal(name);
				SignalHandler previous = Signal.handle(signal, this::onSignal);
				this.restore.add(() -> Signal.handle(signal, previous));
			}
			catch (IllegalArgumentException ex) {
				// the JVM keeps this signal to itself (e.g. started with -Xrs): its default applies
			}
		}
	}

	@Override
	public void afterJob(JobExecution jobExecution) {
		this.restore.forEach(Runnable::run);
		this.restore.clear();
	}

	private void onSignal(Signal signal) {
		if (this.received.incrementAndGet() > 1) {
			log.warn("SIG{} again: quitting now; the same command recovers and resumes the run", signal.getName());
			Runtime.getRuntime().halt(128 + signal.getNumber());
		}
		log.warn("SIG{}: stopping after the requests in flight (again to quit at once); the same command resumes",
				signal.getName());
		try {
			this.jobOperator.stop(this.execution);
		}
		catch (Exception ex) {
			log.warn("the run could not be asked to stop: {}", ex.getMessage());
		}
	}

}
