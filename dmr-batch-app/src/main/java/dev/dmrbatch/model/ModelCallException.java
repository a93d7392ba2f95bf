package dev.dmrbatch.model;

/**
 * A request the model runner did not answer, after retries where they made sense. The message is the runner's
 * own, in one sentence, whichever error shape it came in.
 */
public class ModelCallException extends RuntimeException {

	private final int status;

	private final boolean transientFault;

	ModelCallException(String message, int status, boolean transientFault, Throwable cause) {
		super(message, cause);
		this.status = status;
		this.transientFault = transientFault;
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
