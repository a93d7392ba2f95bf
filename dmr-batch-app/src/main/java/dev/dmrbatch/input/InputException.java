package dev.dmrbatch.input;

/** An input that cannot be read at all: missing, unreadable, or not in the format the job says. */
public class InputException extends RuntimeException {

	public InputException(String message) {
		super(message);
	}

}
