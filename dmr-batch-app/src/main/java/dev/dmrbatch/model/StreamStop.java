package dev.dmrbatch.model;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Stops a streamed answer from another thread (a Ctrl-C handler): the response is closed, so the streaming thread
 * stops at once instead of at the next piece, and the answer so far is returned as stopped.
 */
public final class StreamStop {

	private final AtomicBoolean stopped = new AtomicBoolean();

	private final AtomicReference<AutoCloseable> response = new AtomicReference<>();

	/** Stops the answer being written; safe to call from any thread, more than once, or before it started. */
	public void stop() {
		if (this.stopped.compareAndSet(false, true)) {
			AutoCloseable open = this.response.get();
			if (open != null) {
				close(open);
			}
		}
	}

	public boolean isStopped() {
		return this.stopped.get();
	}

	void streaming(AutoCloseable open) {
		this.response.set(open);
		if (this.stopped.get()) {
			close(open);
		}
	}

	private static void close(AutoCloseable open) {
		try {
			open.close();
		}
		catch (Exception ex) {
			// closing is all that was wanted
		}
	}

}
