package dev.dmrbatch.run.pipeline;

/**
 * The model runner did not answer at all, even after the retries. The job fails (exit 5) rather than record every
 * remaining item as failed; what was answered stays, and the same command resumes the run later.
 */
public class RunnerUnavailableException extends RuntimeException {

	public RunnerUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}

}
