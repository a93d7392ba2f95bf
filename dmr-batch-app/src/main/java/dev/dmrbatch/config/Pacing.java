package dev.dmrbatch.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.dmrbatch.text.SafeText;

/**
 * How fast a run may send to one runner, on top of its concurrency: {@code rate=} (requests per second or minute)
 * and {@code tokens-rate=} (prompt and completion tokens per second or minute). One rule wherever they are given
 * (command line, job file, profile); each runner of several gets limits of its own.
 *
 * @param requests the requests a runner may be sent in any window of {@link Rate#per()}, or {@code null} for no limit
 * @param tokens the tokens a runner's answered calls may use in any such window, or {@code null} for no limit
 */
public record Pacing(Rate requests, Rate tokens) {

	/** No limit but the concurrency. */
	public static final Pacing NONE = new Pacing(null, null);

	/** The most requests or tokens a rate may name: a window keeps one entry per request in it. */
	public static final long MAX_REQUESTS = 100_000;

	public static final long MAX_TOKENS = 1_000_000_000L;

	private static final Pattern FORM = Pattern.compile("([0-9]{1,12})/(s|min)");

	/**
	 * An amount per window.
	 * @param text as written, {@code 120/min}: how messages and the progress line name it
	 */
	public record Rate(long amount, Duration per, String text) {
	}

	/** Whether neither limit is set: a run then does nothing more than check this per request. */
	public boolean isNone() {
		return this.requests == null && this.tokens == null;
	}

	/** Each limit this one does not set taken from {@code under}. */
	public Pacing or(Pacing under) {
		return new Pacing((this.requests != null) ? this.requests : under.requests,
				(this.tokens != null) ? this.tokens : under.tokens);
	}

	/** {@code rate=120/min, tokens-rate=50000/min}: the limits set, as they are given at launch. */
	public String describe() {
		StringBuilder text = new StringBuilder();
		if (this.requests != null) {
			text.append("rate=").append(this.requests.text());
		}
		if (this.tokens != null) {
			text.append((text.length() > 0) ? ", " : "").append("tokens-rate=").append(this.tokens.text());
		}
		return text.toString();
	}

	/**
	 * The limits as written.
	 * @param rate requests per second or minute ({@code 10/s}, {@code 120/min}), or {@code null}
	 * @param tokensRate tokens per second or minute ({@code 50000/min}), or {@code null}
	 * @param rateWhat names the setting in the message, e.g. {@code rate=}, {@code rate}, {@code dmr.rate}
	 * @param tokensWhat as {@code rateWhat}, for the tokens
	 * @throws IllegalArgumentException naming the setting and the rule
	 */
	public static Pacing parse(String rate, String rateWhat, String tokensRate, String tokensWhat) {
		return new Pacing(rate(rate, rateWhat, "requests", "10/s or 120/min", MAX_REQUESTS),
				rate(tokensRate, tokensWhat, "tokens", "50000/min", MAX_TOKENS));
	}

	private static Rate rate(String value, String what, String unit, String example, long max) {
		if (value == null) {
			return null;
		}
		Matcher form = FORM.matcher(value.strip());
		if (form.matches()) {
			long amount = Long.parseLong(form.group(1));
			if (amount >= 1 && amount <= max) {
				Duration per = form.group(2).equals("s") ? Duration.ofSeconds(1) : Duration.ofMinutes(1);
				return new Rate(amount, per, amount + "/" + form.group(2));
			}
		}
		String shown = SafeText.excerpt(value, 40);
		String given = what.endsWith("=") ? what + shown : what + " '" + shown + "'";
		throw new IllegalArgumentException(given + " must be a number of " + unit + " from 1 to " + max
				+ " per second or per minute, such as " + example);
	}

}
