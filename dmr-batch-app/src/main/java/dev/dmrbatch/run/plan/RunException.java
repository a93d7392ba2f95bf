package dev.dmrbatch.run.plan;

/** A run that cannot start: the message says why, naming the culprit. Nothing was sent. */
public class RunException extends RuntimeException {

	public RunException(String message) {
		super(message);
	}

}
