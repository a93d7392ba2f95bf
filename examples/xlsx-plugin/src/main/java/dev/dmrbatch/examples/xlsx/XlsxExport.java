package dev.dmrbatch.examples.xlsx;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.dmrbatch.plugin.api.Export;
import dev.dmrbatch.plugin.api.ExportWriter;
import dev.dmrbatch.plugin.api.Options;
import dev.dmrbatch.plugin.api.PluginException;
import dev.dmrbatch.plugin.api.RunInfo;
import dev.dmrbatch.plugin.api.StoredConversation;
import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;

/**
 * {@code export: [xlsx]}: {@code results.xlsx}, one row per item and model: id, status, error, model, each step's
 * answer, the tokens. Options ({@code export-options: {xlsx: {...}}}): {@code sheet}, the sheet's name
 * ({@code results} by default). Rows are flushed as they are written, so memory stays flat.
 */
class XlsxExport implements Export {

	static final String FILE = "results.xlsx";

	/** Excel's limit on the text of one cell. */
	private static final int CELL_LIMIT = 32767;

	@Override
	public String name() {
		return "xlsx";
	}

	@Override
	public void check(Options options) {
		String sheet = options.text("sheet", "results");
		if (sheet.isBlank() || sheet.length() > 31 || sheet.matches(".*[\\[\\]:*?/\\\\].*")) {
			throw new PluginException("option sheet must be 1 to 31 characters without [ ] : * ? / \\");
		}
	}

	@Override
	public ExportWriter open(Path folder, RunInfo run, Options options) throws IOException {
		check(options);
		return new Writer(folder.resolve(FILE), run, options.text("sheet", "results"));
	}

	private static final class Writer implements ExportWriter {

		private final Path file;

		private final OutputStream out;

		private final Workbook workbook;

		private final Worksheet sheet;

		private final List<String> steps;

		private int row;

		Writer(Path file, RunInfo run, String sheetName) throws IOException {
			this.file = file;
			this.steps = run.steps();
			this.out = Files.newOutputStream(file);
			this.workbook = new Workbook(this.out, "dmr-batch", "1.0");
			this.sheet = this.workbook.newWorksheet(sheetName);
			int column = 0;
			for (String title : List.of("id", "status", "error", "model")) {
				this.sheet.value(0, column++, title);
			}
			for (String step : this.steps) {
				this.sheet.value(0, column++, step);
			}
			this.sheet.value(0, column++, "prompt_tokens");
			this.sheet.value(0, column, "completion_tokens");
			this.row = 1;
		}

		@Override
		public void write(StoredConversation conversation) throws IOException {
			int column = 0;
			this.sheet.value(this.row, column++, conversation.id());
			this.sheet.value(this.row, column++, conversation.ok() ? "ok" : "failed");
			text(column++, conversation.error());
			this.sheet.value(this.row, column++, conversation.model());
			for (String step : this.steps) {
				text(column++, conversation.answers().get(step));
			}
			this.sheet.value(this.row, column++, conversation.promptTokens());
			this.sheet.value(this.row, column, conversation.completionTokens());
			this.row++;
			if (this.row % 1000 == 0) {
				this.sheet.flush();
			}
		}

		private void text(int column, String value) {
			if (value != null) {
				this.sheet.value(this.row, column, (value.length() > CELL_LIMIT) ? value.substring(0, CELL_LIMIT) : value);
			}
		}

		@Override
		public List<Path> finish() throws IOException {
			this.sheet.finish();
			this.workbook.finish();
			return List.of(this.file);
		}

		@Override
		public void close() throws IOException {
			this.out.close();
		}

	}

}
