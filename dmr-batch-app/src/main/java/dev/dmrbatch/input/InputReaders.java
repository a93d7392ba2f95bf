package dev.dmrbatch.input;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.text.SafeText;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.batch.infrastructure.item.file.FlatFileItemReader;
import org.springframework.batch.infrastructure.item.file.LineMapper;
import org.springframework.batch.infrastructure.item.file.builder.FlatFileItemReaderBuilder;
import org.springframework.batch.infrastructure.item.file.separator.SimpleRecordSeparatorPolicy;
import org.springframework.batch.infrastructure.item.json.JsonObjectReader;
import org.springframework.batch.infrastructure.item.json.builder.JsonItemReaderBuilder;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;

/**
 * Builds the streaming, restartable reader for an input (Spring Batch's flat-file and JSON readers where they fit)
 * and checks an input before a run starts. A record that cannot be read becomes an item with an error and its
 * location; it is never dropped and never stops the others.
 */
public final class InputReaders {

	/** The key, in a reader's saved state, of the record number of the last item read. */
	public static final String POSITION = "input.seq";

	/**
	 * A JSON Lines line is one value and nothing after it (Jackson 3 fails on trailing tokens by default), and an
	 * object names each field once: a second value would replace the first without a word.
	 */
	private static final JsonMapper JSON = JsonMapper.builder()
		.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
		.build();

	/** One element of a JSON array at a time: the rest of the array follows it. */
	private static final ObjectReader ELEMENT = JSON.readerFor(Object.class)
		.without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

	private InputReaders() {
	}

	/**
	 * Checks that the input exists and has the shape its format needs.
	 * @throws InputException naming the input and the problem
	 */
	public static void check(InputSource source) {
		Path path = source.path();
		if (source.plugin() != null) {
			if (!Files.exists(path)) {
				throw new InputException("input " + source.display() + " does not exist");
			}
			try {
				source.plugin().format().check(path, source.plugin().options());
			}
			catch (Throwable ex) {
				dev.dmrbatch.plugin.Plugins.rethrowFatal(ex);
				throw new InputException(dev.dmrbatch.plugin.Plugins.describe(source.plugin().describe() + " checking "
						+ source.display(), ex));
			}
			return;
		}
		if (source.format().equals("text")) {
			if (!Files.isDirectory(path)) {
				throw new InputException("input folder " + source.display() + " does not exist"
						+ (Files.exists(path) ? " (it is a file; format text reads a folder of .txt and .md files)" : ""));
			}
			return;
		}
		if (!Files.isRegularFile(path)) {
			throw new InputException("input file " + source.display()
					+ (Files.isDirectory(path) ? " is a folder, not a " + source.format() + " file" : " does not exist"));
		}
		if (!Files.isReadable(path)) {
			throw new InputException("input file " + source.display() + " cannot be read (permissions)");
		}
		try {
			switch (source.format()) {
				case "csv" -> csvHeader(source);
				case "json" -> checkJsonArray(source);
				default -> {
				}
			}
		}
		catch (IOException ex) {
			throw new InputException("input file " + source.display() + " cannot be read: " + ex.getMessage());
		}
	}

	/** A restartable reader of the input's items, numbered from 1. */
	public static ItemStreamReader<InputItem> reader(InputSource source) {
		if (source.plugin() != null) {
			return new SequencedReader(new PluginItemReader(source), source.idField(), "record");
		}
		return switch (source.format()) {
			case "csv" -> new SequencedReader(csv(source), source.idField(), "record");
			case "jsonl" -> new SequencedReader(jsonl(source), source.idField(), "line");
			case "json" -> new SequencedReader(json(source), source.idField(), "element");
			case "text" -> new SequencedReader(new TextFolderItemReader(source.path()), source.idField(), "file");
			case "lines" -> new SequencedReader(lines(source), null, "line");
			default -> throw new InputException("unknown input format '" + source.format() + "'");
		};
	}

	/**
	 * The one rule for the files read on someone else's word: a path is inside a folder when it is so both as written
	 * (normalised) and with every link followed. A path that does not exist is judged as written.
	 */
	public static boolean isInside(Path folder, Path path) {
		Path base = folder.toAbsolutePath().normalize();
		Path target = path.toAbsolutePath().normalize();
		return target.startsWith(base) && realPath(target).startsWith(realPath(base));
	}

