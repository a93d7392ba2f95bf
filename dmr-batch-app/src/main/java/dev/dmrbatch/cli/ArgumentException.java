package dev.dmrbatch.cli;

/** A command line that cannot be understood. */
class ArgumentException extends RuntimeException {

	ArgumentException(String message) {
		super(message);
	}

}
