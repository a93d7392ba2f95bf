package dev.dmrbatch.export;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
import dev.dmrbatch.check.CheckTotals;
import dev.dmrbatch.check.Verdict;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.ConversationStore.Histogram;
import dev.dmrbatch.conversation.ConversationStore.Measure;
import freemarker.template.Template;

/**
 * {@code report.html}: one self-contained page to look at a run: its facts, charts of latency, tokens and progress
 * (inline SVG), the failures, the checks' pass rates per check and per model, and every item's conversation with
 * answers rendered from Markdown and its checks' verdicts, with a search box, a status filter and a filter for the
 * items that failed a check. Written through the {@code report.ftlh} template's {@code header}, {@code item} and
 * {@code footer} macros: items stream through as they come, one call each, and the charts and the first failures
 * are asked of the store first, so nothing grows with the run. A Content-Security-Policy forbids every network
 * request when it is opened: an answer that links an image shows the link, never loads it, and answers' HTML is
 * shown as text.
 */
final class HtmlReportExporter implements Exporter {

	static final String FILE = "report.html";

	/** Failures listed in their own table at the top; all of them are among the items, under the status filter. */
	static final int FAILURES_LISTED = 1000;

	static final int BINS = 24;

	static final int PROGRESS_POINTS = 240;

	private static final String PAGE = "report.ftlh";

	private final BufferedWriter out;

	private final Parser markdown;

	private final HtmlRenderer html;

	private final Template item = HtmlPages.macro(PAGE, "item", "item");

