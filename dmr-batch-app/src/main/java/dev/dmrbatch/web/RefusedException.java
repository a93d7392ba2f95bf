package dev.dmrbatch.web;

/**
 * A request that cannot be done as things stand (a 409): a job that will not start (already running, already
 * complete, its output folder taken), a run to stop that is not going on here, a run to delete that is.
 */
final class RefusedException extends RuntimeException {

	RefusedException(String message) {
		super(message);
	}

}
