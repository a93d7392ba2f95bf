package dev.dmrbatch.launch;

import java.util.Arrays;

/**
 * The arguments answered before anything starts: {@code help}, {@code -h}, {@code --help} and a command line without
 * arguments (the usage), {@code version} and {@code --version}. A class of its own, which loads nothing else, so
 * that {@code main} asks it before anything ({@link ExtractedJar} is not even loaded for them).
 */
public final class AtOnce {

	private AtOnce() {
	}

	/** Whether the arguments ask for the usage or the version, or say nothing. */
	public static boolean answers(String[] args) {
		return asksVersion(args) || asksHelp(args) || words(args) == 0;
	}

	public static boolean asksVersion(String[] args) {
		return has(args, "--version") || (words(args) == 1 && has(args, "version"));
	}

	public static boolean asksHelp(String[] args) {
		return has(args, "--help") || has(args, "help") || has(args, "-h");
	}

	private static boolean has(String[] args, String arg) {
		return Arrays.asList(args).contains(arg);
	}

	/** The arguments that are not {@code --} options. */
	private static int words(String[] args) {
		int words = 0;
		for (String arg : args) {
			if (!arg.startsWith("--")) {
				words++;
			}
		}
		return words;
	}

}
