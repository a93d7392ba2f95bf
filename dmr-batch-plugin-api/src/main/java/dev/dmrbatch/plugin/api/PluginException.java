package dev.dmrbatch.plugin.api;

/**
 * A problem a plugin reports to the user: its message is shown as it is, so it should be one sentence that names the
 * culprit (an option, a file, a record) without secrets or file contents.
 */
public class PluginException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	/**
	 * A problem with a message for the user.
	 * @param message one sentence naming the culprit
	 */
	public PluginException(String message) {
		super(message);
	}

	/**
	 * A problem with a message for the user and its cause, which is not shown.
	 * @param message one sentence naming the culprit
	 * @param cause what went wrong underneath
	 */
	public PluginException(String message, Throwable cause) {
		super(message, cause);
	}

}
