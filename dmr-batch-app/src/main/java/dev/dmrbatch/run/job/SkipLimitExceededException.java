package dev.dmrbatch.run.job;

/** More items failed than the job's {@code skip-limit} allows: the job fails, and the same command resumes it. */
class SkipLimitExceededException extends RuntimeException {

	SkipLimitExceededException(String message) {
		super(message);
	}

}
