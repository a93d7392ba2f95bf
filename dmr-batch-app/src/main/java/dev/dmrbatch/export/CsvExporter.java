package dev.dmrbatch.export;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.StoreFolder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code results.csv}: one row per item and model: id, status, error, model, one column per step's answer (and
 * after a JSON step's answer one column per top-level property of its schema, {@code <step>.<property>}), prompt
 * and completion tokens; with checks, one column per check ({@code check:<step>.<check>}: {@code pass}, {@code fail},
 * or empty where the step was not answered). RFC 4180: CRLF between records, fields with commas, quotes or line breaks quoted,
 * quotes doubled. UTF-8 with a byte order mark, which is what makes spreadsheets (Excel above all) read it as
 * UTF-8 rather than a local code page. A cell that a spreadsheet would take for a formula (it starts with {@code =},
 * {@code +}, {@code -}, {@code @}, a tab or a carriage return) is written quoted with a single quote in front, as
 * OWASP recommends against CSV injection; the JSON exports keep such values exact.
 */
final class CsvExporter implements Exporter {

	static final String FILE = "results.csv";

	private final BufferedWriter out;

	private static final JsonMapper JSON = JsonMapper.shared();

	private final List<String> steps;

	private final Map<String, List<String>> jsonColumns;

	private final List<String> checks;

	/** Whether the run asked each item several times: a {@code repeat} column then says which answer a row is. */
	private final boolean repeats;

	CsvExporter(Path folder, ExportRun run) throws IOException {
		this.repeats = run.repeats();
		this.out = Files.newBufferedWriter(StoreFolder.privateFile(folder.resolve(FILE)), StandardCharsets.UTF_8);
		this.steps = run.steps();
		this.jsonColumns = run.jsonColumns();
		this.out.write('\uFEFF');
		List<String> header = new ArrayList<>(List.of("id", "status", "error", "model"));
		if (this.repeats) {
			header.add("repeat");
		}
		for (String step : this.steps) {
			header.add(step);
			List<String> properties = this.jsonColumns.get(step);
			if (properties != null) {
				if (properties.isEmpty()) {
					header.add(step + ".json");
				}
				properties.forEach((property) -> header.add(step + "." + property));
			}
		}
		this.checks = run.checkKeys();
		// a column per check, named apart from the steps' JSON columns (<step>.<property>)
		this.checks.forEach((key) -> header.add("check:" + key));
		header.addAll(List.of("prompt_tokens", "completion_tokens", "runner"));
		row(header);
	}

	@Override
	public void write(Conversation c) throws IOException {
		Map<String, String> answers = ConversationData.answers(c);
		Map<String, Integer> dimensions = ConversationData.dimensions(c);
		List<String> cells = new ArrayList<>(List.of(c.itemId(), c.status(), (c.error() != null) ? c.error() : "",
				c.model()));
		if (this.repeats) {
			cells.add(String.valueOf(c.repetition()));
		}
		Map<String, String> json = ConversationData.json(c);
		for (String step : this.steps) {
			// an embed step's cell: its vector's dimension (the vectors are in embeddings.npy and the JSON exports)
			cells.add(answers.containsKey(step) ? answers.get(step)
					: (dimensions.containsKey(step) ? String.valueOf(dimensions.get(step)) : ""));
			List<String> properties = this.jsonColumns.get(step);
			if (properties == null) {
				continue;
			}
			if (properties.isEmpty()) {
				cells.add(json.getOrDefault(step, ""));
				continue;
			}
			JsonNode parsed = json.containsKey(step) ? JSON.readTree(json.get(step)) : null;
			for (String property : properties) {
				JsonNode value = (parsed != null) ? parsed.get(property) : null;
				cells.add((value == null || value.isNull()) ? ""
						: value.isValueNode() ? value.asString() : JSON.writeValueAsString(value));
			}
		}
		if (!this.checks.isEmpty()) {
			Map<String, Boolean> verdicts = new java.util.HashMap<>();
			c.verdicts().forEach((v) -> verdicts.put(v.checkKey(), v.pass()));
			for (String key : this.checks) {
				Boolean pass = verdicts.get(key);
				cells.add((pass == null) ? "" : pass ? "pass" : "fail");
			}
		}
		cells.add(String.valueOf(c.promptTokens()));
		cells.add(String.valueOf(c.completionTokens()));
		cells.add((c.runner() != null) ? c.runner() : "");
		row(cells);
	}

	private void row(List<String> cells) throws IOException {
		for (int i = 0; i < cells.size(); i++) {
			if (i > 0) {
				this.out.write(',');
			}
			this.out.write(cell(cells.get(i)));
		}
		this.out.write("\r\n");
	}

	/**
	 * One cell as written: a value that a spreadsheet would evaluate as a formula gets a leading single quote, which
	 * spreadsheets show as text, and is quoted; any other value is quoted only as RFC 4180 requires.
	 */
	static String cell(String value) {
		if (isFormula(value)) {
			return '"' + "'" + value.replace("\"", "\"\"") + '"';
		}
		return quote(value);
	}

	/** Whether a spreadsheet would evaluate the value: its first character, or its first after blanks, starts a formula. */
	private static boolean isFormula(String value) {
		if (value.isEmpty()) {
			return false;
		}
		if (value.charAt(0) == '\t' || value.charAt(0) == '\r') {
			return true;
		}
		String trimmed = value.stripLeading();
		return !trimmed.isEmpty() && "=+-@".indexOf(trimmed.charAt(0)) >= 0;
	}

	static String quote(String value) {
		boolean needsQuotes = value.indexOf(',') >= 0 || value.indexOf('"') >= 0 || value.indexOf('\n') >= 0
				|| value.indexOf('\r') >= 0 || (!value.isEmpty()
						&& (Character.isWhitespace(value.charAt(0)) || Character.isWhitespace(value.charAt(value.length() - 1))));
		return needsQuotes ? '"' + value.replace("\"", "\"\"") + '"' : value;
	}

	@Override
	public void close() throws IOException {
		this.out.close();
	}

	/** The export {@code csv}. */
	@Component
	@Order(50)
	static final class Format implements ExportKind {

		@Override
		public String name() {
			return "csv";
		}

		@Override
		public List<String> files() {
			return List.of(FILE);
		}

		@Override
		public Exporter open(ExportTarget target) throws IOException {
			return new CsvExporter(target.folder(), target.facts());
		}

	}

}
