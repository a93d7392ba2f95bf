package dev.dmrbatch.cli;

import dev.dmrbatch.text.SafeText;

/**
 * What dmr-batch says to its user: errors on stderr, one line each; the summary and where the results are on
 * stdout, so a script can read them apart from the logs. Control characters in either (a model name or an error
 * from the runner may hold some) are shown as their pictures (ESC as ␛), never sent to the terminal as they are,
 * and a value quoted whole in a message (a pasted secret, a file given as an argument) is cut
 * ({@link SafeText#clipped}).
 */
final class Console {

	private Console() {
	}

	static void error(String message) {
		System.err.println("error: " + SafeText.visible(SafeText.clipped(message)));
		System.err.flush();
	}

	static void warning(String message) {
		System.err.println("warning: " + SafeText.visible(SafeText.clipped(message)));
		System.err.flush();
	}

	static void out(String line) {
		System.out.println(SafeText.visible(line));
		System.out.flush();
	}

}
