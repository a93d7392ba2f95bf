package dev.dmrbatch.cli;

/**
 * What dmr-batch says to its user: errors on stderr, one line each; the summary and where the results are on
 * stdout, so a script can read them apart from the logs.
 */
final class Console {

	private Console() {
	}

	static void error(String message) {
		System.err.println("error: " + message);
		System.err.flush();
	}

	static void warning(String message) {
		System.err.println("warning: " + message);
		System.err.flush();
	}

	static void out(String line) {
		System.out.println(line);
		System.out.flush();
	}

}
