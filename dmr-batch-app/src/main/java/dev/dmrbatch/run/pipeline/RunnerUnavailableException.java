package dev.dmrbatch.run.pipeline;

import java.util.Collection;

/**
 * The model runner did not answer at all, even after the retries. The job fails (exit 5) rather than record every
 * remaining item as failed; what was answered stays, and the same command resumes the run later.
 */
public class RunnerUnavailableException extends RuntimeException {

	public RunnerUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}

	/** The runner's failure among a partition's failures, wherever it is in their causes; {@code null} for none. */
	public static RunnerUnavailableException among(Collection<Throwable> failures) {
		for (Throwable failure : failures) {
			for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
				if (cause instanceof RunnerUnavailableException gone) {
					return gone;
				}
			}
		}
		return null;
	}

}