	/** The conversations of the item being read, one per model: written together, side by side. */
	private final List<Conversation> conversations = new ArrayList<>();

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
		Map<String, Object> page = new HashMap<>();
		page.put("nonce", this.nonce);
		page.put("title", run.name());
		Map<String, String> shown = facts(facts);
		ConversationStore.CallTotals calls = store.callTotals(id);
		if (calls.reused() > 0) {
			shown.put("reused", calls.reused() + " of " + (calls.reused() + calls.sent())
					+ " calls answered from the response cache (tokens " + calls.reusedPromptTokens() + " in, "
					+ calls.reusedCompletionTokens() + " out)");
		}
		page.put("facts", shown);
		page.put("latency", histogram(store.histogram(id, Measure.LATENCY_MS, BINS)));
		page.put("tokens", histogram(store.histogram(id, Measure.COMPLETION_TOKENS, BINS)));
		page.put("progress", progress(run.run().createdAt().toEpochMilli(), store.progress(id)));
		page.put("items", run.totals().conversations());
		failures(page, store, id, run.totals().failed());
		checks(page, run);
		HtmlPages.render(HtmlPages.macro(PAGE, "header", "page"), Map.of("page", page), this.out);
	}

	@Override
	public void write(Conversation conversation) throws IOException {
		if (!this.conversations.isEmpty() && this.conversations.get(0).itemSeq() != conversation.itemSeq()) {
			flushItem();
		}
		this.conversations.add(conversation);
	}

	@Override
	public void finish() throws IOException {
		flushItem();
		HtmlPages.render(HtmlPages.macro(PAGE, "footer", "page"),
				Map.of("page", Map.of("items", this.items, "nonce", this.nonce)), this.out);
	}

	@Override
	public void close() throws IOException {
		this.out.close();
	}

	/** The run's facts as the header lists them, each a line of text. */
	private static Map<String, String> facts(Map<String, Object> facts) {
		Map<String, String> shown = new LinkedHashMap<>();
		shown.put("job", String.valueOf(facts.get("job")));
		shown.put("run", facts.get("run") + ((facts.get("run").equals(String.valueOf(facts.get("id")))) ? ""
				: " (id " + facts.get("id") + ")"));
		shown.put("input", String.valueOf(facts.get("input")));
		if (facts.get("model") instanceof Map<?, ?> model) {
			shown.put("model", String.valueOf(model.get("name")));
			List<String> settings = new ArrayList<>();
			model.forEach((key, value) -> {
				if (!"name".equals(key) && value != null) {
					settings.add(key + " " + value);
				}
			});
			shown.put("settings", String.join(", ", settings));
		}
		shown.put("started", String.valueOf(facts.get("started")));
		shown.put("exported", String.valueOf(facts.get("finished")));
		shown.put("items", facts.get("items") + ": " + facts.get("ok") + " ok, " + facts.get("failed") + " failed");
		shown.put("tokens", facts.get("prompt_tokens") + " in, " + facts.get("completion_tokens") + " out");
		return shown;
	}

	private static Map<String, Object> histogram(Histogram h) {
		List<Long> counts = new ArrayList<>(h.counts().length);
		for (long count : h.counts()) {
			counts.add(count);
		}
		return Map.of("lo", h.lo(), "width", h.width(), "counts", counts, "total", h.total());
	}

	/**
	 * Items stored over time from the run's start, one point per commit, thinned to a few hundred points: each
	 * {@code [milliseconds since the start, items stored]}.
	 */
	private static List<List<Long>> progress(long start, List<long[]> commits) {
		List<long[]> points = new ArrayList<>(commits.size() + 1);
		points.add(new long[] { start, 0 });
		points.addAll(commits);
		int step = Math.max(1, (points.size() + PROGRESS_POINTS - 1) / PROGRESS_POINTS);
		List<List<Long>> thinned = new ArrayList<>();
		for (int i = 0; i < points.size(); i++) {
			if (i % step == 0 || i == points.size() - 1) {
				thinned.add(List.of(points.get(i)[0] - start, points.get(i)[1]));
			}
		}
		return thinned;
	}

	/** The first failures, for their own table; how many more there are is all that is kept of the rest. */
	private static void failures(Map<String, Object> page, ConversationStore store, long runId, long failed) {
		List<Map<String, Object>> listed = new ArrayList<>();
		long[] seen = { 0 };
		if (failed > 0) {
			store.forEachFailure(runId, (failure) -> {
				if (seen[0]++ < FAILURES_LISTED) {
					Map<String, Object> row = new HashMap<>();
					row.put("seq", failure.itemSeq());
					row.put("id", failure.itemId());
					row.put("model", failure.model());
					row.put("error", failure.error());
					listed.add(row);
				}
			});
		}
		page.put("failed", failed);
		page.put("failures", listed);
		page.put("more_failures", Math.max(0, seen[0] - FAILURES_LISTED));
	}

	/**
	 * The checks' pass rates: a row per check, a column for all models and, with several, one per model; each cell
	 * {@code passed/total (rate%)}.
	 */
	private static void checks(Map<String, Object> page, ExportRun run) {
		List<String> all = run.checksByModel().stream().map(CheckTotals::model).distinct().toList();
		List<String> models = (all.size() > 1) ? all : List.of();
		List<Map<String, Object>> rows = new ArrayList<>();
		for (CheckTotals check : run.checks()) {
			Map<String, Object> row = new HashMap<>();
			row.put("key", check.checkKey());
			row.put("all", rate(check));
			List<String> perModel = new ArrayList<>();
			for (String model : models) {
				perModel.add(run.checksByModel()
					.stream()
					.filter((c) -> c.checkKey().equals(check.checkKey()) && c.model().equals(model))
					.findFirst()
					.map(HtmlReportExporter::rate)
					.orElse("-"));
			}
			row.put("models", perModel);
			rows.add(row);
		}
		page.put("checks", rows);
		page.put("check_models", models);
	}

	private static String rate(CheckTotals check) {
		return String.format(java.util.Locale.ROOT, "%d/%d (%.1f%%)", check.passed(), check.total(),
				check.rate() * 100);
	}

	/** One item: a column per model, each with its conversation. */
	private void flushItem() throws IOException {
		if (this.conversations.isEmpty()) {
			return;
		}
		Conversation first = this.conversations.get(0);
		List<Map<String, Object>> columns = new ArrayList<>(this.conversations.size());
		for (Conversation c : this.conversations) {
			columns.add(conversation(c));
		}
		Map<String, Object> item = new HashMap<>();
		item.put("seq", first.itemSeq());
		item.put("id", first.itemId());
		item.put("status", this.conversations.stream().allMatch(Conversation::isOk) ? "ok" : "failed");
		item.put("conversations", columns);
		// the checks any of its models failed, for the filter (keys hold no blank)
		item.put("failed_checks", String.join(" ", this.conversations.stream()
			.flatMap((c) -> c.verdicts().stream())
			.filter((v) -> !v.pass())
			.map(Verdict::checkKey)
			.distinct()
			.toList()));
		HtmlPages.render(this.item, Map.of("item", item), this.out);
		this.items++;
		this.conversations.clear();
	}

	private Map<String, Object> conversation(Conversation c) {
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
				continue;
			}
			Map<String, Object> shown = new HashMap<>();
			shown.put("role", turn.role());
			shown.put("step", turn.step());
			if (turn.role().equals("assistant")) {
				shown.put("reasoning", turn.reasoning());
				// the only HTML the template inserts as it is: rendered from Markdown, then sanitized
				shown.put("answer", clean(this.html.render(this.markdown.parse(turn.content()))));
				shown.put("json", (turn.json() != null) ? prettyJson(turn.json()) : null);
				Conversation.Reuse from = reused.get(turn.step());
				if (from != null) {
					shown.put("reused", Map.of("run", from.run(), "item", from.item()));
				}
			}
			else {
				shown.put("content", turn.content());
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

	/** An image in an answer is shown as its text and address: the report never loads anything from anywhere. */
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
