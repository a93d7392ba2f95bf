package dev.dmrbatch.input;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The character encoding of an input file, told by its byte order mark: UTF-8 when there is none (or a UTF-8 one),
 * UTF-16 or UTF-32 (big- or little-endian) when the file starts with theirs. A reader opened here never returns the
 * mark itself, and reads bytes that are not valid in the encoding as {@link #MALFORMED}, so the item that holds
 * them fails naming its line instead of being sent with characters the file does not have.
 */
final class TextEncoding {

	/**
	 * What bytes that are not valid in the file's encoding decode to: U+FDD0, a noncharacter Unicode keeps for a
	 * program's internal use, which text never holds.
	 */
	static final char MALFORMED = '\uFDD0';

	private static final String MALFORMED_TEXT = String.valueOf(MALFORMED);

	private TextEncoding() {
	}

	/** The charset of a file, by its byte order mark; UTF-8 without one. */
	static Charset of(Path path) throws IOException {
		byte[] head = new byte[4];
		int n;
		try (InputStream in = Files.newInputStream(path)) {
			n = in.readNBytes(head, 0, 4);
		}
		return of(head, n);
	}

	static Charset of(byte[] head, int n) {
		int b0 = (n > 0) ? head[0] & 0xFF : -1;
		int b1 = (n > 1) ? head[1] & 0xFF : -1;
		int b2 = (n > 2) ? head[2] & 0xFF : -1;
		int b3 = (n > 3) ? head[3] & 0xFF : -1;
		if (b0 == 0x00 && b1 == 0x00 && b2 == 0xFE && b3 == 0xFF) {
			return Charset.forName("UTF-32BE");
		}
		if (b0 == 0xFF && b1 == 0xFE && b2 == 0x00 && b3 == 0x00) {
			return Charset.forName("UTF-32LE");
		}
		if (b0 == 0xFE && b1 == 0xFF) {
			return StandardCharsets.UTF_16BE;
		}
		if (b0 == 0xFF && b1 == 0xFE) {
			return StandardCharsets.UTF_16LE;
		}
		return StandardCharsets.UTF_8;
	}

	/** The file's text from its first character on, the byte order mark skipped. */
	static BufferedReader open(Path path) throws IOException {
		Charset charset = of(path);
		InputStream in = Files.newInputStream(path);
		BufferedReader reader = new BufferedReader(new InputStreamReader(in, charset.newDecoder()
			.onMalformedInput(CodingErrorAction.REPLACE)
			.onUnmappableCharacter(CodingErrorAction.REPLACE)
			.replaceWith(MALFORMED_TEXT)), 64 * 1024);
		reader.mark(1);
		if (reader.read() != '\uFEFF') {
			reader.reset();
		}
		return reader;
	}

	/** Whether text read here held bytes that are not valid in its file's encoding. */
	static boolean isMalformed(String text) {
		return text.indexOf(MALFORMED) >= 0;
	}

	/** The first field of a record whose value held bytes that are not valid in the file's encoding, or null. */
	static String malformedField(java.util.Map<String, Object> fields) {
		for (java.util.Map.Entry<String, Object> field : fields.entrySet()) {
			if (holdsMalformed(field.getValue())) {
				return field.getKey();
			}
		}
		return null;
	}

	private static boolean holdsMalformed(Object value) {
		if (value instanceof String text) {
			return isMalformed(text);
		}
		if (value instanceof java.util.Map<?, ?> map) {
			return map.entrySet().stream().anyMatch((e) -> holdsMalformed(e.getKey()) || holdsMalformed(e.getValue()));
		}
		if (value instanceof java.util.Collection<?> list) {
			return list.stream().anyMatch(TextEncoding::holdsMalformed);
		}
		return false;
	}

	/** What to say of a record that held bytes that are not valid in its file's encoding. */
	static String malformedMessage(Charset charset) {
		return "bytes that are not valid " + charset.name() + " (save the file as UTF-8)";
	}

	/** A file's whole text, as {@link #open} reads it (for small files, one item each). */
	static String read(Path path) throws IOException {
		try (BufferedReader reader = open(path)) {
			StringBuilder text = new StringBuilder();
			char[] buffer = new char[8192];
			for (int n = reader.read(buffer); n >= 0; n = reader.read(buffer)) {
				text.append(buffer, 0, n);
			}
			return text.toString();
		}
	}

}
