package dev.dmrbatch.jobfile;

/** A job file that cannot be used; the message names the file, the key and the line where known. */
public class JobFileException extends RuntimeException {

	public JobFileException(String message) {
		super(message);
	}

}
