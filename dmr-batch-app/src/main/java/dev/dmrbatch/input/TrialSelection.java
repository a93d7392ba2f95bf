package dev.dmrbatch.input;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.dmrbatch.text.SafeText;

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

	/**
	 * The trial run given as {@code limit=<n>} (the first n records) or {@code sample=<n>} (n records drawn with
	 * {@code sample-seed=}, else {@link #DEFAULT_SEED}), each value as written; {@code null} for neither.
	 * @throws IllegalArgumentException in one sentence for a value that is not a whole number from 1, both, or a seed
	 * without a sample
	 */
	public static TrialSelection of(String limit, String sample, String seed) {
		if (limit != null && sample != null) {
			throw new IllegalArgumentException("limit= and sample= cannot go together: a trial takes either the first "
					+ "records or a sample of them");
		}
		if (seed != null && sample == null) {
			throw new IllegalArgumentException("sample-seed= goes with sample=<n>; it draws that sample");
		}
		if (limit != null) {
			return first(count("limit", limit));
		}
		if (sample == null) {
			return null;
		}
		long drawn = DEFAULT_SEED;
		if (seed != null) {
			try {
				drawn = Long.parseLong(seed.strip());
			}
			catch (NumberFormatException ex) {
				throw new IllegalArgumentException("sample-seed=" + SafeText.excerpt(seed, 40) + " is not a whole number");
			}
		}
		return sample(count("sample", sample), drawn);
	}

	private static int count(String key, String value) {
		int count;
		try {
			count = Integer.parseInt(value.strip());
		}
		catch (NumberFormatException ex) {
			count = 0;
		}
		if (count < 1) {
			throw new IllegalArgumentException(key + "=" + SafeText.excerpt(value, 40) + " is not a number of records: "
					+ "give a whole number from 1 to " + Integer.MAX_VALUE);
		}
		return count;
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
