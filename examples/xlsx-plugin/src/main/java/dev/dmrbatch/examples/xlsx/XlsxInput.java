package dev.dmrbatch.examples.xlsx;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.dmrbatch.plugin.api.InputFormat;
import dev.dmrbatch.plugin.api.Options;
import dev.dmrbatch.plugin.api.PluginException;
import dev.dmrbatch.plugin.api.RecordReader;
import org.dhatim.fastexcel.reader.Cell;
import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.dhatim.fastexcel.reader.Row;
import org.dhatim.fastexcel.reader.Sheet;

/**
 * {@code input.format: xlsx}: the rows of one sheet of a workbook, the first row naming the fields. Options:
 * {@code sheet} (its name; the first sheet by default). Rows are streamed; the position is the number of data rows
 * read, so a resumed run reads past them and goes on with the next.
 */
class XlsxInput implements InputFormat {

	@Override
	public String name() {
		return "xlsx";
	}

	@Override
	public void check(Path source, Options options) {
		if (!Files.isRegularFile(source)) {
			throw new PluginException("input " + source.getFileName() + " is not a file (format xlsx reads a workbook)");
		}
		try (Reader reader = new Reader(source, options)) {
			if (reader.header.isEmpty()) {
				throw new PluginException("input " + source.getFileName() + " has no header row naming the fields");
			}
		}
		catch (IOException ex) {
			throw new PluginException("input " + source.getFileName() + " is not an xlsx workbook", ex);
		}
	}

	@Override
	public RecordReader open(Path source, Options options, long position) throws IOException {
		Reader reader = new Reader(source, options);
		for (long skipped = 0; skipped < position && reader.rows.hasNext(); skipped++) {
			reader.rows.next();
			reader.read++;
		}
		return reader;
	}

	private static final class Reader implements RecordReader {

		private final ReadableWorkbook workbook;

		private final Stream<Row> stream;

		private final Iterator<Row> rows;

		private final List<String> header = new ArrayList<>();

		private long read;

		Reader(Path source, Options options) throws IOException {
			this.workbook = new ReadableWorkbook(source.toFile());
			try {
				String name = options.text("sheet", null);
				Sheet sheet = (name != null) ? this.workbook.findSheet(name)
					.orElseThrow(() -> new PluginException("input " + source.getFileName() + " has no sheet '" + name
							+ "' (option sheet)"))
						: this.workbook.getFirstSheet();
				this.stream = sheet.openStream();
				this.rows = this.stream.iterator();
				if (this.rows.hasNext()) {
					for (Cell cell : this.rows.next()) {
						this.header.add((cell != null) ? cell.getText() : "");
					}
				}
			}
			catch (IOException | RuntimeException ex) {
				this.workbook.close();
				throw ex;
			}
		}

		@Override
		public Map<String, Object> next() {
			if (!this.rows.hasNext()) {
				return null;
			}
			Row row = this.rows.next();
			this.read++;
			Map<String, Object> record = new LinkedHashMap<>();
			for (int i = 0; i < this.header.size(); i++) {
				Cell cell = (i < row.getCellCount()) ? row.getCell(i) : null;
				record.put(this.header.get(i), value(cell));
			}
			return record;
		}

		private static Object value(Cell cell) {
			if (cell == null) {
				return "";
			}
			return switch (cell.getType()) {
				case NUMBER -> {
					BigDecimal number = cell.asNumber();
					yield (number.stripTrailingZeros().scale() <= 0) ? number.longValue() : number.doubleValue();
				}
				case BOOLEAN -> cell.asBoolean();
				default -> cell.getText();
			};
		}

		@Override
		public long position() {
			return this.read;
		}

		@Override
		public void close() throws IOException {
			this.stream.close();
			this.workbook.close();
		}

	}

}
