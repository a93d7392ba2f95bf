package dev.dmrbatch.plugin.api;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An input format: reads a source (a file or a folder) into records, in order, and can start again where it left
 * off. A job file uses it as {@code input: {format: <name>, path: <source>, options: {...}}}.
 * <p>
 * dmr-batch numbers the records from 1 in the order the reader returns them and saves, with each committed chunk,
 * the {@link RecordReader#position() position} after the last record it handed out. A run that resumes (after a crash
 * or kill -9) calls {@link #open} with that position and expects the next record returned to be the one after it:
 * every record is then handled exactly once.
 */
public interface InputFormat {

	/**
	 * The format's name, as {@code input.format} gives it: letters, digits, {@code -} and {@code _}.
	 * @return the name, unique among all formats
	 */
	String name();

	/**
	 * Checks the source and the options before a run starts, so a missing file or a wrong option stops the run before
	 * anything is sent. By default nothing is checked beyond the source's existence, which dmr-batch checks itself.
	 * @param source the file or folder {@code input.path} (or {@code input=}) names, absolute
	 * @param options the job file's {@code input.options}
	 * @throws PluginException naming the source or the option and the problem
	 */
	default void check(Path source, Options options) {
	}

	/**
	 * Opens a reader at the start of the source, or after the record a reader earlier said it had reached.
	 * @param source the file or folder {@code input.path} (or {@code input=}) names, absolute
	 * @param options the job file's {@code input.options}
	 * @param position {@code 0} for the start; otherwise a value {@link RecordReader#position()} returned earlier for
	 * the same source: the reader must return the record after it next
	 * @return the reader, which dmr-batch closes
	 * @throws IOException when the source cannot be read
	 * @throws PluginException naming the source and the problem
	 */
	RecordReader open(Path source, Options options, long position) throws IOException;

}
