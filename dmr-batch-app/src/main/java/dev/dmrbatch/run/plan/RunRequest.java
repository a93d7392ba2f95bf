package dev.dmrbatch.run.plan;

import java.util.Map;

import dev.dmrbatch.input.TrialSelection;

/**
 * What the command line asks for: {@code job=}, {@code input=}, {@code output=}, {@code model=}, {@code run=},
 * {@code concurrency=}, {@code var.<key>=}, {@code base-url=} (one runner, or several: {@code a,b}), {@code cache=} and
 * {@code cluster=} ({@code on} or {@code off}), the trial run's part of the input ({@code limit=}, {@code sample=}), and
 * the pacing ({@code rate=}, {@code tokens-rate=}, as written).
 * Absent values are {@code null}. Made by name: {@link #of} the job, then a {@code with} for each value given.
 */
public record RunRequest(String job, String input, String output, String model, String label, String concurrency,
		Map<String, String> vars, String baseUrl, String cache, String cluster, TrialSelection trial, String rate,
		String tokensRate) {

	/** A run of a job with nothing else given. */
	public static RunRequest of(String job) {
		return new RunRequest(job, null, null, null, null, null, Map.of(), null, null, null, null, null, null);
	}

	public RunRequest withInput(String newInput) {
		return new RunRequest(job, newInput, output, model, label, concurrency, vars, baseUrl, cache, cluster, trial,
				rate, tokensRate);
	}

	public RunRequest withOutput(String newOutput) {
		return new RunRequest(job, input, newOutput, model, label, concurrency, vars, baseUrl, cache, cluster, trial,
				rate, tokensRate);
	}

	public RunRequest withModel(String newModel) {
		return new RunRequest(job, input, output, newModel, label, concurrency, vars, baseUrl, cache, cluster, trial,
				rate, tokensRate);
	}

	public RunRequest withLabel(String newLabel) {
		return new RunRequest(job, input, output, model, newLabel, concurrency, vars, baseUrl, cache, cluster, trial,
				rate, tokensRate);
	}

	public RunRequest withConcurrency(String newConcurrency) {
		return new RunRequest(job, input, output, model, label, newConcurrency, vars, baseUrl, cache, cluster, trial,
				rate, tokensRate);
	}

	public RunRequest withVars(Map<String, String> newVars) {
		return new RunRequest(job, input, output, model, label, concurrency, newVars, baseUrl, cache, cluster, trial,
				rate, tokensRate);
	}

	public RunRequest withBaseUrl(String newBaseUrl) {
		return new RunRequest(job, input, output, model, label, concurrency, vars, newBaseUrl, cache, cluster, trial,
				rate, tokensRate);
	}

	public RunRequest withCache(String newCache) {
		return new RunRequest(job, input, output, model, label, concurrency, vars, baseUrl, newCache, cluster, trial,
				rate, tokensRate);
	}

	public RunRequest withCluster(String newCluster) {
		return new RunRequest(job, input, output, model, label, concurrency, vars, baseUrl, cache, newCluster, trial,
				rate, tokensRate);
	}

	public RunRequest withTrial(TrialSelection newTrial) {
		return new RunRequest(job, input, output, model, label, concurrency, vars, baseUrl, cache, cluster, newTrial,
				rate, tokensRate);
	}

	/** The pacing: {@code rate=} and {@code tokens-rate=} as written. */
	public RunRequest withRates(String newRate, String newTokensRate) {
		return new RunRequest(job, input, output, model, label, concurrency, vars, baseUrl, cache, cluster, trial,
				newRate, newTokensRate);
	}

}
