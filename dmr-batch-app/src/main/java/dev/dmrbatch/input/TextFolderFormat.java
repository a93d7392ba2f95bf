package dev.dmrbatch.input;

import java.util.List;

import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/** {@code text}: a folder of {@code .txt} and {@code .md} files, one item a file ({@link TextFolderItemReader}). */
@Component
@Order(40)
final class TextFolderFormat implements FolderFormat {

	@Override
	public String name() {
		return "text";
	}

	@Override
	public void check(InputSource source) {
		DocumentOptions.checkFolder(source, "a folder of .txt and .md files");
	}

	@Override
	public ItemStreamReader<InputItem> open(InputSource source) {
		return new TextFolderItemReader(source.path(), List.of(new TextFile()));
	}

}
