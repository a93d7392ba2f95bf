package dev.dmrbatch.input;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A trial run's part of the input: its first {@code size} records ({@code limit=}), or {@code size} records drawn
 * uniformly with a seed ({@code sample=}, {@code sample-seed=}). Its items keep the input's own record numbers and ids.
 *
 * @param size how many records, at least 1
 * @param seed the sample's seed, or {@code null} for the first records
 */
public record TrialSelection(int size, Long seed) {

	/** The seed of a {@code sample=} given none, so the same command draws the same records. */
	public static final long DEFAULT_SEED = 0;

	private static final Pattern NAME = Pattern.compile("first-(\\d+)|sample-(\\d+)-seed-(-?\\d+)");

	public static TrialSelection first(int size) {
		return new TrialSelection(size, null);
	}

	public static TrialSelection sample(int size, long seed) {
		return new TrialSelection(size, seed);
	}

	/** Whether it draws a sample rather than taking the first records. */
	public boolean sampled() {
		return this.seed != null;
	}

	/** What it takes, as {@code first-10} or {@code sample-10-seed-7}: kept with the run. */
	public String name() {
		return sampled() ? "sample-" + this.size + "-seed-" + this.seed : "first-" + this.size;
	}

	/** The label of a trial run given no {@code run=}: {@code try-first-10}, {@code try-sample-10-seed-7}. */
	public String label() {
		return "try-" + name();
	}

	/** The selection a {@link #name()} names, or {@code null} for none or another text. */
	public static TrialSelection parse(String name) {
		Matcher matcher = (name != null) ? NAME.matcher(name) : null;
		if (matcher == null || !matcher.matches()) {
			return null;
		}
		return (matcher.group(1) != null) ? first(Integer.parseInt(matcher.group(1)))
				: sample(Integer.parseInt(matcher.group(2)), Long.parseLong(matcher.group(3)));
	}

}
