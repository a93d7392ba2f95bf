package dev.dmrbatch.input;

import java.nio.file.Files;

import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code images}: a folder of {@code .png}, {@code .jpg}, {@code .jpeg}, {@code .webp} and {@code .gif} files, one
 * item an image ({@link ImageFolderItemReader}), which the item's first chat step sends.
 */
@Component
@Order(80)
final class ImagesFormat implements InputFormatKind {

	@Override
	public String name() {
		return "images";
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
					+ (Files.exists(source.path()) ? " (it is a file; format images reads a folder of "
							+ String.join(", ", ImageFiles.EXTENSIONS) + " files)" : ""));
		}
	}

	@Override
	public ItemStreamReader<InputItem> open(InputSource source) {
		return new ImageFolderItemReader(source.path());
	}

}
