package dev.dmrbatch.input;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.batch.infrastructure.item.support.AbstractItemCountingItemStreamItemReader;

/**
 * Reads a folder of images (sub-folders included), one item per file, in the order of their relative paths as the
 * text folder's reader does, so a restart finds the same order: the fields {@code file}, {@code name},
 * {@code width} and {@code height} (from the image's header), and the file itself among the item's images under
 * {@code file}. A file that is no readable image of its type, or a link to nothing or out of the folder, is a failed
 * item naming it.
 */
final class ImageFolderItemReader extends AbstractItemCountingItemStreamItemReader<InputItem> {

	private final Path folder;

	private List<Path> files;

	ImageFolderItemReader(Path folder) {
		this.folder = folder;
		setName("input");
	}

	@Override
	protected void doOpen() throws Exception {
		this.files = TextFolderItemReader.list(this.folder, ImageFiles::isImage);
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
		String refused = TextFolderItemReader.refused(this.folder, file, name);
		if (refused != null) {
			return new InputItem(0, name, Map.of(), refused, false);
		}
		file = file.toRealPath();
		int[] size;
		try {
			size = ImageFiles.size(file, name);
		}
		catch (ImageFiles.ImageException ex) {
			return new InputItem(0, name, Map.of(), ex.getMessage(), false);
		}
		Map<String, Object> fields = new LinkedHashMap<>();
		fields.put("file", name);
		String base = relative.getFileName().toString();
		fields.put("name", base.substring(0, base.lastIndexOf('.')));
		fields.put("width", size[0]);
		fields.put("height", size[1]);
		return new InputItem(0, name, fields, null, false, Map.of("file", file));
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
