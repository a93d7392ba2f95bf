package dev.dmrbatch.export;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.ConversationStore.Histogram;
import dev.dmrbatch.conversation.ConversationStore.Measure;

/**
 * {@code report.html}: one self-contained page to look at a run: its facts, charts of latency, tokens and progress
 * (inline SVG, drawn here), the failures, and every item's conversation with answers rendered from Markdown, with a
 * search box and a status filter. Items stream through as they come; the charts and failures are asked of the store
 * first, so nothing grows with the run. A Content-Security-Policy forbids every network request when it is opened:
 * an answer that links an image shows the link, never loads it, and answers' HTML is shown as text.
 */
final class HtmlReportExporter implements Exporter {

	static final String FILE = "report.html";

	/** Failures listed in their own table at the top; all of them are among the items, under the status filter. */
	static final int FAILURES_LISTED = 1000;

	static final int BINS = 24;

	static final int PROGRESS_POINTS = 240;

	private final BufferedWriter out;

	private final Parser markdown;

	private final HtmlRenderer html;

	/** The conversations of the item being read, one per model: written together, side by side. */
	private final List<Conversation> item = new ArrayList<>();

	private long items;

	/** Only the report's own style and script may run: an answer that got past the escaping still could not. */
	private final String nonce = nonce();

	HtmlReportExporter(Path folder, ExportRun run, Map<String, Object> facts, ConversationStore store)
			throws IOException {
		MutableDataSet options = new MutableDataSet().set(HtmlRenderer.ESCAPE_HTML, true)
			.set(HtmlRenderer.SOFT_BREAK, "<br>\n")
			.set(HtmlRenderer.SUPPRESSED_LINKS, "(?i)\\s*(javascript|vbscript|data|file):.*");
		this.markdown = Parser.builder(options).build();
		this.html = HtmlRenderer.builder(options).nodeRendererFactory((o) -> new ImagesAsText()).build();
		this.out = Files.newBufferedWriter(folder.resolve(FILE), StandardCharsets.UTF_8);
		long id = run.run().id();
		head(run, facts);
		List<long[]> progress = new ArrayList<>();
		progress.add(new long[] { run.run().createdAt().toEpochMilli(), 0 });
		progress.addAll(store.progress(id));
		charts(store.histogram(id, Measure.LATENCY_MS, BINS), store.histogram(id, Measure.COMPLETION_TOKENS, BINS),
				progress, run.totals().conversations());
		failures(store, id, run.totals().failed());
		this.out.write("<section id=\"items\"><h2>Items</h2>\n<div class=\"controls\">"
				+ "<input id=\"search\" type=\"search\" placeholder=\"Search items\" aria-label=\"Search items\">"
				+ "<select id=\"status\" aria-label=\"Status\"><option value=\"\">all</option><option value=\"ok\">ok"
				+ "</option><option value=\"failed\">failed</option></select> <span id=\"shown\"></span></div>\n");
	}

	@Override
	public void write(Conversation conversation) throws IOException {
		if (!this.item.isEmpty() && this.item.get(0).itemSeq() != conversation.itemSeq()) {
			flushItem();
		}
		this.item.add(conversation);
	}

	@Override
	public void finish() throws IOException {
		flushItem();
		if (this.items == 0) {
			this.out.write("<p>No items were stored for this run.</p>\n");
		}
		this.out.write("</section>\n<script nonce=\"" + this.nonce + "\">\n");
		this.out.write(resource("report.js"));
		this.out.write("</script>\n</body>\n</html>\n");
	}

	@Override
	public void close() throws IOException {
		this.out.close();
	}

