package dev.dmrbatch.chat;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * What the user types: a prompt, or a command ({@code /name argument}). A prompt of several lines is a
 * {@code """} block: a line that starts with {@code """} opens it, a line that ends with {@code """} closes it.
 */
final class ChatInput {

	static final String BLOCK = "\"\"\"";

	private ChatInput() {
	}

	/** One entry: a prompt to send or a command. */
	sealed interface Entry permits Prompt, Slash {
	}

	/** Text to send as the next user turn. */
	record Prompt(String text) implements Entry {
	}

	/**
	 * A command: its name without the slash, lower case, and the rest of the line, stripped.
	 */
	record Slash(String name, String argument) implements Entry {

		/** The argument's words, split at white space. */
		List<String> words() {
			return this.argument.isEmpty() ? List.of() : Arrays.asList(this.argument.split("\\s+"));
		}

	}

	/** Reads the next line; {@code null} at the end of the input. */
	interface Lines {

		String next(boolean continuation) throws IOException;

	}

	/**
	 * What one typed line (or block) is: a line that starts with {@code /} and a letter is a command; anything else,
	 * a block included, is a prompt (a block is never a command, so it may start with a slash).
	 */
	static Entry parse(String text, boolean block) {
		if (!block && text.startsWith("/") && text.length() > 1 && Character.isLetter(text.charAt(1))) {
			int space = indexOfWhitespace(text);
			String name = text.substring(1, (space < 0) ? text.length() : space).toLowerCase(java.util.Locale.ROOT);
			String argument = (space < 0) ? "" : text.substring(space).strip();
			return new Slash(name, argument);
		}
		return new Prompt(text);
	}

	/**
	 * Reads one entry: a line, or a {@code """} block of lines.
	 * @return the entry, or {@code null} at the end of the input (a block left open there is sent as it is)
	 */
	static Entry read(Lines lines) throws IOException {
		String line = lines.next(false);
		if (line == null) {
			return null;
		}
		String start = line.stripLeading();
		if (!start.startsWith(BLOCK)) {
			return parse(line.strip(), false);
		}
		String first = start.substring(BLOCK.length());
		if (first.strip().endsWith(BLOCK) && !first.isBlank()) {
			String text = first.strip();
			return new Prompt(text.substring(0, text.length() - BLOCK.length()).strip());
		}
		StringBuilder text = new StringBuilder(first.isBlank() ? "" : first + "\n");
		while (true) {
			String next = lines.next(true);
			if (next == null) {
				break;
			}
			if (next.stripTrailing().endsWith(BLOCK)) {
				String end = next.stripTrailing();
				text.append(end, 0, end.length() - BLOCK.length());
				break;
			}
			text.append(next).append('\n');
		}
		return new Prompt(text.toString().strip());
	}

	private static int indexOfWhitespace(String text) {
		for (int i = 0; i < text.length(); i++) {
			if (Character.isWhitespace(text.charAt(i))) {
				return i;
			}
		}
		return -1;
	}

}
