package dev.dmrbatch.run.pipeline;

import java.util.Collection;

import dev.dmrbatch.text.Causes;

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
		return failures.stream()
			.flatMap((failure) -> Causes.find(failure, RunnerUnavailableException.class).stream())
			.findFirst()
			.orElse(null);
	}

}
