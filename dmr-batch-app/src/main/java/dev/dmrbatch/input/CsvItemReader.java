package dev.dmrbatch.input;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.commons.csv.CSVException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamException;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * The records of a CSV file (RFC 4180), streamed, each field exactly the characters between its quotes (line breaks
 * inside a quoted field stay CRLF, LF or CR as written). No line is a comment: a row starting with {@code #} is data.
 * <p>
 * Apache Commons CSV reads the records; this class keeps their physical line numbers, saves the line the next record
 * starts on (a restart skips to it without parsing the lines before), and recovers from a malformed record: the
 * record becomes one failed item naming its line, and reading goes on at the line after the one it started on, so
 * an unbalanced quote costs one item, not the rest of the file.
 */
final class CsvItemReader implements ItemStreamReader<InputItem> {

	/** The key, in the reader's saved state, of the line the next record starts on. */
	static final String LINE = "input.csv.line";

	// RFC 4180 as written: no comments, no trimming, empty lines kept (they are counted, as blank items)
	private static final CSVFormat FORMAT = CSVFormat.RFC4180;

	private final Path path;

	private final String display;

	private final List<String> header;

	private java.nio.charset.Charset charset;

	private BufferedReader reader;

	private CSVParser parser;

	private Iterator<CSVRecord> records;

	/** The physical lines before the current parser's first character. */
	private long lineOffset;

	/** The line the next record starts on. */
	private long nextLine;

	CsvItemReader(Path path, String display, List<String> header) {
		this.path = path;
		this.display = display;
		this.header = header;
	}

	/**
	 * The column names of a CSV file's first record, checked: none empty, none twice. An empty file has the one column
	 * {@code text}.
	 */
	static List<String> header(Path path, String display) throws IOException {
		List<String> names = new ArrayList<>();
		try (BufferedReader in = TextEncoding.open(path);
				CSVParser parser = CSVParser.builder().setReader(in).setFormat(FORMAT).get()) {
			Iterator<CSVRecord> records = parser.iterator();
			if (!records.hasNext()) {
				return List.of("text");
			}
			Set<String> seen = new HashSet<>();
			for (String name : records.next()) {
				String clean = name.strip();
				if (clean.isEmpty()) {
					throw new InputException(display + " line 1: the header has an empty column name (column "
							+ (names.size() + 1) + ")");
				}
				if (!seen.add(clean)) {
					throw new InputException(display + " line 1: the header names column '" + clean + "' twice");
				}
				names.add(clean);
			}
		}
		catch (UncheckedIOException ex) {
			if (!(ex.getCause() instanceof CSVException)) {
				throw ex.getCause();
			}
			throw new InputException(display + " line 1: the header is not a valid CSV record ("
					+ malformation(ex) + ")");
		}
		return names;
	}

	@Override
	public void open(ExecutionContext context) throws ItemStreamException {
		try {
			this.charset = TextEncoding.of(this.path);
			if (context.containsKey(LINE)) {
				startAt(context.getLong(LINE));
				return;
			}
			startAt(1);
			if (this.records.hasNext()) {
				this.records.next();
				this.nextLine = this.lineOffset + this.parser.getCurrentLineNumber() + 1;
			}
			// a run that a version before this reader stopped saved only how many records it had read: read past them
			for (long read = context.getLong(InputReaders.POSITION, 0L); read > 0; read--) {
				if (read() == null) {
					break;
				}
			}
		}
		catch (Exception ex) {
			throw new ItemStreamException("input file " + this.display + " cannot be read: " + ex.getMessage(), ex);
		}
	}

	/** Opens the file at the start of physical line {@code line}, from 1. */
	private void startAt(long line) throws IOException {
		closeParser();
		this.reader = TextEncoding.open(this.path);
		for (long skipped = 0; skipped < line - 1; skipped++) {
			if (!skipLine(this.reader)) {
				break;
			}
		}
		this.lineOffset = line - 1;
		this.nextLine = line;
		this.parser = CSVParser.builder().setReader(this.reader).setFormat(FORMAT).get();
		this.records = this.parser.iterator();
	}

	/** Skips one line and its end (CR LF, LF or CR, counted as Commons CSV counts them); false at the end. */
	private static boolean skipLine(BufferedReader in) throws IOException {
		for (int c = in.read(); c >= 0; c = in.read()) {
			if (c == '\n') {
				return true;
			}
			if (c == '\r') {
				in.mark(1);
				if (in.read() != '\n') {
					in.reset();
				}
				return true;
			}
		}
		return false;
	}

	@Override
	public InputItem read() throws Exception {
		long start = this.nextLine;
		CSVRecord record;
		try {
			if (!this.records.hasNext()) {
				return null;
			}
			record = this.records.next();
		}
		catch (UncheckedIOException ex) {
			if (!(ex.getCause() instanceof CSVException)) {
				throw ex; // the file could not be read: not a malformed record
			}
			// the parser cannot go on after a malformed record: an unclosed quote reached the end of the file, so
			// reading starts again on the line after the one the record began on; characters after a closing quote
			// end the record on the line they stand on, and reading goes on after that line
			boolean unclosed = unclosed(ex);
			// (Commons CSV has counted the line the error stands on by the time it reports it)
			long end = unclosed ? start : Math.max(start, this.lineOffset + this.parser.getCurrentLineNumber());
			String reason = malformation(ex);
			startAt(end + 1);
			return InputItem.invalid(this.display + ((end > start) ? " lines " + start + "-" + end : " line " + start)
					+ ": " + reason);
		}
		this.nextLine = this.lineOffset + this.parser.getCurrentLineNumber() + 1;
		if (record.size() == 1 && (record.get(0).isEmpty() || (this.header.size() > 1 && record.get(0).isBlank()))) {
			// an empty line (or blanks where several columns are expected): counted, nothing to ask
			return InputItem.BLANK;
		}
		if (record.size() != this.header.size()) {
			return InputItem.invalid(this.display + " line " + start + ": " + record.size() + " field"
					+ ((record.size() == 1) ? "" : "s") + " where the header has " + this.header.size());
		}
		Map<String, Object> fields = new LinkedHashMap<>();
		for (int i = 0; i < this.header.size(); i++) {
			fields.put(this.header.get(i), record.get(i));
		}
		String malformed = TextEncoding.malformedField(fields);
		if (malformed != null) {
			return InputItem.invalid(this.display + " line " + start + ": field '" + malformed + "' holds "
					+ TextEncoding.malformedMessage(this.charset));
		}
		return InputItem.of(fields);
	}

	/** What is wrong with a record, in words, from Commons CSV's exception (whose line numbers are its own). */
	private static String malformation(UncheckedIOException ex) {
		String message = String.valueOf(ex.getCause().getMessage());
		if (unclosed(ex)) {
			return "a quoted field is opened and never closed (an unbalanced quote)";
		}
		if (message.contains("Invalid character between encapsulated token and delimiter")) {
			return "a quoted field is followed by other characters before the next comma or line end (a stray or "
					+ "unbalanced quote)";
		}
		return "not a valid CSV record";
	}

	private static boolean unclosed(UncheckedIOException ex) {
		return String.valueOf(ex.getCause().getMessage()).contains("EOF reached before encapsulated token finished");
	}

	@Override
	public void update(ExecutionContext context) throws ItemStreamException {
		context.putLong(LINE, this.nextLine);
	}

	@Override
	public void close() throws ItemStreamException {
		closeParser();
	}

	private void closeParser() {
		try {
			if (this.parser != null) {
				this.parser.close();
			}
			if (this.reader != null) {
				this.reader.close();
			}
		}
		catch (IOException ex) {
			// nothing was written; the file is only being read
		}
		this.parser = null;
		this.reader = null;
	}

}
