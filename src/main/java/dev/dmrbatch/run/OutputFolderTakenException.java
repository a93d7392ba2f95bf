package dev.dmrbatch.run;

/** An output folder that holds another run's exports: nothing is written there, and nothing is sent. */
public class OutputFolderTakenException extends RunException {

	public OutputFolderTakenException(String message) {
		super(message);
	}

}