	/** The file itself, links followed, or the path as it is when there is no such file. */
	private static Path realPath(Path path) {
		try {
			return path.toRealPath();
		}
		catch (IOException ex) {
			return path;
		}
	}

	/**
	 * What to say of a parsed JSON object's first field that holds half of a surrogate pair without its other half,
	 * or {@code null}: a JSON escape can write one, but it is no character, so it can be neither sent nor stored as
	 * it was read.
	 */
	public static String loneSurrogate(Map<String, Object> fields) {
		return TextEncoding.loneSurrogate(fields);
	}

	// --- csv: RFC 4180, every field exactly as written between its quotes

	private static CsvItemReader csv(InputSource source) {
		try {
			return new CsvItemReader(source.path(), source.display(), csvHeader(source));
		}
		catch (IOException ex) {
			throw new InputException("input file " + source.display() + " cannot be read: " + ex.getMessage());
		}
	}

	static List<String> csvHeader(InputSource source) throws IOException {
		return CsvItemReader.header(source.path(), source.display());
	}

	// --- jsonl: one object a line, and nothing else on it; a malformed line is a failed item with its line number

	private static FlatFileItemReader<InputItem> jsonl(InputSource source) {
		String malformed = TextEncoding.malformedMessage(charset(source));
		LineMapper<InputItem> mapper = (text, lineNumber) -> {
			if (isBlank(text)) {
				return InputItem.BLANK;
			}
			if (TextEncoding.isMalformed(text)) {
				return InputItem.invalid(source.display() + " line " + lineNumber + ": " + malformed);
			}
			Object value;
			try {
				value = JSON.readValue(text, Object.class);
			}
			catch (JacksonException ex) {
				return InputItem.invalid(source.display() + " line " + lineNumber + ": not valid JSON ("
						+ brief(ex) + ")");
			}
			return object(value, source.display() + " line " + lineNumber, false);
		};
		return lineReader(source, mapper);
	}

