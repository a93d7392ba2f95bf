package dev.dmrbatch.conversation.server;

import org.springframework.boot.ExitCodeGenerator;

/**
 * The store server could not be found, started or trusted: one sentence naming the database, the server file or the
 * server's process. Its exit code is 2 (nothing ran) unless the server was found but does not answer (5).
 */
public class StoreServerException extends RuntimeException implements ExitCodeGenerator {

	private final int exitCode;

	StoreServerException(String message, Throwable cause) {
		super(message, cause);
		this.exitCode = 2;
	}

	StoreServerException(String message) {
		this(message, 2);
	}

	StoreServerException(String message, int exitCode) {
		super(message);
		this.exitCode = exitCode;
	}

	@Override
	public int getExitCode() {
		return this.exitCode;
	}

}
