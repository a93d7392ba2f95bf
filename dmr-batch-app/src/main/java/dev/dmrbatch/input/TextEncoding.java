package dev.dmrbatch.input;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The character encoding of an input file, told by its byte order mark: UTF-8 when there is none (or a UTF-8 one),
 * UTF-16 or UTF-32 (big- or little-endian) when the file starts with theirs. A reader opened here never returns the
 * mark itself, and reads bytes that are not valid in the encoding as {@link #MALFORMED}, so the item that holds
 * them fails naming its line instead of being sent with characters the file does not have. Every character valid
 * bytes decode to is data, noncharacters such as U+FDD0 or U+FFFE included.
 */
final class TextEncoding {

	/**
	 * What bytes that are not valid in the file's encoding decode to: U+DFFF alone, the second half of a surrogate
	 * pair without its first, which decoding valid bytes never gives (they give it only after its first half, as the
	 * end of U+10FFFF; a JSON escape can write it alone: see {@link Decoded#heldMalformed()}).
	 */
	static final char MALFORMED = '\uDFFF';

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
	static Decoded open(Path path) throws IOException {
		Charset charset = of(path);
		InputStream in = Files.newInputStream(path);
		Decoded reader = new Decoded(new InputStreamReader(in, charset.newDecoder()
			.onMalformedInput(CodingErrorAction.REPLACE)
			.onUnmappableCharacter(CodingErrorAction.REPLACE)
			.replaceWith(MALFORMED_TEXT)));
		reader.mark(1);
		if (reader.read() != '\uFEFF') {
			reader.reset();
		}
		return reader;
	}

	/**
	 * The file's text as {@link #open} reads it, in lines as JSON Lines has them: a line ends at a line feed, the
	 * carriage return of a CRLF is not part of it, and a lone carriage return is a character of its line. Only
	 * {@link BufferedReader#readLine()} and {@link BufferedReader#close()} are meant to be called.
	 */
	static BufferedReader openLines(Path path) throws IOException {
		return new LineFeedLines(open(path));
	}

	/** A file's text as {@link #open} reads it, telling whether bytes that are not valid were met so far. */
	static final class Decoded extends BufferedReader {

		private final Watch watch;

		private Decoded(InputStreamReader in) {
			this(new Watch(in));
		}

		private Decoded(Watch watch) {
			super(watch, 64 * 1024);
			this.watch = watch;
		}

		/**
		 * Whether the bytes decoded so far (read ahead of what was returned, never behind it) held any that are not
		 * valid: when not, a {@link #MALFORMED} in what was read came from a JSON escape.
		 */
		boolean heldMalformed() {
			return this.watch.malformed;
		}

	}

	private static final class Watch extends java.io.FilterReader {

		private boolean malformed;

		/** The character read last, the one before a {@link #MALFORMED} read next. */
		private char last;

		Watch(Reader in) {
			super(in);
		}

		@Override
		public int read() throws IOException {
			int c = super.read();
			if (c >= 0) {
				see((char) c);
			}
			return c;
		}

		@Override
		public int read(char[] buffer, int offset, int length) throws IOException {
			int n = super.read(buffer, offset, length);
			for (int i = offset; !this.malformed && i < offset + n; i++) {
				see(buffer[i]);
			}
			return n;
		}

		private void see(char c) {
			this.malformed |= (c == MALFORMED && !Character.isHighSurrogate(this.last));
			this.last = c;
		}

	}

	private static final class LineFeedLines extends BufferedReader {

		private final BufferedReader text;

		private final char[] buffer = new char[8192];

		private int next;

		private int end;

		LineFeedLines(BufferedReader text) {
			super(text, 1);
			this.text = text;
		}

		@Override
		public String readLine() throws IOException {
			StringBuilder line = null;
			while (true) {
				if (this.next >= this.end) {
					this.next = 0;
					this.end = Math.max(0, this.text.read(this.buffer, 0, this.buffer.length));
					if (this.end == 0) {
						return (line != null) ? line.toString() : null;
					}
				}
				for (int i = this.next; i < this.end; i++) {
					if (this.buffer[i] == '\n') {
						int length = (i > this.next && this.buffer[i - 1] == '\r') ? i - 1 - this.next : i - this.next;
						String text;
						if (line == null) {
							text = new String(this.buffer, this.next, length);
						}
						else {
							line.append(this.buffer, this.next, i - this.next);
							text = line.substring(0, line.length() - ((line.charAt(line.length() - 1) == '\r') ? 1 : 0));
						}
						this.next = i + 1;
						return text;
					}
				}
				line = (line != null) ? line : new StringBuilder();
				line.append(this.buffer, this.next, this.end - this.next);
				this.next = this.end;
			}
		}

	}

	/** Whether text read here held bytes that are not valid in its file's encoding. */
	static boolean isMalformed(String text) {
		for (int i = text.indexOf(MALFORMED); i >= 0; i = text.indexOf(MALFORMED, i + 1)) {
			if (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1))) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The first field of a record whose name or value (a name or value inside it included) held bytes that are not
	 * valid in the file's encoding, or null.
	 */
	static String malformedField(Map<String, Object> fields) {
		Flaw flaw = firstFlaw(fields, TextEncoding::isMalformed);
		return (flaw != null) ? visible(flaw.field()) : null;
	}

	/**
	 * As {@link #malformedField} for a record parsed from JSON in a file that held bytes that are not valid: any
	 * {@link #MALFORMED} counts there, since an escape may have written the first half of a pair right before it.
	 */
	static String malformedJsonField(Map<String, Object> fields) {
		Flaw flaw = firstFlaw(fields, (text) -> text.indexOf(MALFORMED) >= 0);
		return (flaw != null) ? visible(flaw.field()) : null;
	}

	/**
	 * What to say of the first field of a record whose name or value (a name or value inside it included) holds half
	 * of a surrogate pair without its other half, or null. Only a JSON escape can write one (backslash, {@code u},
	 * {@code d800}): decoded bytes never hold one. It is not a character, so it cannot be sent as it is read, nor stored.
	 */
	static String loneSurrogate(Map<String, Object> fields) {
		Flaw flaw = firstFlaw(fields, (text) -> loneSurrogateAt(text) >= 0);
		if (flaw == null) {
			return null;
		}
		return "field '" + visible(flaw.field()) + "' holds "
				+ String.format("\\u%04x", (int) flaw.text().charAt(loneSurrogateAt(flaw.text())))
				+ ", half of a surrogate pair without its other half (not a character)";
	}

	/** The index of the first half of a surrogate pair without its other half, or -1. */
	static int loneSurrogateAt(String text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
				i++;
			}
			else if (Character.isSurrogate(c)) {
				return i;
			}
		}
		return -1;
	}

	/** A field's name for a message: what is not a character there (a lone surrogate, {@link #MALFORMED}) escaped. */
	private static String visible(String name) {
		StringBuilder out = new StringBuilder(name.length());
		for (int i = 0; i < name.length(); i++) {
			char c = name.charAt(i);
			boolean pair = Character.isHighSurrogate(c) && i + 1 < name.length()
					&& Character.isLowSurrogate(name.charAt(i + 1));
			if (pair) {
				out.append(c).append(name.charAt(++i));
			}
			else if (Character.isSurrogate(c)) {
				out.append(String.format("\\u%04x", (int) c));
			}
			else {
				out.append(c);
			}
		}
		return out.toString();
	}

	/** A field, and the text in it (its name or a string inside its value) that is not as it should be. */
	private record Flaw(String field, String text) {
	}

	private static Flaw firstFlaw(Map<String, Object> fields, Predicate<String> flawed) {
		for (Map.Entry<String, Object> field : fields.entrySet()) {
			String text = flawed.test(field.getKey()) ? field.getKey() : flawedText(field.getValue(), flawed);
			if (text != null) {
				return new Flaw(field.getKey(), text);
			}
		}
		return null;
	}

	private static String flawedText(Object value, Predicate<String> flawed) {
		if (value instanceof String text) {
			return flawed.test(text) ? text : null;
		}
		if (value instanceof Map<?, ?> map) {
			for (Map.Entry<?, ?> entry : map.entrySet()) {
				String text = flawedText(entry.getKey(), flawed);
				text = (text != null) ? text : flawedText(entry.getValue(), flawed);
				if (text != null) {
					return text;
				}
			}
		}
		if (value instanceof Collection<?> list) {
			for (Object element : list) {
				String text = flawedText(element, flawed);
				if (text != null) {
					return text;
				}
			}
		}
		return null;
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
