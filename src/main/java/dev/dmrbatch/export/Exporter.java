package dev.dmrbatch.export;

import java.io.IOException;

import dev.dmrbatch.conversation.Conversation;

/** Writes one export file, one conversation at a time, so memory stays flat whatever the size of the run. */
interface Exporter extends AutoCloseable {

	void write(Conversation conversation) throws IOException;

	/** After the last conversation: whatever closes the document. */
	default void finish() throws IOException {
	}

	@Override
	void close() throws IOException;

}
