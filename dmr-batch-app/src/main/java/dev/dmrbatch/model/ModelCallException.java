package dev.dmrbatch.model;

/**
 * A request the model runner did not answer, after retries where they made sense. The message is the runner's
 * own, in one sentence, whichever error shape it came in.
 */
public class ModelCallException extends RuntimeException {

	private final int status;

	private final boolean transientFault;

	/** How long the runner asked to be left alone before the next request (429's {@code Retry-After}), or null. */
	private final java.time.Duration retryAfter;

	ModelCallException(String message, int status, boolean transientFault, Throwable cause) {
		this(message, status, transientFault, cause, null);
	}

	ModelCallException(String message, int status, boolean transientFault, Throwable cause,
			java.time.Duration retryAfter) {
		super(message, cause);
		this.status = status;
		this.transientFault = transientFault;
		this.retryAfter = retryAfter;
	}

	/** The wait a 429 answer's {@code Retry-After} asked for, or {@code null} when it gave none. */
	java.time.Duration retryAfter() {
		return this.retryAfter;
	}

	/** The HTTP status, or 0 when no response came (connection refused, reset, timeout). */
	public int status() {
		return this.status;
	}

	/** Whether the fault lies with the runner's state rather than the request, so a later try may succeed. */
	public boolean isTransient() {
		return this.transientFault;
	}

}
