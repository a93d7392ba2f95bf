package dev.dmrbatch.conversation.server;

/** The store server could not be found or started: one sentence naming the database. */
public class StoreServerException extends RuntimeException {

	StoreServerException(String message, Throwable cause) {
		super(message, cause);
	}

	StoreServerException(String message) {
		super(message);
	}

}
