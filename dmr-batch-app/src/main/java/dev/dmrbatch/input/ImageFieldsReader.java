package dev.dmrbatch.input;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamException;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * Gives each item of a file input the image files its fields name ({@link InputSource#imageFields()}), relative to
 * the input file's folder and never out of it ({@link InputReaders#isInside}). An item whose field names no file, a
 * file out of the folder, one that does not exist or one that is no image fails, naming its record and the field;
 * the field's value is never said.
 */
final class ImageFieldsReader implements ItemStreamReader<InputItem> {

	private final ItemStreamReader<InputItem> delegate;

	private final InputSource source;

	private final Path folder;

	ImageFieldsReader(ItemStreamReader<InputItem> delegate, InputSource source) {
		this.delegate = delegate;
		this.source = source;
		Path parent = source.path().toAbsolutePath().getParent();
		this.folder = (parent != null) ? parent : source.path().toAbsolutePath();
	}

	@Override
	public InputItem read() throws Exception {
		InputItem item = this.delegate.read();
		if (item == null || item.isBlank() || item.error() != null) {
			return item;
		}
		Map<String, Path> images = new LinkedHashMap<>();
		for (String field : this.source.imageFields()) {
			String where = this.source.display() + " record " + item.seq() + ": field '"
					+ field + "'";
			Object value = item.fields().get(field);
			if (value == null || String.valueOf(value).isEmpty()) {
				return failed(item, where + " names no image file (a step's images: lists it)");
			}
			String name = String.valueOf(value);
			Path file;
			try {
				file = this.folder.resolve(name);
			}
			catch (java.nio.file.InvalidPathException ex) {
				return failed(item, where + " is not a file name");
			}
			if (!InputReaders.isInside(this.folder, file)) {
				return failed(item, where + " names a file outside the input file's folder (not read)");
			}
			if (!Files.isRegularFile(file)) {
				return failed(item, where + " names an image file that does not exist");
			}
			if (!ImageFiles.isImage(file)) {
				return failed(item, where + " names a file that is not an image ("
						+ String.join(", ", ImageFiles.EXTENSIONS) + ")");
			}
			images.put(field, file.toRealPath());
		}
		return item.withImages(images);
	}

	private static InputItem failed(InputItem item, String error) {
		return new InputItem(item.seq(), item.id(), item.fields(), error, false);
	}

	@Override
	public void open(ExecutionContext context) throws ItemStreamException {
		this.delegate.open(context);
	}

	@Override
	public void update(ExecutionContext context) throws ItemStreamException {
		this.delegate.update(context);
	}

	@Override
	public void close() throws ItemStreamException {
		this.delegate.close();
	}

}
