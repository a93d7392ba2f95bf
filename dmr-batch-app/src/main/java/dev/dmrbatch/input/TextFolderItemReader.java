package dev.dmrbatch.input;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamException;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * Reads a folder of files of the kinds its format reads ({@link FileType}; sub-folders included), each file by its
 * kind, in the order of their relative paths compared byte by byte, so a restart finds the same order; or one such
 * file given as the input. A file may be several items (a PDF read page by page). Only the list of names and the open
 * file are held in memory; the saved position is the file being read and how many of its items were read, so a
 * restart opens that file and goes on at its next item without reading the others again. A file is read only when it
 * is inside the folder with its links followed ({@link InputReaders#isInside}): a link out of the folder, or to
 * nothing, is a failed item naming it.
 */
final class TextFolderItemReader implements ItemStreamReader<InputItem> {

	/** The saved position: the index of the file being read in the sorted list. */
	static final String FILE = "input.file";

	/** The saved position: how many items of that file were read. */
	static final String PART = "input.part";

	/** The position saved before files could be several items: the number of files read. */
	private static final String FILES_READ = "input.read.count";

	private final Path input;

	private final List<FileType> types;

	private List<Path> files;

	private int file;

	private int part;

	private FileType.Items current;

	TextFolderItemReader(Path input, List<FileType> types) {
		this.input = input;
		this.types = types;
	}

	/** The files of those kinds in a folder, as paths relative to it, in the order they are read. */
	static List<Path> list(Path folder, List<FileType> types) throws IOException {
		return list(folder, (p) -> type(types, p.getFileName().toString()) != null);
	}

	/** The files of a folder (sub-folders included) that are {@code wanted}, by their relative paths, in order. */
	static List<Path> list(Path folder, Predicate<Path> wanted) throws IOException {
		try (Stream<Path> walk = Files.walk(folder)) {
			// a link is listed whatever it points to (but a folder), so that one it may not follow is named, not dropped
			return walk.filter((p) -> Files.isRegularFile(p) || (Files.isSymbolicLink(p) && !Files.isDirectory(p)))
				.filter(wanted)
				.map(folder::relativize)
				.sorted()
				.toList();
		}
	}

	/** Why a listed file of the folder is not read (a link to nothing, or out of the folder), or {@code null}. */
	static String refused(Path folder, Path file, String name) {
		if (Files.isSymbolicLink(file) && !Files.exists(file)) {
			return name + ": a link to a file that does not exist (not read)";
		}
		if (!InputReaders.isInside(folder, file)) {
			return name + ": a link to a file outside the input folder (not read)";
		}
		return null;
	}

	private static FileType type(List<FileType> types, String fileName) {
		return types.stream().filter((type) -> type.reads(fileName)).findFirst().orElse(null);
	}

	private boolean isOneFile() {
		return !Files.isDirectory(this.input);
	}

	@Override
	public void open(ExecutionContext context) throws ItemStreamException {
		try {
			this.files = isOneFile() ? List.of(this.input.getFileName()) : list(this.input, this.types);
		}
		catch (IOException ex) {
			throw new ItemStreamException("input folder " + this.input.getFileName() + " cannot be listed", ex);
		}
		if (context.containsKey(FILE)) {
			this.file = context.getInt(FILE);
			this.part = context.getInt(PART, 0);
		}
		else {
			this.file = (context.get(FILES_READ) instanceof Number read) ? read.intValue() : 0;
			this.part = 0;
		}
	}

	@Override
	public InputItem read() throws Exception {
		while (this.file < this.files.size()) {
			if (this.current == null) {
				this.current = openFile(this.files.get(this.file));
			}
			InputItem item = this.current.item(this.part);
			if (item != null) {
				this.part++;
				return item;
			}
			closeFile();
			this.file++;
			this.part = 0;
		}
		return null;
	}

	private FileType.Items openFile(Path relative) {
		String name = relative.toString().replace('\\', '/');
		Path path = isOneFile() ? this.input : this.input.resolve(relative);
		String refused = isOneFile() ? null : refused(this.input, path, name);
		if (refused != null) {
			return FileType.single(new InputItem(0, name, Map.of(), refused, false));
		}
		try {
			// a file given as the input is read by the format's kind whatever its name
			FileType type = type(this.types, relative.getFileName().toString());
			return ((type != null) ? type : this.types.get(0)).open(path.toRealPath(), name);
		}
		catch (AccessDeniedException ex) {
			return failed(name, "cannot be read (permissions)");
		}
		catch (IOException ex) {
			return failed(name, "cannot be read (" + ex.getClass().getSimpleName() + ")");
		}
	}

	private static FileType.Items failed(String name, String why) {
		return FileType.single(new InputItem(0, name, Map.of(), name + ": " + why, false));
	}

	@Override
	public void update(ExecutionContext context) throws ItemStreamException {
		context.putInt(FILE, this.file);
		context.putInt(PART, this.part);
	}

	@Override
	public void close() throws ItemStreamException {
		closeFile();
		this.files = null;
	}

	private void closeFile() {
		if (this.current != null) {
			try {
				this.current.close();
			}
			catch (IOException ex) {
				// read already: nothing is lost by a file that does not close cleanly
			}
			this.current = null;
		}
	}

}
