package dev.dmrbatch.run.process;

import org.junit.jupiter.api.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.launch.JobExecutionNotRunningException;
import org.springframework.batch.core.launch.JobOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs going on at once in one process share one signal handler; the earlier one is back when the last ends. */
class GracefulStopTest {

	@Test
	void runsEndingInAnyOrderLeaveTheHandlerUntilTheLastEnds() {
		Signal term = new Signal("TERM");
		SignalHandler original = Signal.handle(term, SignalHandler.SIG_DFL);
		Signal.handle(term, original);
		GracefulStop first = new GracefulStop(null);
		GracefulStop second = new GracefulStop(null);
		JobExecution one = new JobExecution(1L, null, null);
		JobExecution two = new JobExecution(2L, null, null);
		first.beforeJob(one);
		second.beforeJob(two);
		first.afterJob(one);
		// the JDK wraps a handler anew each time it hands it back: its text names the handler itself
		assertThat(current(term).toString()).isNotEqualTo(original.toString()).contains("GracefulStop");
		second.afterJob(two);
		assertThat(current(term).toString()).isEqualTo(original.toString());
	}

	@Test
	void aRunAskedToStopTwiceIsStoppingBothTimes() {
		// Spring Batch's operator: a stop marks the execution STOPPED at once, and refuses one no longer running
		java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
		JobOperator operator = (JobOperator) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
				new Class<?>[] { JobOperator.class }, (proxy, method, args) -> {
					if (!method.getName().equals("stop")) {
						throw new UnsupportedOperationException(method.getName());
					}
					JobExecution execution = (JobExecution) args[0];
					if (execution.getStatus() != BatchStatus.STARTED) {
						throw new JobExecutionNotRunningException("not running");
					}
					asked.incrementAndGet();
					execution.setStatus(BatchStatus.STOPPED);
					return true;
				});
		GracefulStop stop = new GracefulStop(operator);
		JobExecution execution = new JobExecution(7L, new JobInstance(3L, "items"), new JobParameters());
		execution.setStatus(BatchStatus.STARTED);
		stop.beforeJob(execution);
		try {
			assertThat(GracefulStop.stop(3L)).isTrue();
			// a second click on the web app's stop: still stopping, not "no such run going on"
			assertThat(GracefulStop.stop(3L)).isTrue();
			assertThat(asked).hasValue(1);
		}
		finally {
			stop.afterJob(execution);
		}
	}

	private static SignalHandler current(Signal signal) {
		SignalHandler handler = Signal.handle(signal, SignalHandler.SIG_DFL);
		Signal.handle(signal, handler);
		return handler;
	}

}
