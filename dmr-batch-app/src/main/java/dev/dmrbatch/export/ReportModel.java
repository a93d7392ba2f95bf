package dev.dmrbatch.export;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.vladsch.flexmark.ast.Image;
import com.vladsch.flexmark.ast.ImageRef;
import com.vladsch.flexmark.html.HtmlRenderer;
import com.vladsch.flexmark.html.renderer.NodeRenderer;
import com.vladsch.flexmark.html.renderer.NodeRenderingHandler;
import com.vladsch.flexmark.parser.Parser;
import com.vladsch.flexmark.util.data.MutableDataSet;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.safety.Safelist;
import dev.dmrbatch.conversation.Verdict;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.text.SafeText;

/**
 * What the macros of {@code report.ftlh} are given: an item with its conversations (answers rendered from Markdown
 * and sanitized). {@code report.html} and the web app's pages build their models here, so an answer is rendered and
 * sanitized the same way wherever it is shown; the charts' data is {@link RunCharts}'.
 */
public final class ReportModel {

	private final Parser markdown;

	private final HtmlRenderer html;

	public ReportModel() {
		MutableDataSet options = new MutableDataSet().set(HtmlRenderer.ESCAPE_HTML, true)
			.set(HtmlRenderer.SOFT_BREAK, "<br>\n")
			.set(HtmlRenderer.SUPPRESSED_LINKS, "(?i)\\s*(javascript|vbscript|data|file):.*");
		this.markdown = Parser.builder(options).build();
		this.html = HtmlRenderer.builder(options).nodeRendererFactory((o) -> new ImagesAsText()).build();
	}

	/**
	 * Markdown as sanitized HTML: the only HTML the pages insert as it is. Control characters are made visible first
	 * ({@link SafeText#document}), as Markdown would turn a NUL into U+FFFD.
	 */
	public String markdown(String text) {
		return clean(this.html.render(this.markdown.parse(SafeText.document((text != null) ? text : ""))));
	}

	/** One item for the {@code item} macro: a column per model, each with its conversation. */
	public Map<String, Object> item(List<Conversation> conversations) {
		return item(conversations, (reference) -> null);
	}

	/**
	 * One item for the {@code item} macro, each image a turn sent shown with the thumbnail the function makes of its
	 * stored reference (a {@code data:} URL), or its reference alone when that gives {@code null}.
	 */
	public Map<String, Object> item(List<Conversation> conversations,
			java.util.function.Function<tools.jackson.databind.JsonNode, String> thumbnails) {
		Conversation first = conversations.get(0);
		List<Map<String, Object>> columns = new ArrayList<>(conversations.size());
		for (Conversation c : conversations) {
			columns.add(conversation(c, thumbnails));
		}
		Map<String, Object> item = new HashMap<>();
		item.put("seq", first.itemSeq());
		item.put("id", first.itemId());
		item.put("status", conversations.stream().allMatch(Conversation::isOk) ? "ok" : "failed");
		item.put("conversations", columns);
		// the checks any of its models failed, for the filter (keys hold no blank)
		item.put("failed_checks", String.join(" ", conversations.stream()
			.flatMap((c) -> c.verdicts().stream())
			.filter((v) -> !v.pass())
			.map(Verdict::checkKey)
			.distinct()
			.toList()));
		return item;
	}

	private Map<String, Object> conversation(Conversation c,
			java.util.function.Function<tools.jackson.databind.JsonNode, String> thumbnails) {
		Map<String, Object> data = new HashMap<>();
		data.put("model", c.model());
		data.put("ok", c.isOk());
		data.put("status", c.status());
		data.put("prompt_tokens", c.promptTokens());
		data.put("completion_tokens", c.completionTokens());
		data.put("latency_ms", c.latencyMillis());
		data.put("runner", c.runner());
		data.put("error", c.error());
		List<Map<String, Object>> turns = new ArrayList<>(c.turns().size());
		Map<String, Conversation.Reuse> reused = new HashMap<>();
		for (Conversation.Call call : c.calls()) {
			if (call.isReused()) {
				reused.put(call.step(), call.reusedFrom());
			}
		}
		for (Conversation.Turn turn : c.turns()) {
			if (!turn.isMessage()) {
				continue; // a plugin step's output: the step's answer, never a message of the conversation
			}
			Map<String, Object> shown = new HashMap<>();
			shown.put("role", turn.role());
			shown.put("step", turn.step());
			if (turn.role().equals("assistant")) {
				shown.put("reasoning", turn.reasoning());
				shown.put("answer", markdown(turn.content()));
				shown.put("json", (turn.json() != null) ? prettyJson(turn.json()) : null);
				Conversation.Reuse from = reused.get(turn.step());
				if (from != null) {
					shown.put("reused", Map.of("run", from.run(), "item", from.item()));
				}
			}
			else {
				shown.put("content", turn.content());
				if (turn.images() != null) {
					shown.put("images", images(turn.images(), thumbnails));
				}
			}
			turns.add(shown);
		}
		data.put("turns", turns);
		List<Map<String, Object>> checks = new ArrayList<>(c.verdicts().size());
		for (Verdict verdict : c.verdicts()) {
			checks.add(Map.of("key", verdict.checkKey(), "pass", verdict.pass(), "reason",
					(verdict.reason() != null) ? verdict.reason() : ""));
		}
		data.put("checks", checks);
		return data;
	}

