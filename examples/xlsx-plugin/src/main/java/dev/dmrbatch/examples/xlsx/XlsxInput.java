package dev.dmrbatch.examples.xlsx;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.LocalTime;
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
import org.dhatim.fastexcel.reader.CellAddress;
import org.dhatim.fastexcel.reader.CellType;
import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.dhatim.fastexcel.reader.ReadingOptions;
import org.dhatim.fastexcel.reader.Row;
import org.dhatim.fastexcel.reader.Sheet;

/**
 * {@code input.format: xlsx}: the rows of one sheet of a workbook, the first row naming the fields. Options:
 * {@code sheet} (its name; the first sheet by default). Rows are streamed; the position is the number of data rows
 * read, so a resumed run reads past them and goes on with the next.
 * <p>
 * Values are given as the workbook holds them: an integer as its exact digits (a {@code Long}, or a
 * {@code BigDecimal} beyond its range), any other number as the decimal written in the file (a {@code BigDecimal},
 * never a binary double), a cell formatted as a date as ISO text ({@code 2024-03-01}, or {@code 2024-03-01T09:30}
 * with a time of day), true/false as a boolean, anything else as its text. A header naming one field twice, or an
 * empty header cell before the last named column, is refused; a row with a value right of the last named column
 * fails that item, naming the cell, rather than losing the value.
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
			this.workbook = new ReadableWorkbook(source.toFile(), new ReadingOptions(true, false));
			try {
				String name = options.text("sheet", null);
				Sheet sheet = (name != null) ? this.workbook.findSheet(name)
					.orElseThrow(() -> new PluginException("input " + source.getFileName() + " has no sheet '" + name
							+ "' (option sheet)"))
						: this.workbook.getFirstSheet();
				this.stream = sheet.openStream();
				this.rows = this.stream.iterator();
				if (this.rows.hasNext()) {
					header(source, this.rows.next());
				}
			}
			catch (IOException | RuntimeException ex) {
				this.workbook.close();
				throw ex;
			}
		}

		private void header(Path source, Row row) {
			List<String> names = new ArrayList<>();
			for (int i = 0; i < row.getCellCount(); i++) {
				Cell cell = row.getCell(i);
				names.add((cell != null && cell.getRawValue() != null) ? cell.getText().strip() : "");
			}
			while (!names.isEmpty() && names.get(names.size() - 1).isEmpty()) {
				names.remove(names.size() - 1);
			}
			for (int i = 0; i < names.size(); i++) {
				String field = names.get(i);
				if (field.isEmpty()) {
					throw new PluginException("input " + source.getFileName() + ": header cell " + column(i)
							+ "1 names no field, though columns right of it do");
				}
				int first = names.indexOf(field);
				if (first < i) {
					throw new PluginException("input " + source.getFileName() + ": columns " + column(first) + " and "
							+ column(i) + " both name the field '" + field + "' in the header row");
				}
			}
			this.header.addAll(names);
		}

		@Override
		public Map<String, Object> next() {
			if (!this.rows.hasNext()) {
				return null;
			}
			Row row = this.rows.next();
			this.read++;
			for (int i = this.header.size(); i < row.getCellCount(); i++) {
				Cell cell = row.getCell(i);
				if (cell != null && cell.getType() != CellType.EMPTY && cell.getRawValue() != null
						&& !cell.getRawValue().isEmpty()) {
					throw new PluginException("row " + row.getRowNum() + " has a value in cell " + column(i)
							+ row.getRowNum() + ", right of the last column named in the header row ("
							+ column(this.header.size() - 1) + ")");
				}
			}
			Map<String, Object> record = new LinkedHashMap<>();
			for (int i = 0; i < this.header.size(); i++) {
				Cell cell = (i < row.getCellCount()) ? row.getCell(i) : null;
				record.put(this.header.get(i), value(cell));
			}
			return record;
		}

		/** A column's letters: 0 is A, 26 is AA. */
		static String column(int index) {
			return (index < 0) ? "-" : CellAddress.convertNumToColString(index);
		}

		static Object value(Cell cell) {
			if (cell == null || cell.getRawValue() == null) {
				return "";
			}
			return switch (cell.getType()) {
				case NUMBER -> isDate(cell) ? date(cell.asDate()) : number(cell.getRawValue());
				case BOOLEAN -> cell.asBoolean();
				default -> cell.getText();
			};
		}

		/** The number as written in the file: exact digits for an integer, never a binary double. */
		static Object number(String raw) {
			BigDecimal number = new BigDecimal(raw.strip());
			BigDecimal integer = number.stripTrailingZeros();
			if (integer.scale() <= 0) {
				try {
					return integer.longValueExact();
				}
				catch (ArithmeticException beyondLong) {
					return new BigDecimal(integer.toBigIntegerExact());
				}
			}
			return number;
		}

		private static String date(LocalDateTime value) {
			return value.toLocalTime().equals(LocalTime.MIDNIGHT) ? value.toLocalDate().toString() : value.toString();
		}

		/** Whether the cell's number format shows a date or time (the built-in ones, or one with d, m, y, h or s). */
		private static boolean isDate(Cell cell) {
			Integer id = cell.getDataFormatId();
			if (id != null && ((id >= 14 && id <= 22) || (id >= 45 && id <= 47))) {
				return true;
			}
			String format = cell.getDataFormatString();
			if (format == null) {
				return false;
			}
			String bare = format.replaceAll("\\[[^\\]]*\\]|\"[^\"]*\"|\\\\.", "").toLowerCase();
			return bare.matches(".*[dmyhs].*") && !bare.contains("general");
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
