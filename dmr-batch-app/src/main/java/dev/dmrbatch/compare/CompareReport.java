package dev.dmrbatch.compare;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.dmrbatch.conversation.StoreFolder;
import dev.dmrbatch.export.HtmlPages;
import dev.dmrbatch.text.SafeText;

/**
 * {@code compare.md} and {@code compare.html}: each side's facts, settings and prompts, the pass rates per check,
 * then the listed items with their answers side by side: flipped verdicts (pass to fail first, then fail to pass,
 * up to {@value Tally#FLIPS_LISTED} each), the answers that changed most (up to {@value Tally#CHANGED_LISTED}) and
 * items some sides lack (up to {@value Tally#ONLY_LISTED}). Only what the tally kept is shown, so both stay small
 * whatever the size of the runs; {@code compare.json} holds every item.
 */
final class CompareReport {

	static final String MARKDOWN = "compare.md";

	static final String HTML = "compare.html";

	private static final String PAGE = "compare.ftlh";

	private final List<Map<String, Object>> runs;

	private final List<Map<String, Object>> templates;

	private final Tally tally;

	CompareReport(List<Map<String, Object>> runs, List<Map<String, Object>> templates, Tally tally) {
		this.runs = runs;
		this.templates = templates;
		this.tally = tally;
	}

	private String title() {
		return "compare " + String.join(" vs ", this.tally.labels());
	}

