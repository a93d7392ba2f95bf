package dev.dmrbatch.export;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import dev.dmrbatch.conversation.Conversation;

/** Writes one export file, one conversation at a time, so memory stays flat whatever the size of the run. */
interface Exporter extends AutoCloseable {

	void write(Conversation conversation) throws IOException;

	/** After the last conversation: whatever closes the document. */
	default void finish() throws IOException {
	}

	/** After {@link #finish()}: what the user should know about the file, such as text it could not draw. */
	default List<String> warnings() {
		return List.of();
	}

	/**
	 * After {@link #finish()}: the files it wrote that its kind could not name beforehand (a plugin's, the vectors of
	 * embed steps), absolute.
	 */
	default List<Path> files() {
		return List.of();
	}

	@Override
	void close() throws IOException;

}
