package dev.dmrbatch.text;

/**
 * Text from elsewhere (a runner's reply, a model name, an input file, a job file) made safe where it meets a terminal
 * or a text export: control characters that a terminal would act upon (ESC, BEL, NUL, a lone carriage return,
 * backspace, DEL, the C1 range) and the bidirectional overrides that reorder what is shown are written as a
 * backslash, {@code u} and four hex digits (ESC as backslash-u001b), so they are seen rather than obeyed. Line feeds
 * and tabs stay.
 */
public final class SafeText {

	private SafeText() {
	}

	/** The text with every control character but line feed, tab and the CR of a CRLF escaped; {@code null} stays. */
	public static String visible(String text) {
		if (text == null || clean(text, true, false)) {
			return text;
		}
		return escape(text, true, false);
	}

	/**
	 * The text as a text export holds it: control characters escaped as {@link #visible} does, but the
	 * bidirectional formatting characters kept, since right-to-left text in a document needs them.
	 */
	public static String document(String text) {
		if (text == null || clean(text, true, true)) {
			return text;
		}
		return escape(text, true, true);
	}

	/**
	 * The first line of a message, stripped ({@code ""} for none): a library's message often goes on with details, a
	 * stack or a quote of the input on the next lines.
	 */
	public static String firstLine(String text) {
		if (text == null) {
			return "";
		}
		int newline = text.indexOf('\n');
		return ((newline < 0) ? text : text.substring(0, newline)).strip();
	}

	/**
	 * At most {@code max} characters of the text on one line, every control character escaped (line feeds and tabs
	 * too), cut with {@code …} where it goes on: what a message may quote of a value.
	 */
	public static String excerpt(String text, int max) {
		String line = clean(text, false, false) ? text : escape(text, false, false);
		return (line.length() <= max) ? line : line.substring(0, Math.max(0, max - 1)).stripTrailing() + "…";
	}

	/** The longest run of characters without white space that a message shows whole: longer ones are values. */
	static final int LONGEST_WORD = 120;

	/** The longest message shown whole. */
	static final int LONGEST_MESSAGE = 1000;

	/**
	 * A message as it is shown to a person (the console, the web app's errors): every run of characters without
	 * white space longer than {@value #LONGEST_WORD} (a value quoted whole: a pasted secret, a file's contents given
	 * as an argument) cut with {@code …}, and the whole cut at {@value #LONGEST_MESSAGE} characters. Paths, URLs
	 * and names shorter than that stay whole.
	 */
	public static String clipped(String message) {
		if (message == null) {
			return null;
		}
		StringBuilder out = new StringBuilder(Math.min(message.length(), LONGEST_MESSAGE + 1));
		int word = 0;
		int i = 0;
		for (; i < message.length() && out.length() < LONGEST_MESSAGE; i++) {
			char c = message.charAt(i);
			word = Character.isWhitespace(c) ? 0 : word + 1;
			if (word <= LONGEST_WORD) {
				out.append(c);
			}
			else if (word == LONGEST_WORD + 1) {
				out.append('…');
			}
		}
		return (i < message.length()) ? out.append('…').toString() : out.toString();
	}

	private static boolean clean(String text, boolean keepLines, boolean keepBidi) {
		for (int i = 0; i < text.length(); i++) {
			if (needsEscape(text, i, keepLines, keepBidi)) {
				return false;
			}
		}
		return true;
	}

	private static String escape(String text, boolean keepLines, boolean keepBidi) {
		StringBuilder out = new StringBuilder(text.length() + 16);
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (needsEscape(text, i, keepLines, keepBidi)) {
				out.append(String.format("\\u%04x", (int) c));
			}
			else {
				out.append(c);
			}
		}
		return out.toString();
	}

	private static boolean needsEscape(String text, int i, boolean keepLines, boolean keepBidi) {
		char c = text.charAt(i);
		if (c == '\n' || c == '\t') {
			return !keepLines;
		}
		if (c == '\r') {
			return !keepLines || i + 1 >= text.length() || text.charAt(i + 1) != '\n';
		}
		return c < 0x20 || (c >= 0x7f && c <= 0x9f)
				|| (!keepBidi && ((c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')));
	}

}
