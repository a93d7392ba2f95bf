package dev.dmrbatch.run.process;

import org.junit.jupiter.api.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import org.springframework.batch.core.job.JobExecution;

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

	private static SignalHandler current(Signal signal) {
		SignalHandler handler = Signal.handle(signal, SignalHandler.SIG_DFL);
		Signal.handle(signal, handler);
		return handler;
	}

}
