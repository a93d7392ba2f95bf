package dev.dmrbatch.run.plan;

import java.util.Map;

import dev.dmrbatch.input.TrialSelection;

/**
 * What the command line asks for: {@code job=}, {@code input=}, {@code output=}, {@code model=}, {@code run=},
 * {@code concurrency=}, {@code var.<key>=}, {@code base-url=} (one runner, or several: {@code a,b}), {@code cache=} and
 * {@code cluster=} ({@code on} or {@code off}), the trial run's part of the input ({@code limit=}, {@code sample=}), and
 * the pacing ({@code rate=}, {@code tokens-rate=}, as written), how many times each item is asked ({@code repeat=},
 * as written).
 * Absent values are {@code null}.
 */
public record RunRequest(String job, String input, String output, String model, String label, String concurrency,
		Map<String, String> vars, String baseUrl, String cache, String cluster, TrialSelection trial, String rate,
		String tokensRate, String repeat) {

	public RunRequest(String job, String input, String output, String model, String label, String concurrency,
			Map<String, String> vars, String baseUrl, String cache, String cluster, TrialSelection trial, String rate,
			String tokensRate) {
		this(job, input, output, model, label, concurrency, vars, baseUrl, cache, cluster, trial, rate, tokensRate,
				null);
	}

	public RunRequest(String job, String input, String output, String model, String label, String concurrency,
			Map<String, String> vars, String baseUrl, String cache, String cluster, TrialSelection trial) {
		this(job, input, output, model, label, concurrency, vars, baseUrl, cache, cluster, trial, null, null);
	}

	public RunRequest(String job, String input, String output, String model, String label, String concurrency,
			Map<String, String> vars, String baseUrl, String cache, String cluster) {
		this(job, input, output, model, label, concurrency, vars, baseUrl, cache, cluster, null);
	}

	public RunRequest(String job, String input, String output, String model, String label, String concurrency,
			Map<String, String> vars, String baseUrl, String cache) {
		this(job, input, output, model, label, concurrency, vars, baseUrl, cache, null);
	}

	public RunRequest(String job, String input, String output, String model, String label, String concurrency,
			Map<String, String> vars, String baseUrl) {
		this(job, input, output, model, label, concurrency, vars, baseUrl, null);
	}

	public RunRequest withLabel(String newLabel) {
		return new RunRequest(job, input, output, model, newLabel, concurrency, vars, baseUrl, cache, cluster, trial,
				rate, tokensRate, repeat);
	}

	public RunRequest withTrial(TrialSelection newTrial) {
		return new RunRequest(job, input, output, model, label, concurrency, vars, baseUrl, cache, cluster, newTrial,
				rate, tokensRate, repeat);
	}

	public RunRequest withRepeat(String newRepeat) {
		return new RunRequest(job, input, output, model, label, concurrency, vars, baseUrl, cache, cluster, trial,
				rate, tokensRate, newRepeat);
	}

	public RunRequest(String job, String input, String output, String model, String label, String concurrency,
			Map<String, String> vars) {
		this(job, input, output, model, label, concurrency, vars, null);
	}

}
