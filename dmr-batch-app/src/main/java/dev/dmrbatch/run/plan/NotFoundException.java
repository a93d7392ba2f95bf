package dev.dmrbatch.run.plan;

/**
 * Nothing by the name given: no such run, session, item or job file. The message says what was looked for, in one
 * sentence; the web app answers it with a 404, the command line as any {@link RunException}.
 */
public class NotFoundException extends RunException {

	public NotFoundException(String message) {
		super(message);
	}

}
