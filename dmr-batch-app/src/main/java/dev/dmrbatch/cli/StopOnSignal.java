package dev.dmrbatch.cli;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import sun.misc.Signal;

/**
 * Ctrl-C or SIGTERM to a command that is not in a run (starting, listing runs, exporting, serving, waiting for its
 * store): the command ends with exit code 4, stopped, whatever it was waiting for. The application is closed as usual
 * (its connections given back), but for {@link #GRACE} at most: what waits for a store or runner that does not answer
 * does not hold the process. A second signal quits at once. While a run runs, {@code run.process.GracefulStop} takes
 * the signals instead (it finishes the requests in flight and stores them) and gives them back when the run ends.
 */
final class StopOnSignal {

	/** Exit code of a command ended by a signal, as of a stopped run. */
	static final int STOPPED = 4;

	/**
	 * How long closing the application may take before the process ends all the same. Closing takes a few tens of
	 * milliseconds when nothing hangs; half a second leaves a busy machine (taking the signal, ending the process)
	 * the rest of the 2 s the documentation promises.
	 */
	static final Duration GRACE = Duration.ofMillis(500);

	private static final AtomicInteger RECEIVED = new AtomicInteger();

	private StopOnSignal() {
	}

	static void install() {
		for (String name : List.of("INT", "TERM")) {
			try {
				Signal.handle(new Signal(name), StopOnSignal::stop);
			}
			catch (IllegalArgumentException ex) {
				// the JVM keeps this signal to itself (e.g. started with -Xrs): its default applies
			}
		}
	}

	private static void stop(Signal signal) {
		if (RECEIVED.incrementAndGet() > 1) {
			Runtime.getRuntime().halt(128 + signal.getNumber());
		}
		Console.warning("SIG" + signal.getName() + ": stopping (again to quit at once)");
		Thread deadline = new Thread(() -> {
			try {
				Thread.sleep(GRACE.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			Runtime.getRuntime().halt(STOPPED);
		}, "stop-deadline");
		deadline.setDaemon(true);
		deadline.start();
		System.exit(STOPPED);
	}

}
