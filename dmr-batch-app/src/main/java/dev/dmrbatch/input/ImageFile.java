package dev.dmrbatch.input;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An image ({@code .png}, {@code .jpg}, {@code .jpeg}, {@code .webp}, {@code .gif}), one item: {@code ${file}},
 * {@code ${name}}, {@code ${width}} and {@code ${height}} (from the image's header), and the file itself among the
 * item's images under {@code file}, which the first chat step of its conversation sends. A file that is no readable
 * image of its type is a failed item naming it.
 */
final class ImageFile implements FileType {

	@Override
	public List<String> extensions() {
		return ImageFiles.EXTENSIONS;
	}

	@Override
	public Items open(Path file, String name) throws java.io.IOException {
		int[] size;
		try {
			size = ImageFiles.size(file, name);
		}
		catch (ImageFiles.ImageException ex) {
			return FileType.single(new InputItem(0, name, Map.of(), ex.getMessage(), false));
		}
		Map<String, Object> fields = new LinkedHashMap<>();
		fields.put("file", name);
		fields.put("name", FileType.base(name));
		fields.put("width", size[0]);
		fields.put("height", size[1]);
		return FileType.single(new InputItem(0, name, fields, null, false, Map.of("file", file)));
	}

}