	/** Whether a line holds nothing but JSON whitespace (space, tab, CR, LF): other spaces are characters. */
	private static boolean isBlank(String text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
				return false;
			}
		}
		return true;
	}

	/**
	 * One line, one record: quotes inside JSON must not join lines, and a line ends at a line feed only (a lone CR is
	 * a character of its line, as JSON Lines says).
	 */
	private static FlatFileItemReader<InputItem> lineReader(InputSource source, LineMapper<InputItem> mapper) {
		return new FlatFileItemReaderBuilder<InputItem>().name("input")
			.resource(resource(source))
			.bufferedReaderFactory((resource, encoding) -> TextEncoding.openLines(source.path()))
			.comments() // no line is a comment: a line starting with # is data
			.recordSeparatorPolicy(new SimpleRecordSeparatorPolicy())
			.lineMapper(mapper)
			.build();
	}

	// --- lines: each line as it is, in field "line", for readers that parse lines themselves (OpenAI Batch files)

	private static FlatFileItemReader<InputItem> lines(InputSource source) {
		String malformed = TextEncoding.malformedMessage(charset(source));
		LineMapper<InputItem> mapper = (text, lineNumber) -> {
			if (TextEncoding.isMalformed(text)) {
				return InputItem.invalid(source.display() + " line " + lineNumber + ": " + malformed);
			}
			return isBlank(text) ? InputItem.BLANK : InputItem.of(Map.of("line", text));
		};
		return lineReader(source, mapper);
	}

	// --- json: an array of objects, streamed element by element

	private static ItemStreamReader<InputItem> json(InputSource source) {
		return new JsonItemReaderBuilder<InputItem>().name("input")
			.resource(resource(source))
			.jsonObjectReader(new JsonArrayElements(source.display()))
			.build();
	}

	/**
	 * The elements of a JSON array, whatever their kind: Spring Batch's JacksonJsonObjectReader stops at
	 * the first element that is not an object, which would drop the rest of the input without a word. Anything after
	 * the array's end is one more item, failed, naming its line.
	 */
	private static final class JsonArrayElements implements JsonObjectReader<InputItem> {

		private final String display;

		private JsonParser parser;

		private int index;

		/** The array's end is read, and what follows it. */
		private boolean finished;

		JsonArrayElements(String display) {
			this.display = display;
		}

		@Override
		public void open(Resource resource) throws Exception {
			this.parser = JSON.createParser(TextEncoding.open(resource.getFile().toPath()));
			if (this.parser.nextToken() != JsonToken.START_ARRAY) {
				throw new InputException("input file " + this.display + " is not a JSON array of objects");
			}
			this.index = 0;
			this.finished = false;
		}

		@Override
		public InputItem read() {
			if (this.finished) {
				return null;
			}
			try {
				JsonToken token = this.parser.nextToken();
				if (token == null || token == JsonToken.END_ARRAY) {
					this.finished = true;
					return afterTheEnd();
				}
				this.index++;
				return object(ELEMENT.readValue(this.parser), this.display + " element " + this.index, true);
			}
			catch (JacksonException ex) {
				throw new InputException(this.display + ": not valid JSON at element " + (this.index) + " ("
						+ brief(ex) + ")");
			}
		}

		/** Nothing but whitespace may follow the array: anything else is a failed item naming its line. */
		private InputItem afterTheEnd() {
			long line;
			try {
				if (this.parser.nextToken() == null) {
					return null;
				}
				line = this.parser.currentTokenLocation().getLineNr();
			}
			catch (JacksonException ex) {
				line = (ex.getLocation() != null) ? ex.getLocation().getLineNr() : this.parser.currentLocation().getLineNr();
			}
			return InputItem.invalid(this.display + " line " + line
					+ ": something follows the array's end (a JSON file holds one array)");
		}

		@Override
		public void jumpToItem(int itemIndex) {
			for (int i = 0; i < itemIndex; i++) {
				JsonToken token = this.parser.nextToken();
				if (token == null || token == JsonToken.END_ARRAY) {
					// the item read last was what follows the array
					this.finished = true;
					return;
				}
				this.parser.skipChildren();
				this.index++;
			}
		}

		@Override
		public void close() {
			if (this.parser != null) {
				this.parser.close();
			}
		}

	}

	private static void checkJsonArray(InputSource source) throws IOException {
		try (JsonParser parser = JSON.createParser(TextEncoding.open(source.path()))) {
			JsonToken first = parser.nextToken();
			if (first != JsonToken.START_ARRAY) {
				throw new InputException("input file " + source.display()
						+ " is not a JSON array of objects (format json; for one object a line use format jsonl)");
			}
		}
		catch (JacksonException ex) {
			throw new InputException("input file " + source.display() + " is not valid JSON: " + brief(ex));
		}
	}

	@SuppressWarnings("unchecked")
	private static InputItem object(Object value, String where, boolean checkEncoding) {
		if (value instanceof Map<?, ?> map) {
			String field = checkEncoding ? TextEncoding.malformedField((Map<String, Object>) map) : null;
			if (field != null) {
				return InputItem.invalid(where + ": field '" + field + "' holds bytes that are not valid in the file's "
						+ "encoding (save the file as UTF-8)");
			}
			String lone = TextEncoding.loneSurrogate((Map<String, Object>) map);
			if (lone != null) {
				return InputItem.invalid(where + ": " + lone);
			}
			return InputItem.of((Map<String, Object>) map);
		}
		return InputItem.invalid(where + ": a JSON object was expected, found "
				+ ((value instanceof List) ? "an array" : (value == null) ? "null" : "a " + kind(value)));
	}

	private static String kind(Object value) {
		return (value instanceof String) ? "string" : (value instanceof Boolean) ? "boolean" : "number";
	}

	private static String brief(JacksonException ex) {
		return SafeText.firstLine(ex.getOriginalMessage());
	}

	private static Resource resource(InputSource source) {
		return new FileSystemResource(source.path());
	}

	private static java.nio.charset.Charset charset(InputSource source) {
		try {
			return TextEncoding.of(source.path());
		}
		catch (IOException ex) {
			throw new InputException("input file " + source.display() + " cannot be read: " + ex.getMessage());
		}
	}

}