	/**
	 * The images a user turn sent, one line each ({@code line}): the file (and a PDF's page), its size, its sides (and
	 * as sent), its SHA-256; with its {@code thumbnail} when there is one.
	 */
	private static List<Map<String, Object>> images(String json,
			java.util.function.Function<tools.jackson.databind.JsonNode, String> thumbnails) {
		List<Map<String, Object>> lines = new ArrayList<>();
		for (tools.jackson.databind.JsonNode image : PRETTY.readTree(json)) {
			Map<String, Object> shown = new HashMap<>();
			shown.put("file", image.path("file").asString());
			shown.put("line", image.path("file").asString()
					+ (image.has("page") ? " page " + image.path("page").asInt() : "") + " · "
					+ image.path("bytes").asLong() + " bytes · "
					+ image.path("width").asInt() + "×" + image.path("height").asInt()
					+ (image.has("sent") ? " (sent " + image.path("sent").asString() + ")" : "") + " · sha256 "
					+ image.path("sha256").asString());
			String thumbnail = thumbnails.apply(image);
			if (thumbnail != null) {
				shown.put("thumbnail", thumbnail);
			}
			lines.add(shown);
		}
		return lines;
	}

	/** The parsed answer of a JSON step, indented; kept as stored if it is somehow not JSON. */
	private static String prettyJson(String json) {
		try {
			return PRETTY.writeValueAsString(PRETTY.readTree(json));
		}
		catch (tools.jackson.core.JacksonException ex) {
			return json;
		}
	}

	private static final tools.jackson.databind.json.JsonMapper PRETTY = tools.jackson.databind.json.JsonMapper
		.builder()
		.enable(tools.jackson.databind.SerializationFeature.INDENT_OUTPUT)
		.build();

	/**
	 * The rendered answer as a browser will read it, keeping only what Markdown makes (no image, no form, no
	 * attribute but a link's address and title, a list's start, a code block's language) and links whose scheme,
	 * once entities are decoded and tabs, line breaks and blanks dropped, is http, https or mailto, or relative ones.
	 * The Markdown renderer escapes raw HTML and suppresses some links already; this is what does not depend on how
	 * a link was spelled.
	 */
	static String clean(String html) {
		return Jsoup.clean(html, LINK_BASE, ANSWER, ANSWER_OUTPUT);
	}

	/** Resolves relative links while they are checked; they are kept as written. */
	private static final String LINK_BASE = "http://report.invalid/";

	private static final Safelist ANSWER = new Safelist()
		.addTags("a", "p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "h1", "h2", "h3",
				"h4", "h5", "h6", "del", "span", "table", "thead", "tbody", "tr", "th", "td")
		.addAttributes("a", "href", "title")
		.addAttributes("ol", "start")
		.addAttributes("code", "class")
		.addAttributes("span", "class")
		.addProtocols("a", "href", "http", "https", "mailto")
		.preserveRelativeLinks(true);

	private static final Document.OutputSettings ANSWER_OUTPUT = new Document.OutputSettings().prettyPrint(false);

	/** An image in an answer is shown as its text and address: nothing is ever loaded from anywhere. */
	private static final class ImagesAsText implements NodeRenderer {

		@Override
		public java.util.Set<NodeRenderingHandler<?>> getNodeRenderingHandlers() {
			return java.util.Set.of(new NodeRenderingHandler<>(Image.class, (node, context, html) -> {
				html.raw("<span class=\"image\">");
				html.text("[image: " + node.getText() + "] " + node.getUrl());
				html.raw("</span>");
			}), new NodeRenderingHandler<>(ImageRef.class, (node, context, html) -> {
				html.raw("<span class=\"image\">");
				html.text("[image: " + node.getText() + "]");
				html.raw("</span>");
			}));
		}

	}

}
