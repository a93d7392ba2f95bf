package dev.dmrbatch.input;

import java.util.List;
import java.util.Map;

import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code pdf}: a PDF file or a folder of them, one item a document or, with {@code per: page}, one a page
 * ({@link PdfFile}), read by {@link TextFolderItemReader}.
 */
@Component
@Order(50)
final class PdfFormat implements FolderFormat {

	private static final List<String> OPTIONS = List.of(DocumentOptions.PER);

	@Override
	public String name() {
		return "pdf";
	}

	@Override
	public List<String> extensions() {
		return List.of(".pdf");
	}

	@Override
	public String unit() {
		return "document";
	}

	@Override
	public Map<String, Object> optionsSchema() {
		return DocumentOptions.schema(OPTIONS);
	}

	@Override
	public void check(InputSource source) {
		DocumentOptions.checkFileOrFolder(source, "a .pdf file or a folder of them");
		DocumentOptions.of(source, OPTIONS); // its options checked before a run
	}

	@Override
	public ItemStreamReader<InputItem> open(InputSource source) {
		return new TextFolderItemReader(source.path(), List.of(PdfFile.of(source, DocumentOptions.of(source, OPTIONS))));
	}

}
