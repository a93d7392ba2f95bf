package dev.dmrbatch.input;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * One kind of file a folder input reads, by the endings of its names: how a file of that kind becomes items. The
 * folder reader ({@link TextFolderItemReader}) lists the files of the kinds its format reads and asks each file's kind
 * for its items; {@code format: files} reads every kind there is, so a new kind of file is one implementation of this
 * added to {@link FilesFormat}'s list.
 */
interface FileType {

	/** The endings of the names of the files it reads: lower case, with their dot ({@code .pdf}). */
	List<String> extensions();

	/**
	 * Opens one file for its items, which are read by their position in the file, so a restart can go on at the
	 * position it saved without reading the ones before. A file that cannot be read is not an exception here: its
	 * first item is a failed one saying why, naming the file.
	 * @param file the file, links followed
	 * @param name how it is named: its path relative to the input folder, which is also its id
	 */
	Items open(Path file, String name) throws IOException;

	/** Whether it reads a file of that name. */
	default boolean reads(String fileName) {
		String lower = fileName.toLowerCase(java.util.Locale.ROOT);
		return extensions().stream().anyMatch(lower::endsWith);
	}

	/** The items of one open file. */
	interface Items extends Closeable {

		/** The item at that position in the file, from 0, or {@code null} past its last one. */
		InputItem item(int index) throws IOException;

		@Override
		default void close() throws IOException {
		}

	}

	/** The items of a file that is one item. */
	static Items single(InputItem item) {
		return (index) -> (index == 0) ? item : null;
	}

	/** The base of a file's name as the input names it, without its folders and its last ending: {@code a/b.txt} is {@code b}. */
	static String base(String name) {
		String last = name.substring(name.lastIndexOf('/') + 1);
		int dot = last.lastIndexOf('.');
		return (dot >= 0) ? last.substring(0, dot) : last;
	}

}
