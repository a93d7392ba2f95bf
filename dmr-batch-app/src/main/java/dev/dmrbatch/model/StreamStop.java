package dev.dmrbatch.model;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import okhttp3.Call;
import okhttp3.Interceptor;

/**
 * Stops a streamed answer from another thread (a Ctrl-C handler): the HTTP call is cancelled, which closes its
 * connection, so the streaming thread stops at once instead of at the next piece, and the answer so far is returned
 * as stopped. Only the streaming thread reads or closes the response: a stream read by two threads at once can
 * leave part of it on a connection that goes back to the pool, where the next request would read it as its answer.
 */
public final class StreamStop {

	/** The stop of the streamed request the current thread is sending, for {@link #interceptor()}. */
	private static final ThreadLocal<StreamStop> SENDING = new ThreadLocal<>();

	private final AtomicBoolean stopped = new AtomicBoolean();

	private final AtomicReference<Call> call = new AtomicReference<>();

	/** Stops the answer being written; safe to call from any thread, more than once, or before it started. */
	public void stop() {
		if (this.stopped.compareAndSet(false, true)) {
			cancel();
		}
	}

	/**
	 * Cancels the HTTP call, if it is known: its connection is closed, never pooled with the rest of the answer on it.
	 * The streaming thread calls it too when it sees the stop first, before it closes the response.
	 */
	void cancel() {
		Call open = this.call.get();
		if (open != null) {
			open.cancel();
		}
	}

	public boolean isStopped() {
		return this.stopped.get();
	}

	/** Sends a streamed request on this thread, its HTTP call known to this stop (see {@link #interceptor()}). */
	<T> T sending(java.util.function.Supplier<T> request) {
		SENDING.set(this);
		try {
			return request.get();
		}
		finally {
			SENDING.remove();
		}
	}

	private void calling(Call open) {
		this.call.set(open);
		if (this.stopped.get()) {
			open.cancel();
		}
	}

	/**
	 * Hands the HTTP call of a request sent {@link #sending} to its stop: the call runs on the sending thread, so
	 * it is the stop of that thread.
	 */
	static Interceptor interceptor() {
		return (chain) -> {
			StreamStop stop = SENDING.get();
			if (stop != null) {
				stop.calling(chain.call());
			}
			return chain.proceed(chain.request());
		};
	}

}
