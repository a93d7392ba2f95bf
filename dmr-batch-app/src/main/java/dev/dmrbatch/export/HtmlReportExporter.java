package dev.dmrbatch.export;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.check.CheckTotals;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.StoreFolder;
import dev.dmrbatch.text.SafeText;
import freemarker.template.Template;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

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

	private static final String PAGE = "report.ftlh";

	private final BufferedWriter out;

	private final ReportModel model = new ReportModel();

	private final Template item = HtmlPages.macro(PAGE, "item", "item");

	/** The conversations of the item being read, one per model: written together, side by side. */
	private final List<Conversation> conversations = new ArrayList<>();

	private long items;

	/** Only the report's own style and script may run: an answer that got past the escaping still could not. */
	private final String nonce = nonce();

	/** The folder the images' references name their files in, or {@code null}: no thumbnails. */
	private final Path imageFolder;

	HtmlReportExporter(Path folder, ExportRun run, Map<String, Object> facts, ConversationStore store)
			throws IOException {
		this(folder, run, facts, store, null);
	}

	HtmlReportExporter(Path folder, ExportRun run, Map<String, Object> facts, ConversationStore store,
			Path imageFolder) throws IOException {
		this.imageFolder = imageFolder;
		this.out = Files.newBufferedWriter(StoreFolder.privateFile(folder.resolve(FILE)), StandardCharsets.UTF_8);
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
		page.putAll(RunCharts.of(store, run.run()));
		page.put("items", run.totals().conversations());
		failures(page, store, id, run.totals().failed());
		checks(page, run);
		render(HtmlPages.macro(PAGE, "header", "page"), Map.of("page", page));
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
		render(HtmlPages.macro(PAGE, "footer", "page"), Map.of("page", Map.of("items", this.items, "nonce", this.nonce)));
	}

	/** A part of the page, its control characters shown as the other documents show them. */
	private void render(Template call, Map<String, ?> model) throws IOException {
		StringWriter part = new StringWriter();
		HtmlPages.render(call, model, part);
		this.out.write(SafeText.document(part.toString()));
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
	/**
	 * A thumbnail of an image a turn sent, from its file in the run's image folder (never out of it) while it is there
	 * and unchanged, embedded as a {@code data:} URL; {@code null} for the reference alone.
	 */
	private String thumbnail(tools.jackson.databind.JsonNode reference) {
		if (this.imageFolder == null || !reference.path("file").isString()) {
			return null;
		}
		String name = reference.path("file").asString();
		Path file;
		try {
			file = this.imageFolder.resolve(name);
		}
		catch (java.nio.file.InvalidPathException ex) {
			return null;
		}
		if (!dev.dmrbatch.input.InputReaders.isInside(this.imageFolder, file)) {
			return null;
		}
		return dev.dmrbatch.input.ImageFiles.thumbnail(file, name,
				reference.has("page") ? Integer.valueOf(reference.path("page").asInt()) : null,
				reference.path("sha256").asString());
	}

	private void flushItem() throws IOException {
		if (this.conversations.isEmpty()) {
			return;
		}
		render(this.item, Map.of("item", this.model.item(this.conversations, this::thumbnail)));
		this.items++;
		this.conversations.clear();
	}

	/** Random bytes from the ordinary generator: generateSeed would wait on the system's entropy source. */
	private static String nonce() {
		byte[] bytes = new byte[16];
		new java.security.SecureRandom().nextBytes(bytes);
		return java.util.HexFormat.of().formatHex(bytes);
	}

	/** The export {@code html}. */
	@Component
	@Order(70)
	static final class Format implements ExportKind {

		@Override
		public String name() {
			return "html";
		}

		@Override
		public List<String> files() {
			return List.of(FILE);
		}

		@Override
		public Exporter open(ExportTarget target) throws IOException {
			return new HtmlReportExporter(target.folder(), target.facts(), target.factsData(), target.store(),
					target.imageFolder());
		}

	}

}
