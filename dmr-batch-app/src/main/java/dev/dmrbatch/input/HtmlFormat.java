package dev.dmrbatch.input;

import java.util.List;
import java.util.Map;

import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code html}: a web page or a folder of them ({@code .html}, {@code .htm}), one item a page, its visible text
 * ({@link HtmlFile}), read by {@link TextFolderItemReader}.
 */
@Component
@Order(60)
final class HtmlFormat implements FolderFormat {

	private static final List<String> OPTIONS = List.of(DocumentOptions.SELECT);

	@Override
	public String name() {
		return "html";
	}

	@Override
	public List<String> extensions() {
		return List.of(".html", ".htm");
	}

	@Override
	public Map<String, Object> optionsSchema() {
		return DocumentOptions.schema(OPTIONS);
	}

	@Override
	public void check(InputSource source) {
		DocumentOptions.checkFileOrFolder(source, "an .html file or a folder of them");
		DocumentOptions.of(source, OPTIONS);
	}

	@Override
	public ItemStreamReader<InputItem> open(InputSource source) {
		return new TextFolderItemReader(source.path(), List.of(new HtmlFile(DocumentOptions.of(source, OPTIONS).select())));
	}

}
