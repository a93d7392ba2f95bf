package dev.dmrbatch.run.job;

import dev.dmrbatch.run.plan.RunException;

/** An output folder that holds another run's exports: nothing is written there, and nothing is sent. */
public class OutputFolderTakenException extends RunException {

	public OutputFolderTakenException(String message) {
		super(message);
	}

}
