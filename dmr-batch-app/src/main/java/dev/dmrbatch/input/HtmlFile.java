package dev.dmrbatch.input;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.Elements;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/**
 * A web page, one item: its visible text ({@code ${text}}: what a browser shows, a line for each block, without
 * scripts, styles, templates, {@code noscript}, and elements {@code hidden}, {@code aria-hidden="true"} or styled
 * {@code display: none} inline), its {@code ${title}}, {@code ${file}} and {@code ${name}}; with a CSS selector, the
 * text of the elements it selects only. The encoding is the page's own (its byte order mark or {@code meta charset}),
 * else UTF-8.
 */
final class HtmlFile implements FileType {

	private static final Pattern DISPLAY_NONE = Pattern.compile("(^|;)\\s*display\\s*:\\s*none\\s*(!important\\s*)?(;|$)",
			Pattern.CASE_INSENSITIVE);

	private static final String INVISIBLE = "script, style, template, noscript, [hidden], [aria-hidden=true]";

	private final String select;

	/** @param select a CSS selector of the elements to read, or {@code null} for the whole page */
	HtmlFile(String select) {
		this.select = select;
	}

	@Override
	public List<String> extensions() {
		return List.of(".html", ".htm");
	}

	@Override
	public Items open(Path file, String name) throws IOException {
		Document page = Jsoup.parse(file.toFile(), null);
		String title = page.title();
		page.select(INVISIBLE).remove();
		for (Element element : page.select("[style]")) {
			if (DISPLAY_NONE.matcher(element.attr("style")).find()) {
				element.remove();
			}
		}
		Elements chosen = (this.select != null) ? page.select(this.select) : new Elements(page.body());
		if (this.select != null && chosen.isEmpty()) {
			return failed(name, "nothing in it matches the selector '" + this.select + "' (input.options.select)");
		}
		StringBuilder text = new StringBuilder();
		for (Element element : chosen) {
			if (!text.isEmpty()) {
				text.append("\n\n");
			}
			text.append(visibleText(element));
		}
		if (text.toString().isBlank()) {
			return failed(name, "no visible text");
		}
		Map<String, Object> fields = new LinkedHashMap<>();
		fields.put("text", text.toString());
		fields.put("title", title);
		fields.put("file", name);
		fields.put("name", FileType.base(name));
		return FileType.single(new InputItem(0, name, fields, null, false));
	}

	private static Items failed(String name, String why) {
		return FileType.single(new InputItem(0, name, Map.of(), name + ": " + why, false));
	}

	/** The text of an element as lines: one for each block, spaces collapsed as a browser does, {@code pre} as written. */
	static String visibleText(Element root) {
		StringBuilder out = new StringBuilder();
		NodeTraversor.traverse(new NodeVisitor() {

			@Override
			public void head(Node node, int depth) {
				if (node instanceof TextNode text) {
					if (inPre(text)) {
						out.append(text.getWholeText());
					}
					else {
						String collapsed = text.getWholeText().replaceAll("[ \\t\\n\\r\\f]+", " ");
						if (collapsed.startsWith(" ") && (out.isEmpty() || endsWithSpace(out))) {
							collapsed = collapsed.substring(1);
						}
						out.append(collapsed);
					}
				}
				else if (node instanceof Element element) {
					if (element.nameIs("br")) {
						trimLineEnd(out);
						out.append('\n');
					}
					else if (element.isBlock()) {
						newLine(out);
					}
				}
			}

			@Override
			public void tail(Node node, int depth) {
				if (node instanceof Element element && element.isBlock()) {
					newLine(out);
				}
				else if (node instanceof Element element && (element.nameIs("td") || element.nameIs("th"))) {
					if (!out.isEmpty() && !endsWithSpace(out)) {
						out.append(' ');
					}
				}
			}

		}, root);
		return out.toString().strip().replaceAll("\n{3,}", "\n\n");
	}

	private static boolean inPre(TextNode text) {
		for (Node parent = text.parent(); parent != null; parent = parent.parent()) {
			if (parent instanceof Element element && (element.nameIs("pre") || element.nameIs("textarea"))) {
				return true;
			}
		}
		return false;
	}

	private static boolean endsWithSpace(StringBuilder out) {
		char last = out.charAt(out.length() - 1);
		return last == ' ' || last == '\n';
	}

	private static void trimLineEnd(StringBuilder out) {
		while (!out.isEmpty() && out.charAt(out.length() - 1) == ' ') {
			out.setLength(out.length() - 1);
		}
	}

	private static void newLine(StringBuilder out) {
		trimLineEnd(out);
		if (!out.isEmpty() && out.charAt(out.length() - 1) != '\n') {
			out.append('\n');
		}
	}

}
