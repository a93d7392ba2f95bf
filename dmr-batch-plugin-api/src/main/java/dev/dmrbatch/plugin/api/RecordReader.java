package dev.dmrbatch.plugin.api;

import java.io.IOException;
import java.util.Map;

/**
 * Reads the records of one source, one at a time, in order. Used by one thread at a time.
 */
public interface RecordReader extends AutoCloseable {

	/**
	 * The next record: its fields by name, which prompts see as {@code ${name}} and {@code ${item.name}}. Values are
	 * text, numbers, true/false, {@code null}, lists or mappings of those.
	 * @return the next record, or {@code null} at the end of the source
	 * @throws IOException when the source cannot be read any further (the run stops, and resumes here)
	 * @throws PluginException for a record that cannot be read: the message (naming the record) fails that item and
	 * the reader goes on with the next one
	 */
	Map<String, Object> next() throws IOException;

	/**
	 * Where the reader is: a value that, given to {@link InputFormat#open}, opens a reader whose next record is the
	 * one after the last returned by {@link #next()}. A record index, a byte offset or a row id all serve.
	 * @return the position after the last record returned; {@code 0} before the first
	 */
	long position();

	/**
	 * Releases the source.
	 * @throws IOException when closing fails
	 */
	@Override
	void close() throws IOException;

}
