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

/**
 * {@code results.csv}: one row per item and model: id, status, error, model, one column per step's answer,
 * prompt and completion tokens. RFC 4180: CRLF between records, fields with commas, quotes or line breaks quoted,
 * quotes doubled. UTF-8 with a byte order mark, which is what makes spreadsheets (Excel above all) read it as
 * UTF-8 rather than a local code page.
 */
final class CsvExporter implements Exporter {

	static final String FILE = "results.csv";

	private final BufferedWriter out;

	private final List<String> steps;

	CsvExporter(Path folder, ExportRun run) throws IOException {
		this.out = Files.newBufferedWriter(folder.resolve(FILE), StandardCharsets.UTF_8);
		this.steps = run.steps();
		this.out.write('\uFEFF');
		List<String> header = new ArrayList<>(List.of("id", "status", "error", "model"));
		header.addAll(this.steps);
		header.addAll(List.of("prompt_tokens", "completion_tokens"));
		row(header);
	}

	@Override
	public void write(Conversation c) throws IOException {
		Map<String, String> answers = ConversationData.answers(c);
		List<String> cells = new ArrayList<>(List.of(c.itemId(), c.status(), (c.error() != null) ? c.error() : "",
				c.model()));
		for (String step : this.steps) {
			cells.add(answers.getOrDefault(step, ""));
		}
		cells.add(String.valueOf(c.promptTokens()));
		cells.add(String.valueOf(c.completionTokens()));
		row(cells);
	}

	private void row(List<String> cells) throws IOException {
		for (int i = 0; i < cells.size(); i++) {
			if (i > 0) {
				this.out.write(',');
			}
			this.out.write(quote(cells.get(i)));
		}
		this.out.write("\r\n");
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

}
