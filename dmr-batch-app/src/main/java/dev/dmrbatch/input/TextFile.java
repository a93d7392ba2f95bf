package dev.dmrbatch.input;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A {@code .txt} or {@code .md} file, one item: {@code ${text}}, {@code ${file}}, {@code ${name}}. */
final class TextFile implements FileType {

	@Override
	public List<String> extensions() {
		return List.of(".txt", ".md");
	}

	@Override
	public Items open(Path file, String name) throws IOException {
		String text = TextEncoding.read(file);
		if (TextEncoding.isMalformed(text)) {
			return FileType.single(new InputItem(0, name, Map.of(),
					name + ": " + TextEncoding.malformedMessage(TextEncoding.of(file)), false));
		}
		Map<String, Object> fields = new LinkedHashMap<>();
		fields.put("text", text);
		fields.put("file", name);
		fields.put("name", FileType.base(name));
		return FileType.single(new InputItem(0, name, fields, null, false));
	}

}
