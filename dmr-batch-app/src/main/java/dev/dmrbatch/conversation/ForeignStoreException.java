package dev.dmrbatch.conversation;

/**
 * A file, folder or process of the store belongs to another user than the one dmr-batch runs as: one sentence naming
 * it, its owner and why it is refused.
 */
public class ForeignStoreException extends RuntimeException {

	public ForeignStoreException(String message) {
		super(message);
	}

}