	/** The settings by name, a column per side; those that differ first marked. */
	private List<Map<String, Object>> settingsRows() {
		Set<String> names = new LinkedHashSet<>();
		this.runs.forEach((run) -> names.addAll(settings(run).keySet()));
		List<Map<String, Object>> rows = new ArrayList<>();
		for (String name : names) {
			List<String> values = this.runs.stream().map((run) -> String.valueOf(settings(run).get(name))).toList();
			Map<String, Object> row = new LinkedHashMap<>();
			row.put("name", name);
			row.put("values", values);
			row.put("differs", values.stream().distinct().count() > 1);
			rows.add(row);
		}
		return rows;
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> settings(Map<String, Object> run) {
		return (Map<String, Object>) run.get("settings");
	}

	/** A side's figures in one line. */
	private static String figures(Map<String, Object> run) {
		Map<?, ?> latency = (Map<?, ?>) run.get("latency_ms");
		return run.get("items") + " items, " + run.get("ok") + " ok, " + run.get("failed") + " failed; tokens "
				+ run.get("prompt_tokens") + " in, " + run.get("completion_tokens") + " out; latency p50 "
				+ ms(latency.get("p50")) + ", p90 " + ms(latency.get("p90"));
	}

	private static String ms(Object millis) {
		return (millis == null) ? "-" : millis + " ms";
	}

	/** Per check: a rate per side and its change against the first side, and the flips. */
	private List<Map<String, Object>> checkRows() {
		List<Map<String, Object>> rows = new ArrayList<>();
		String first = this.tally.labels().get(0);
		for (String check : this.tally.checkNames()) {
			List<String> cells = new ArrayList<>();
			Double base = this.tally.rate(check, first);
			for (String label : this.tally.labels()) {
				long[] counts = this.tally.counts(check, label);
				if (counts == null) {
					cells.add("-");
					continue;
				}
				double rate = (double) counts[0] / counts[1];
				cells.add(String.format(Locale.ROOT, "%d/%d (%.1f%%)", counts[0], counts[1], 100 * rate)
						+ ((label.equals(first) || base == null) ? ""
								: String.format(Locale.ROOT, " %+.1f", 100 * (rate - base))));
			}
			Map<String, Object> row = new LinkedHashMap<>();
			row.put("check", check);
			row.put("cells", cells);
			row.put("down", this.tally.flips(check, true));
			row.put("up", this.tally.flips(check, false));
			rows.add(row);
		}
		return rows;
	}

	/** An item as the side-by-side lists show it. */
	private Map<String, Object> shown(ComparedItem item) {
		Map<String, Object> data = new HashMap<>();
		data.put("id", item.id());
		data.put("position", item.position());
		List<String> distances = new ArrayList<>();
		item.distances().forEach((label, d) -> distances.add(String.format(Locale.ROOT, "%s %.3f", label, d)));
		data.put("distances", String.join(", ", distances));
		data.put("flips",
				item.flips().stream().map((f) -> f.check() + " " + f.direction() + " in " + f.label()).toList());
		List<Map<String, Object>> columns = new ArrayList<>();
		for (String label : this.tally.labels()) {
			ComparedItem.Entry entry = item.sides().get(label);
			Map<String, Object> column = new HashMap<>();
			column.put("label", label);
			column.put("present", entry != null);
			if (entry != null) {
				column.put("status", entry.status());
				column.put("ok", entry.isOk());
				column.put("error", entry.error());
				column.put("answer", entry.answer());
				List<Map<String, Object>> checks = new ArrayList<>();
				entry.checks().forEach((name, verdict) -> {
					Map<String, Object> check = new HashMap<>();
					check.put("name", name);
					check.put("pass", verdict.pass());
					check.put("reason", verdict.reason());
					checks.add(check);
				});
				column.put("checks", checks);
			}
			columns.add(column);
		}
		data.put("columns", columns);
		return data;
	}

	private Map<String, Object> page() {
		Map<String, Object> page = new HashMap<>();
		page.put("title", title());
		page.put("measure", Tally.MEASURE);
		page.put("labels", this.tally.labels());
		List<Map<String, Object>> runs = new ArrayList<>();
		for (Map<String, Object> run : this.runs) {
			Map<String, Object> shown = new HashMap<>(run);
			shown.put("figures", figures(run));
			shown.put("run", (run.get("run") != null) ? run.get("run") + " (id " + run.get("id") + ")"
					: String.valueOf(run.get("id")));
			runs.add(shown);
		}
		page.put("runs", runs);
		page.put("settings", settingsRows());
		page.put("templates", this.templates);
		page.put("checks", checkRows());
		page.put("items", this.tally.items());
		page.put("only_items", this.tally.onlyItems());
		page.put("measured", this.tally.measured());
		page.put("changed_items", this.tally.changedItems());
		page.put("mean_distance", String.format(Locale.ROOT, "%.3f", this.tally.meanDistance()));
		page.put("down_items", this.tally.passToFailItems());
		page.put("up_items", this.tally.failToPassItems());
		page.put("down", this.tally.passToFail().stream().map(this::shown).toList());
		page.put("up", this.tally.failToPass().stream().map(this::shown).toList());
		page.put("changed", this.tally.mostChanged().stream().map(this::shown).toList());
		page.put("only", this.tally.only().stream().map(this::shown).toList());
		page.put("flips_listed", Tally.FLIPS_LISTED);
		page.put("changed_listed", Tally.CHANGED_LISTED);
		page.put("only_listed", Tally.ONLY_LISTED);
		return page;
	}

	void html(Path file) throws IOException {
		Map<String, Object> page = page();
		page.put("nonce", nonce());
		try (BufferedWriter out = Files.newBufferedWriter(StoreFolder.privateFile(file), StandardCharsets.UTF_8)) {
			HtmlPages.render(HtmlPages.macro(PAGE, "page", "page"), Map.of("page", page), out);
		}
	}

	/** Random bytes from the ordinary generator: generateSeed would wait on the system's entropy source. */
	private static String nonce() {
		byte[] bytes = new byte[16];
		new java.security.SecureRandom().nextBytes(bytes);
		return java.util.HexFormat.of().formatHex(bytes);
	}

	void markdown(Path file) throws IOException {
		try (BufferedWriter out = Files.newBufferedWriter(StoreFolder.privateFile(file), StandardCharsets.UTF_8)) {
			Markdown md = new Markdown(out);
			md.line("# " + cell(title()));
			md.line("");
			md.line("## Runs");
			md.line("");
			for (Map<String, Object> run : this.runs) {
				md.line("- **" + cell(String.valueOf(run.get("label"))) + "**: job "
						+ cell(String.valueOf(run.get("job")))
						+ ", run " + cell((run.get("run") != null) ? run.get("run") + " (id " + run.get("id") + ")"
								: String.valueOf(run.get("id")))
						+ ", model " + cell(String.valueOf(run.get("model"))) + ", input "
						+ cell(String.valueOf(run.get("input"))) + "; " + figures(run));
			}
			md.line("");
			List<Map<String, Object>> settings = settingsRows();
			if (!settings.isEmpty()) {
				md.line("| setting | " + String.join(" | ", labels()) + " |");
				md.line("|---|" + "---|".repeat(this.tally.labels().size()));
				for (Map<String, Object> row : settings) {
					@SuppressWarnings("unchecked")
					List<String> values = (List<String>) row.get("values");
					String differs = Boolean.TRUE.equals(row.get("differs")) ? " (differs)" : "";
					md.line("| " + cell((String) row.get("name")) + differs + " | "
							+ String.join(" | ", values.stream().map(CompareReport::cell).toList()) + " |");
				}
				md.line("");
			}
			md.line("## Prompts");
			md.line("");
			if (this.templates.isEmpty()) {
				md.line("The same prompts on every side (" + ((this.runs.stream().map((r) -> r.get("id")).distinct()
					.count() == 1) ? "one run" : "no template recorded") + ").");
			}
			for (Map<String, Object> template : this.templates) {
				md.line("- " + cell(String.valueOf(template.get("name"))) + " in "
						+ cell((String) template.get("label")) + " against " + cell((String) template.get("against"))
						+ ": " + template.get("status"));
				@SuppressWarnings("unchecked")
				List<String> diff = (List<String>) template.get("diff");
				if (!diff.isEmpty()) {
					md.fenced("diff", String.join("\n", diff));
				}
			}
			md.line("");
			md.line("## Checks");
			md.line("");
			if (this.tally.checkNames().isEmpty()) {
				md.line("No check verdicts are stored for these runs.");
			}
			else {
				md.line("| check | " + String.join(" | ", labels()) + " | pass→fail | fail→pass |");
				md.line("|---|" + "---|".repeat(this.tally.labels().size() + 2));
				for (Map<String, Object> row : checkRows()) {
					@SuppressWarnings("unchecked")
					List<String> cells = (List<String>) row.get("cells");
					md.line("| " + cell((String) row.get("check")) + " | " + String.join(" | ", cells) + " | "
							+ row.get("down") + " | " + row.get("up") + " |");
				}
				md.line("");
				md.line("Rates are passed/judged with the change in points against " + cell(this.tally.labels().get(0))
						+ ".");
			}
			md.line("");
			md.line("## Answers");
			md.line("");
			md.line(this.tally.items() + " items, " + this.tally.onlyItems() + " of them on some sides only; "
					+ this.tally.changedItems() + " of " + this.tally.measured() + " answered on both sides changed, "
					+ "mean distance " + String.format(Locale.ROOT, "%.3f", this.tally.meanDistance()) + ".");
			md.line("");
			md.line("Distance: " + Tally.MEASURE + ".");
			md.line("");
			section(md, "Flipped pass → fail", this.tally.passToFail(), this.tally.passToFailItems(),
					Tally.FLIPS_LISTED, false);
			section(md, "Flipped fail → pass", this.tally.failToPass(), this.tally.failToPassItems(),
					Tally.FLIPS_LISTED, false);
			section(md, "Answers changed most", this.tally.mostChanged(), this.tally.changedItems(),
					Tally.CHANGED_LISTED, true);
			section(md, "Items on some sides only", this.tally.only(), this.tally.onlyItems(), Tally.ONLY_LISTED,
					false);
		}
	}

	private void section(Markdown md, String title, List<ComparedItem> items, long total, int limit, boolean ranked)
			throws IOException {
		md.line("## " + title + " (" + total + ")");
		md.line("");
		if (total == 0) {
			md.line("None.");
			md.line("");
			return;
		}
		if (total > items.size()) {
			md.line((ranked ? "The " + items.size() + " most changed" : "The first " + items.size())
					+ " are listed (at most " + limit + "); compare.json has them all.");
			md.line("");
		}
		for (ComparedItem item : items) {
			Map<String, Object> shown = shown(item);
			md.line("### " + cell(item.id()));
			md.line("");
			if (!item.distances().isEmpty()) {
				md.line("Distance: " + shown.get("distances"));
			}
			@SuppressWarnings("unchecked")
			List<String> flips = (List<String>) shown.get("flips");
			if (!flips.isEmpty()) {
				md.line("Flipped: " + cell(String.join("; ", flips)));
			}
			md.line("");
			for (String label : this.tally.labels()) {
				ComparedItem.Entry entry = item.sides().get(label);
				if (entry == null) {
					md.line("**" + cell(label) + "**: not in this run");
					md.line("");
					continue;
				}
				List<String> verdicts = new ArrayList<>();
				entry.checks().forEach((check, verdict) -> verdicts.add(check + " " + (verdict.pass() ? "pass" : "fail")
						+ ((verdict.reason() != null) ? " (" + verdict.reason() + ")" : "")));
				md.line("**" + cell(label) + "** (" + entry.status()
						+ ((entry.error() != null) ? ": " + cell(entry.error()) : "") + ")"
						+ (verdicts.isEmpty() ? "" : " " + cell(String.join("; ", verdicts))));
				md.fenced("", entry.answer());
			}
		}
	}

	/** The sides' labels as Markdown cells. */
	private List<String> labels() {
		return this.tally.labels().stream().map(CompareReport::cell).toList();
	}

	/** Text on one line of Markdown: control characters escaped, line breaks as spaces, pipes escaped. */
	private static String cell(String text) {
		return SafeText.document(Objects.toString(text, "")).replace("\r", " ").replace("\n", " ").replace("|", "\\|");
	}

	/** Lines written straight to the file. */
	private record Markdown(Writer out) {

		void line(String line) throws IOException {
			this.out.write(line);
			this.out.write('\n');
		}

		/** A fenced block longer than any run of backticks in the text, so the text cannot close it. */
		void fenced(String language, String text) throws IOException {
			String safe = SafeText.document(Objects.toString(text, ""));
			int longest = 0;
			int run = 0;
			for (int i = 0; i < safe.length(); i++) {
				run = (safe.charAt(i) == '`') ? run + 1 : 0;
				longest = Math.max(longest, run);
			}
			String fence = "`".repeat(Math.max(3, longest + 1));
			line(fence + language);
			line(safe);
			line(fence);
			line("");
		}

	}

}
