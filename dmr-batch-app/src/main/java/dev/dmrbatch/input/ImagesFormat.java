package dev.dmrbatch.input;

import java.util.List;

import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code images}: a folder of {@code .png}, {@code .jpg}, {@code .jpeg}, {@code .webp} and {@code .gif} files, one
 * item an image ({@link ImageFile}, read by the folder reader every folder input shares), which the item's first chat
 * step sends.
 */
@Component
@Order(80)
final class ImagesFormat implements FolderFormat {

	@Override
	public String name() {
		return "images";
	}

	@Override
	public void check(InputSource source) {
		DocumentOptions.checkFolder(source, "a folder of " + String.join(", ", ImageFiles.EXTENSIONS) + " files");
	}

	@Override
	public ItemStreamReader<InputItem> open(InputSource source) {
		return new TextFolderItemReader(source.path(), List.of(new ImageFile()));
	}

}
