package dev.dmrbatch.input;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.text.SafeText;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.batch.infrastructure.item.file.FlatFileItemReader;
import org.springframework.batch.infrastructure.item.file.LineMapper;
import org.springframework.batch.infrastructure.item.file.builder.FlatFileItemReaderBuilder;
import org.springframework.batch.infrastructure.item.file.separator.SimpleRecordSeparatorPolicy;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;

/**
 * The input's streaming, restartable reader, from its format ({@link InputFormatKind}: Spring Batch's flat-file and
 * JSON readers where they fit), and its check before a run starts; what the built-in formats share. A record that
 * cannot be read becomes an item with an error and its location; it is never dropped and never stops the others.
 */
public final class InputReaders {

	/** The key, in a reader's saved state, of the record number of the last item read. */
	public static final String POSITION = "input.seq";

	/**
	 * A JSON Lines line is one value and nothing after it (Jackson 3 fails on trailing tokens by default), and an
	 * object names each field once: a second value would replace the first without a word.
	 */
	static final JsonMapper JSON = JsonMapper.builder()
		.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
		.build();

	private InputReaders() {
	}

	/**
	 * Checks that the input exists and has the shape its format needs.
	 * @throws InputException naming the input and the problem
	 */
	public static void check(InputSource source) {
		source.format().check(source);
	}

	/**
	 * A restartable reader of the input's items, numbered from 1; of a trial run's items only, keeping their numbers,
	 * when the source has a {@link InputSource#trial()}.
	 */
	public static ItemStreamReader<InputItem> reader(InputSource source) {
		if (source.trial() == null) {
			return numbered(source);
		}
		return new TrialReader(numbered(source), () -> numbered(source), source.trial());
	}

	private static ItemStreamReader<InputItem> numbered(InputSource source) {
		SequencedReader numbered = new SequencedReader(source.format().open(source), source.idField(),
				source.format().unit());
		// a folder's items bring their own images; a file's fields name them
		return (source.imageFields().isEmpty() || source.format().readsFolders()) ? numbered
				: new ImageFieldsReader(numbered, source);
	}

	/** The check of a format that reads one file: a readable file, not a folder. */
	static void checkFile(InputSource source) {
		Path path = source.path();
		if (!Files.isRegularFile(path)) {
			throw new InputException("input file " + source.display() + (Files.isDirectory(path)
					? " is a folder, not a " + source.format().name() + " file" : " does not exist"));
		}
		if (!Files.isReadable(path)) {
			throw new InputException("input file " + source.display() + " cannot be read (permissions)");
		}
	}

	/** An input file that could not be read. */
	static InputException unreadable(InputSource source, IOException ex) {
		return new InputException("input file " + source.display() + " cannot be read: " + ex.getMessage());
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
	 * a character of its line, as JSON Lines says). A blank line is a blank item, a line with bytes that are not valid
	 * in the file's encoding a failed item naming it; any other line is what {@code record} makes of it.
	 */
	static FlatFileItemReader<InputItem> lineReader(InputSource source, LineMapper<InputItem> record) {
		String malformed = TextEncoding.malformedMessage(charset(source));
		LineMapper<InputItem> mapper = (text, lineNumber) -> {
			if (isBlank(text)) {
				return InputItem.BLANK;
			}
			if (TextEncoding.isMalformed(text)) {
				return InputItem.invalid(source.display() + " line " + lineNumber + ": " + malformed);
			}
			return record.mapLine(text, lineNumber);
		};
		return new FlatFileItemReaderBuilder<InputItem>().name("input")
			.resource(resource(source))
			.bufferedReaderFactory((resource, encoding) -> TextEncoding.openLines(source.path()))
			.comments() // no line is a comment: a line starting with # is data
			.recordSeparatorPolicy(new SimpleRecordSeparatorPolicy())
			.lineMapper(mapper)
			.build();
	}

	/**
	 * A parsed JSON value as an item: an object, else a failed item saying what was found {@code where}.
	 * {@code checkEncoding} when its file held bytes that are not valid in its encoding: a
	 * {@link TextEncoding#MALFORMED} in a field is then taken for them, else for the JSON escape that wrote it.
	 */
	@SuppressWarnings("unchecked")
	static InputItem object(Object value, String where, boolean checkEncoding) {
		if (value instanceof Map<?, ?> map) {
			String field = checkEncoding ? TextEncoding.malformedJsonField((Map<String, Object>) map) : null;
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

	static String brief(JacksonException ex) {
		return SafeText.firstLine(ex.getOriginalMessage());
	}

	private static Resource resource(InputSource source) {
		return new FileSystemResource(source.path());
	}

	static java.nio.charset.Charset charset(InputSource source) {
		try {
			return TextEncoding.of(source.path());
		}
		catch (IOException ex) {
			throw unreadable(source, ex);
		}
	}

}
