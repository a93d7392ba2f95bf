package dev.dmrbatch.prompt;

/** A prompt that cannot be rendered; the message names the template, the line and the variable. */
public class PromptException extends RuntimeException {

	public PromptException(String message) {
		super(message);
	}

}
