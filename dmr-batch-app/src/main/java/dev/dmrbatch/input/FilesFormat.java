package dev.dmrbatch.input;

import java.util.List;
import java.util.Map;

import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code files}: a folder mixing the kinds of files dmr-batch reads, each file read by its kind ({@link #types}):
 * text and Markdown, PDFs, web pages, images. The options are those of the kinds it reads ({@code per}, {@code select}).
 */
@Component
@Order(70)
final class FilesFormat implements FolderFormat {

	private static final List<String> OPTIONS = List.of(DocumentOptions.PER, DocumentOptions.SELECT);

	@Override
	public String name() {
		return "files";
	}

	@Override
	public Map<String, Object> optionsSchema() {
		return DocumentOptions.schema(OPTIONS);
	}

	/**
	 * Every kind of file it reads, the first that takes a file's name reading it. A new kind of file is one
	 * {@link FileType} more here, and its file names are then read in a mixed folder too.
	 */
	static List<FileType> types(InputSource source, DocumentOptions options) {
		return List.of(new TextFile(), PdfFile.of(source, options), new HtmlFile(options.select()), new ImageFile());
	}

	@Override
	public void check(InputSource source) {
		DocumentOptions.checkFolder(source, "a folder");
		DocumentOptions.of(source, OPTIONS); // its options checked before a run
	}

	@Override
	public ItemStreamReader<InputItem> open(InputSource source) {
		return new TextFolderItemReader(source.path(), types(source, DocumentOptions.of(source, OPTIONS)));
	}

}
