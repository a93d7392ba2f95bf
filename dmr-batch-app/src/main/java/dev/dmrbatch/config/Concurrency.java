package dev.dmrbatch.config;

import java.util.OptionalInt;

/**
 * How many requests a run keeps in flight: one rule wherever it is given (job file, command line, profile, a
 * runner of several), and the bound the shared HTTP client is sized for.
 */
public final class Concurrency {

	/** The most requests in flight to one runner. */
	public static final int MAX = 64;

	private Concurrency() {
	}

	/**
	 * A concurrency as written.
	 * @param value {@code auto}, a number from 1 to {@link #MAX}, or {@code null} (auto)
	 * @param what names the setting in the message, e.g. {@code concurrency=} or {@code concurrency of runner …}
	 * @return the number, or empty for {@code auto}
	 * @throws IllegalArgumentException naming the setting and the rule
	 */
	public static OptionalInt parse(String value, String what) {
		if (value == null || value.equals("auto")) {
			return OptionalInt.empty();
		}
		try {
			int n = Integer.parseInt(value.strip());
			if (n >= 1 && n <= MAX) {
				return OptionalInt.of(n);
			}
		}
		catch (NumberFormatException ex) {
			// the same message as a number out of bounds
		}
		String shown = dev.dmrbatch.text.SafeText.excerpt(value, 40);
		String given = what.endsWith("=") ? what + shown : what + " '" + shown + "'";
		throw new IllegalArgumentException(given + " must be 'auto' or a number from 1 to " + MAX);
	}

}
