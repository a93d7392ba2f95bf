package dev.dmrbatch.input;

import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.plugin.Kind;

import org.jsoup.select.QueryParser;
import org.jsoup.select.Selector;

/**
 * The options of the formats that read documents ({@code pdf}, {@code html}, {@code files}), from the job file's
 * {@code input.options}, and what those formats share: their check and the schema of their options.
 *
 * @param perPage {@code per: page}: a PDF is one item a page rather than one a document
 * @param select {@code select: <css>}: a web page's text is that of the elements the selector picks, or {@code null}
 * for the whole page
 */
record DocumentOptions(boolean perPage, String select) {

	static final String PER = "per";

	static final String SELECT = "select";

	/** The schema of the options of a format that takes those keys. */
	static Map<String, Object> schema(List<String> keys) {
		Map<String, Object> properties = new LinkedHashMap<>();
		if (keys.contains(PER)) {
			properties.put(PER, Map.of("enum", List.of("document", "page"), "description",
					"a PDF is one item a document (default) or one a page, id <file>#<page>"));
		}
		if (keys.contains(SELECT)) {
			properties.put(SELECT, Map.of("type", "string", "minLength", 1, "description",
					"a CSS selector: a web page's text is that of the elements it selects"));
		}
		return Map.of("type", "object", "properties", properties, "additionalProperties", false);
	}

	/**
	 * The options a format that takes those keys is given.
	 * @throws InputException naming the option that is not one of them, or its value that is wrong
	 */
	static DocumentOptions of(InputSource source, List<String> keys) {
		for (String key : source.options().keys()) {
			if (!keys.contains(key)) {
				throw new InputException("input.options." + key + " is not an option of input format "
						+ source.format().name() + " (it takes " + Kind.sentence(keys, "and") + ")");
			}
		}
		String per = source.options().text(PER, "document");
		if (!per.equals("document") && !per.equals("page")) {
			throw new InputException("input.options.per '" + per + "' must be document or page");
		}
		Object select = source.options().get(SELECT);
		if (select != null) {
			if (!(select instanceof String css) || css.isBlank()) {
				throw new InputException("input.options.select must be a CSS selector, such as article");
			}
			try {
				QueryParser.parse(css);
			}
			catch (Selector.SelectorParseException ex) {
				throw new InputException("input.options.select '" + css + "' is not a CSS selector that jsoup reads");
			}
		}
		return new DocumentOptions(per.equals("page"), (String) select);
	}

	/**
	 * The check of a format that reads a folder ({@code text}, {@code images}, {@code files}): it exists, and is no
	 * file.
	 * @param what what the format reads, for the message: {@code a folder of .txt and .md files}
	 */
	static void checkFolder(InputSource source, String what) {
		if (!Files.isDirectory(source.path())) {
			throw new InputException("input folder " + source.display() + " does not exist"
					+ (Files.exists(source.path()) ? " (it is a file; format " + source.format().name() + " reads "
							+ what + ")" : ""));
		}
	}

	/**
	 * The check of a format that reads a file or a folder of them: it exists, and a file is readable.
	 * @param what what the format reads, for the message: {@code a .pdf file or a folder of them}
	 */
	static void checkFileOrFolder(InputSource source, String what) {
		if (!Files.exists(source.path())) {
			throw new InputException("input " + source.display() + " does not exist (format " + source.format().name()
					+ " reads " + what + ")");
		}
		if (!Files.isDirectory(source.path()) && !Files.isReadable(source.path())) {
			throw new InputException("input file " + source.display() + " cannot be read (permissions)");
		}
	}

}