	private void head(ExportRun run, Map<String, Object> facts) throws IOException {
		String title = run.name();
		this.out.write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
				// nothing may be fetched: the page is read from disk, offline, and answers are untrusted text
				+ "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'nonce-" + this.nonce
				+ "'; script-src 'nonce-" + this.nonce + "'; img-src data:\">\n"
				+ "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>"
				+ esc(title) + " · dmr-batch report</title>\n<style nonce=\"" + this.nonce + "\">\n");
		this.out.write(resource("report.css"));
		this.out.write("</style>\n</head>\n<body>\n<header><h1>" + esc(title) + "</h1>\n<dl class=\"facts\">\n");
		fact("job", facts.get("job"));
		fact("run", facts.get("run") + ((facts.get("run").equals(String.valueOf(facts.get("id")))) ? ""
				: " (id " + facts.get("id") + ")"));
		fact("input", facts.get("input"));
		if (facts.get("model") instanceof Map<?, ?> model) {
			fact("model", model.get("name"));
			List<String> settings = new ArrayList<>();
			model.forEach((key, value) -> {
				if (!"name".equals(key) && value != null) {
					settings.add(key + " " + value);
				}
			});
			fact("settings", String.join(", ", settings));
		}
		fact("started", facts.get("started"));
		fact("exported", facts.get("finished"));
		fact("items", facts.get("items") + ": " + facts.get("ok") + " ok, " + facts.get("failed") + " failed");
		fact("tokens", facts.get("prompt_tokens") + " in, " + facts.get("completion_tokens") + " out");
		this.out.write("</dl></header>\n");
	}

	private void fact(String name, Object value) throws IOException {
		this.out.write("<dt>" + esc(name) + "</dt><dd data-fact=\"" + esc(name) + "\">" + esc(String.valueOf(value))
				+ "</dd>\n");
	}

	private void charts(Histogram latency, Histogram tokens, List<long[]> progress, long items) throws IOException {
		this.out.write("<section id=\"charts\">\n");
		histogram("latency-chart", "Latency per item (ms), answered items", latency);
		histogram("tokens-chart", "Completion tokens per item, answered items", tokens);
		progress(progress, items);
		this.out.write("</section>\n");
	}

	/** Bars, each with its range and count in data attributes and a tooltip. */
	private void histogram(String id, String title, Histogram h) throws IOException {
		int width = 360;
		int height = 160;
		int base = height - 24;
		long max = 1;
		for (long count : h.counts()) {
			max = Math.max(max, count);
		}
		StringBuilder svg = new StringBuilder();
		svg.append("<figure class=\"chart\" id=\"").append(id).append("\" data-total=\"").append(h.total()).append("\">")
			.append("<figcaption>").append(esc(title)).append("</figcaption>\n<svg viewBox=\"0 0 ").append(width)
			.append(' ').append(height).append("\" role=\"img\" aria-label=\"").append(esc(title)).append("\">\n");
		int n = h.counts().length;
		if (n == 0) {
			svg.append("<text x=\"10\" y=\"80\">no answered items</text>\n");
		}
		double barWidth = (n > 0) ? (width - 20.0) / n : 0;
		for (int i = 0; i < n; i++) {
			long lo = h.lo() + i * h.width();
			long hi = lo + h.width() - 1;
			double barHeight = (base - 16.0) * h.counts()[i] / max;
			svg.append(String.format(Locale.ROOT,
					"<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" data-lo=\"%d\" data-hi=\"%d\" "
							+ "data-count=\"%d\"><title>%d to %d: %d</title></rect>\n",
					10 + i * barWidth, base - barHeight, Math.max(1, barWidth - 1), barHeight, lo, hi, h.counts()[i],
					lo, hi, h.counts()[i]));
		}
		if (n > 0) {
			svg.append(String.format(Locale.ROOT,
					"<line class=\"axis\" x1=\"10\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
							+ "<text x=\"10\" y=\"%d\">%d</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">%d</text>"
							+ "<text x=\"10\" y=\"12\">max %d items</text>\n",
					base, width - 10, base, height - 6, h.lo(), width - 10, height - 6, h.lo() + n * h.width() - 1, max));
		}
		svg.append("</svg></figure>\n");
		this.out.write(svg.toString());
	}

	/** Items stored over time, one point per commit, thinned to a few hundred points. */
	private void progress(List<long[]> points, long items) throws IOException {
		int width = 360;
		int height = 160;
		int base = height - 24;
		String title = "Items stored over time";
		StringBuilder svg = new StringBuilder();
		svg.append("<figure class=\"chart\" id=\"progress-chart\" data-total=\"").append(items).append("\"><figcaption>")
			.append(title)
			.append("</figcaption>\n<svg viewBox=\"0 0 ")
			.append(width)
			.append(' ')
			.append(height)
			.append("\" role=\"img\" aria-label=\"")
			.append(title)
			.append("\">\n");
		if (points.size() < 2) {
			svg.append("<text x=\"10\" y=\"80\">no items stored</text>\n");
		}
		else {
			long t0 = points.get(0)[0];
			long span = Math.max(1, points.get(points.size() - 1)[0] - t0);
			long total = Math.max(1, points.get(points.size() - 1)[1]);
			int step = Math.max(1, (points.size() + PROGRESS_POINTS - 1) / PROGRESS_POINTS);
			StringBuilder line = new StringBuilder();
			StringBuilder dots = new StringBuilder();
			for (int i = 0; i < points.size(); i++) {
				if (i % step != 0 && i != points.size() - 1) {
					continue;
				}
				long[] p = points.get(i);
				double x = 10 + (width - 20.0) * (p[0] - t0) / span;
				double y = base - (base - 16.0) * p[1] / total;
				line.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
				dots.append(String.format(Locale.ROOT,
						"<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"2\" data-ms=\"%d\" data-items=\"%d\">"
								+ "<title>%.1f s: %d items</title></circle>\n",
						x, y, p[0] - t0, p[1], (p[0] - t0) / 1000.0, p[1]));
			}
			svg.append("<polyline class=\"line\" points=\"").append(line.toString().strip()).append("\"/>\n").append(dots);
			svg.append(String.format(Locale.ROOT,
					"<line class=\"axis\" x1=\"10\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/><text x=\"10\" y=\"%d\">0 s</text>"
							+ "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.1f s</text><text x=\"10\" y=\"12\">%d items</text>\n",
					base, width - 10, base, height - 6, width - 10, height - 6, span / 1000.0, total));
		}
		svg.append("</svg></figure>\n");
		this.out.write(svg.toString());
	}

	private void failures(ConversationStore store, long runId, long failed) throws IOException {
		this.out.write("<section id=\"failures\"><h2>Failures (" + failed + ")</h2>\n");
		if (failed == 0) {
			this.out.write("<p>None: every item was answered.</p></section>\n");
			return;
		}
		this.out.write("<table><thead><tr><th>record</th><th>id</th><th>model</th><th>why</th></tr></thead><tbody>\n");
		long[] listed = { 0 };
		store.forEachFailure(runId, (failure) -> {
			if (listed[0]++ < FAILURES_LISTED) {
				try {
					this.out.write("<tr class=\"failure\"><td><a href=\"#item-" + failure.itemSeq() + "\">"
							+ failure.itemSeq() + "</a></td><td>" + esc(failure.itemId()) + "</td><td>"
							+ esc(failure.model()) + "</td><td>" + esc(failure.error()) + "</td></tr>\n");
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}
		});
		this.out.write("</tbody></table>\n");
		if (listed[0] > FAILURES_LISTED) {
			this.out.write("<p>" + (listed[0] - FAILURES_LISTED)
					+ " more: choose <em>failed</em> under Items to see them all.</p>\n");
		}
		this.out.write("</section>\n");
	}

	/** One item: a column per model, each with its conversation. */
	private void flushItem() throws IOException {
		if (this.item.isEmpty()) {
			return;
		}
		Conversation first = this.item.get(0);
		boolean failed = this.item.stream().anyMatch((c) -> !c.isOk());
		StringBuilder html = new StringBuilder();
		html.append("<article class=\"item\" id=\"item-").append(first.itemSeq()).append("\" data-status=\"")
			.append(failed ? "failed" : "ok").append("\"><h3>").append(esc(first.itemId()))
			.append(" <small>record ").append(first.itemSeq()).append("</small></h3>\n<div class=\"models\">\n");
		for (Conversation c : this.item) {
			html.append("<div class=\"conversation ").append(c.isOk() ? "ok" : "failed").append("\" data-model=\"")
				.append(esc(c.model())).append("\"><p class=\"meta\"><span class=\"model\">").append(esc(c.model()))
				.append("</span> <span class=\"status\">").append(esc(c.status())).append("</span> ")
				.append(c.promptTokens()).append(" → ").append(c.completionTokens()).append(" tokens, ")
				.append(c.latencyMillis()).append(" ms")
				.append((c.runner() != null) ? " · <span class=\"runner\">" + esc(c.runner()) + "</span>" : "")
				.append("</p>\n");
			if (c.error() != null) {
				html.append("<p class=\"error\">").append(esc(c.error())).append("</p>\n");
			}
			for (Conversation.Turn turn : c.turns()) {
				html.append("<div class=\"turn ").append(esc(turn.role())).append("\"><div class=\"role\">")
					.append(esc(turn.role()));
				if (turn.step() != null) {
					html.append(" · ").append(esc(turn.step()));
				}
				html.append("</div>");
				if (turn.role().equals("assistant")) {
					if (turn.reasoning() != null) {
						// the model's thinking, folded away: it is not the answer but people want to see why
						html.append("<details class=\"reasoning\"><summary>reasoning</summary><pre>")
							.append(esc(turn.reasoning())).append("</pre></details>");
					}
					html.append("<div class=\"answer\">").append(clean(this.html.render(this.markdown.parse(turn.content()))))
						.append("</div>");
					if (turn.json() != null) {
						html.append("<pre class=\"json\">").append(esc(prettyJson(turn.json()))).append("</pre>");
					}
				}
				else {
					html.append("<pre>").append(esc(turn.content())).append("</pre>");
				}
				html.append("</div>\n");
			}
			html.append("</div>\n");
		}
		html.append("</div></article>\n");
		this.out.write(html.toString());
		this.items++;
		this.item.clear();
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

	/** Random bytes from the ordinary generator: generateSeed would wait on the system's entropy source. */
	private static String nonce() {
		byte[] bytes = new byte[16];
		new java.security.SecureRandom().nextBytes(bytes);
		return java.util.HexFormat.of().formatHex(bytes);
	}

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

	static String esc(String text) {
		if (text == null) {
			return "";
		}
		StringBuilder escaped = new StringBuilder(text.length() + 16);
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			switch (c) {
				case '&' -> escaped.append("&amp;");
				case '<' -> escaped.append("&lt;");
				case '>' -> escaped.append("&gt;");
				case '"' -> escaped.append("&quot;");
				case '\'' -> escaped.append("&#39;");
				default -> escaped.append(c);
			}
		}
		return escaped.toString();
	}

	private static String resource(String name) {
		try (InputStream in = HtmlReportExporter.class.getClassLoader()
			.getResourceAsStream("dmr-templates/report/" + name)) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** An image in an answer is shown as its text and address: the report never loads anything from anywhere. */
	private static final class ImagesAsText implements NodeRenderer {

		@Override
		public java.util.Set<NodeRenderingHandler<?>> getNodeRenderingHandlers() {
			return java.util.Set.of(new NodeRenderingHandler<>(Image.class, (node, context, html) -> {
				html.raw("<span class=\"image\">[image: " + esc(node.getText().toString()) + "] "
						+ esc(node.getUrl().toString()) + "</span>");
			}), new NodeRenderingHandler<>(ImageRef.class, (node, context, html) -> html
				.raw("<span class=\"image\">[image: " + esc(node.getText().toString()) + "]</span>")));
		}

	}

}
