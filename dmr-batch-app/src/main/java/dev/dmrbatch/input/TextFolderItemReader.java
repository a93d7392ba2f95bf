package dev.dmrbatch.input;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.springframework.batch.infrastructure.item.support.AbstractItemCountingItemStreamItemReader;

/**
 * Reads a folder of {@code .txt} and {@code .md} files (sub-folders included), one item per file, in the order of
 * their relative paths, so a restart finds the same order. Only the list of names is held in memory. A file is read
 * only when it is inside the folder with its links followed ({@link InputReaders#isInside}): a link out of the folder,
 * or to nothing, is a failed item naming it.
 */
final class TextFolderItemReader extends AbstractItemCountingItemStreamItemReader<InputItem> {

	private final Path folder;

	private List<Path> files;

	TextFolderItemReader(Path folder) {
		this.folder = folder;
		setName("input");
	}

	static List<Path> list(Path folder) throws IOException {
		return list(folder, (p) -> {
			String name = p.getFileName().toString().toLowerCase();
			return name.endsWith(".txt") || name.endsWith(".md");
		});
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

	@Override
	protected void doOpen() throws Exception {
		this.files = list(this.folder);
	}

	@Override
	protected InputItem doRead() throws Exception {
		int index = getCurrentItemCount() - 1;
		if (index >= this.files.size()) {
			return null;
		}
		Path relative = this.files.get(index);
		String name = relative.toString().replace('\\', '/');
		Path file = this.folder.resolve(relative);
		String refused = refused(this.folder, file, name);
		if (refused != null) {
			return new InputItem(0, name, Map.of(), refused, false);
		}
		file = file.toRealPath();
		String text = TextEncoding.read(file);
		if (TextEncoding.isMalformed(text)) {
			return new InputItem(0, name, Map.of(), name + ": " + TextEncoding.malformedMessage(TextEncoding.of(file)),
					false);
		}
		Map<String, Object> fields = new LinkedHashMap<>();
		fields.put("text", text);
		fields.put("file", name);
		String base = relative.getFileName().toString();
		fields.put("name", base.substring(0, base.lastIndexOf('.')));
		return new InputItem(0, name, fields, null, false);
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

	@Override
	protected void jumpToItem(int itemIndex) {
		// the position is the index into the sorted list: nothing to read to get there
	}

	@Override
	protected void doClose() {
		this.files = null;
	}

}
