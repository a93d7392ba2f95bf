package dev.dmrbatch.input;

/**
 * An input format that reads a folder of files ({@code text}, {@code pdf}, {@code html}, {@code images},
 * {@code files}), one item a file unless it says otherwise, read by {@link TextFolderItemReader}: a folder given as
 * the input brings the first of them.
 */
interface FolderFormat extends InputFormatKind {

	@Override
	default boolean readsFolders() {
		return true;
	}

	@Override
	default String unit() {
		return "file";
	}

}
