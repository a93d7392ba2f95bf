package dev.dmrbatch.cache;

import java.util.Locale;

import dev.dmrbatch.text.SafeText;

/**
 * Whether a run reuses stored answers: {@code off} (the default) sends every call; {@code on} reuses a stored
 * answer to the same request and stores the new ones; {@code refresh} sends every call again and stores the new
 * answers, which later runs reuse.
 */
public enum CacheMode {

	OFF, ON, REFRESH;

	/**
	 * The mode a value names ({@code on}, {@code off}, {@code refresh}).
	 * @param what where the value was given, for the message
	 * @throws IllegalArgumentException naming {@code what} when the value is none of them
	 */
	public static CacheMode parse(String value, String what) {
		return switch ((value != null) ? value.strip().toLowerCase(Locale.ROOT) : "") {
			case "on", "true" -> ON;
			case "off", "false" -> OFF;
			case "refresh" -> REFRESH;
			default -> throw new IllegalArgumentException(what + " must be on, off or refresh, not '" + SafeText.excerpt(value, 40) + "'");
		};
	}

	@Override
	public String toString() {
		return name().toLowerCase(Locale.ROOT);
	}

}
