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

	/**
	 * The standard output held back while a command that read the store for a moment has it open
	 * ({@link #holdOutput}), written once the application has closed; {@code null} when output goes out at once.
	 */
	private static StringBuilder held;

	/** Whether output may be held back: only within {@link CommandLine#launch}, which releases it whatever happens. */
	private static boolean holdable;

	private Console() {
	}

	/**
	 * Holds back what goes to standard output until {@link #releaseOutput}: a command that opened the store file
	 * itself ({@code runs}, {@code show}) keeps it, and every other process waiting, only while it reads, not while
	 * a pager or a full pipe blocks its printing.
	 */
	static synchronized void holdOutput() {
		if (holdable && held == null) {
			held = new StringBuilder();
		}
	}

	/** From now until {@link #releaseOutput}, a command may hold its output back. */
	static synchronized void mayHoldOutput() {
		holdable = true;
	}

	/** Writes what was held back, once the application has closed (and the store with it). */
	static synchronized void releaseOutput() {
		holdable = false;
		if (held != null) {
			String lines = held.toString();
			held = null;
			System.out.print(lines);
			System.out.flush();
		}
	}

	static void error(String message) {
		System.err.println("error: " + SafeText.visible(SafeText.clipped(message)));
		System.err.flush();
	}

	static void warning(String message) {
		System.err.println("warning: " + SafeText.visible(SafeText.clipped(message)));
		System.err.flush();
	}

	static synchronized void out(String line) {
		if (held != null) {
			held.append(SafeText.visible(line)).append(System.lineSeparator());
			return;
		}
		System.out.println(SafeText.visible(line));
		System.out.flush();
	}

}
