package dev.dmrbatch.plugin.api;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes one export of one run, a conversation at a time: keep memory flat, a run may hold millions of them.
 */
public interface ExportWriter extends AutoCloseable {

	/**
	 * Adds one stored conversation (one item with one model), in input order.
	 * @param conversation the conversation, read-only
	 * @throws IOException when the file cannot be written
	 */
	void write(StoredConversation conversation) throws IOException;

	/**
	 * After the last conversation: completes the files.
	 * @return the files written, each inside the run's output folder
	 * @throws IOException when the files cannot be completed
	 */
	List<Path> finish() throws IOException;

	/**
	 * Releases the files, after {@link #finish()} or after a failure.
	 * @throws IOException when closing fails
	 */
	@Override
	void close() throws IOException;

}
