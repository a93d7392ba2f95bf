package dev.dmrbatch.input;

import java.nio.file.Files;
import java.util.List;

import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/** {@code text}: a folder of {@code .txt} and {@code .md} files, one item a file ({@link TextFolderItemReader}). */
@Component
@Order(40)
final class TextFolderFormat implements InputFormatKind {

	@Override
	public String name() {
		return "text";
	}

	@Override
	public boolean readsFolders() {
		return true;
	}

	@Override
	public String unit() {
		return "file";
	}

	@Override
	public void check(InputSource source) {
		if (!Files.isDirectory(source.path())) {
			throw new InputException("input folder " + source.display() + " does not exist"
					+ (Files.exists(source.path()) ? " (it is a file; format text reads a folder of .txt and .md files)"
							: ""));
		}
	}

	@Override
	public ItemStreamReader<InputItem> open(InputSource source) {
		return new TextFolderItemReader(source.path(), List.of(new TextFile()));
	}

}
