package dev.dmrbatch.run.plan;

import java.util.Map;

import dev.dmrbatch.input.TrialSelection;

/**
 * What the command line asks for: {@code job=}, {@code input=}, {@code output=}, {@code model=}, {@code run=},
 * {@code concurrency=}, {@code var.<key>=}, {@code base-url=} (one runner, or several: {@code a,b}), {@code cache=} and
 * {@code cluster=} ({@code on} or {@code off}), the trial run's part of the input ({@code limit=}, {@code sample=}), and
 * the pacing ({@code rate=}, {@code tokens-rate=}, as written), how many times each item is asked ({@code repeat=},
 * as written).
 * Absent values are {@code null}. Made by name: {@link #of} the job, then what is given.
 */
public record RunRequest(String job, String input, String output, String model, String label, String concurrency,
		Map<String, String> vars, String baseUrl, String cache, String cluster, TrialSelection trial, String rate,
		String tokensRate, String repeat) {

	/** A run of a job, with nothing else given until the builder is told. */
	public static Builder of(String job) {
		return new Builder(job);
	}

	public RunRequest withLabel(String newLabel) {
		Builder copy = toBuilder();
		copy.label = newLabel;
		return copy.build();
	}

	public RunRequest withRepeat(String newRepeat) {
		Builder copy = toBuilder();
		copy.repeat = newRepeat;
		return copy.build();
	}

	public RunRequest withTrial(TrialSelection newTrial) {
		Builder copy = toBuilder();
		copy.trial = newTrial;
		return copy.build();
	}

	private Builder toBuilder() {
		return of(this.job).input(this.input).output(this.output).model(this.model).label(this.label)
			.concurrency(this.concurrency).vars(this.vars).baseUrl(this.baseUrl).cache(this.cache).cluster(this.cluster)
			.trial(this.trial).rates(this.rate, this.tokensRate).repeat(this.repeat);
	}

	/** A request's values by name; see {@link RunRequest} for each. */
	public static final class Builder {

		private final String job;

		private String input;

		private String output;

		private String model;

		private String label;

		private String concurrency;

		private Map<String, String> vars = Map.of();

		private String baseUrl;

		private String cache;

		private String cluster;

		private TrialSelection trial;

		private String rate;

		private String tokensRate;

		private String repeat;

		private Builder(String job) {
			this.job = job;
		}

		public Builder input(String input) {
			this.input = input;
			return this;
		}

		public Builder output(String output) {
			this.output = output;
			return this;
		}

		public Builder model(String model) {
			this.model = model;
			return this;
		}

		/** {@code run=}: the run's label, or {@code new}. */
		public Builder label(String label) {
			this.label = label;
			return this;
		}

		public Builder concurrency(String concurrency) {
			this.concurrency = concurrency;
			return this;
		}

		public Builder vars(Map<String, String> vars) {
			this.vars = vars;
			return this;
		}

		public Builder baseUrl(String baseUrl) {
			this.baseUrl = baseUrl;
			return this;
		}

		public Builder cache(String cache) {
			this.cache = cache;
			return this;
		}

		public Builder cluster(String cluster) {
			this.cluster = cluster;
			return this;
		}

		public Builder trial(TrialSelection trial) {
			this.trial = trial;
			return this;
		}

		/** The pacing: {@code rate=} and {@code tokens-rate=} as written. */
		public Builder rates(String rate, String tokensRate) {
			this.rate = rate;
			this.tokensRate = tokensRate;
			return this;
		}

		/** {@code repeat=}: how many times each item is asked, as written. */
		public Builder repeat(String repeat) {
			this.repeat = repeat;
			return this;
		}

		public RunRequest build() {
			return new RunRequest(this.job, this.input, this.output, this.model, this.label, this.concurrency,
					this.vars, this.baseUrl, this.cache, this.cluster, this.trial, this.rate, this.tokensRate,
					this.repeat);
		}

	}

}
