package dev.dmrbatch.text;

import java.util.List;

/**
 * Text from elsewhere (a runner's reply, a model name, an input file, a job file) made safe where it meets a terminal,
 * a log or a document, the same way everywhere: each control character a terminal would act upon is drawn as its
 * Unicode Control Picture (ESC as ␛ U+241B, NUL ␀, BEL ␇, backspace ␈, a lone carriage return ␍, DEL ␡; in one-line
 * excerpts the line feed ␊ and the tab ␉ too), and one that has no picture (the C1 range U+0080 to U+009F, and where
 * asked the bidirectional overrides that reorder what is shown) as {@code [U+XXXX]}. So it is seen rather than obeyed,
 * and a real ESC (␛) never looks like the text backslash-u001b that an answer may quote, which stays as written. Line
 * feeds, tabs and the CR of a CRLF stay.
 */
public final class SafeText {

	/** The Control Picture of NUL; those of the other C0 controls follow it in order. */
	private static final char PICTURES = '\u2400';

	/** The Control Picture of DEL. */
	private static final char DELETE = '\u2421';

	private SafeText() {
	}

	/**
	 * The text as a terminal or a log line shows it: every control character but line feed, tab and the CR of a CRLF
	 * made visible, the bidirectional overrides too; {@code null} stays.
	 */
	public static String visible(String text) {
		if (text == null || clean(text, true, false)) {
			return text;
		}
		return escape(text, true, false);
	}

	/**
	 * The text as a document holds it (the Markdown, text, PDF and HTML exports): control characters made visible as
	 * {@link #visible} does, but the bidirectional formatting characters kept, since right-to-left text in a
	 * document needs them; {@code null} stays.
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
	 * Why something failed, in one line: the message of the first of dmr-batch's own exceptions in the chain, which
	 * says it best, else the root cause's (a database's own sentence rather than the framework's wrapper quoting the
	 * SQL statement).
	 */
	public static String reason(Throwable failure) {
		List<Throwable> chain = Causes.of(failure);
		Throwable chosen = chain.stream()
			.filter((cause) -> cause.getClass().getName().startsWith("dev.dmrbatch."))
			.findFirst()
			.orElse(chain.isEmpty() ? failure : chain.get(chain.size() - 1));
		return firstLine(String.valueOf((chosen != null) ? chosen.getMessage() : null));
	}

	/**
	 * At most {@code max} characters of the text on one line, every control character made visible (line feeds and
	 * tabs too), cut with {@code …} where it goes on: what a message may quote of a value.
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
			if (!needsEscape(text, i, keepLines, keepBidi)) {
				out.append(c);
			}
			else if (c < 0x20) {
				out.append((char) (PICTURES + c));
			}
			else if (c == 0x7f) {
				out.append(DELETE);
			}
			else {
				out.append(String.format(java.util.Locale.ROOT, "[U+%04X]", (int) c));
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
