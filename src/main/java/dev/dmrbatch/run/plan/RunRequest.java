package dev.dmrbatch.run.plan;

import java.util.Map;

/**
 * What the command line asks for: {@code job=}, {@code input=}, {@code output=}, {@code model=}, {@code run=},
 * {@code concurrency=}, {@code var.<key>=} and {@code base-url=} (one runner, or several: {@code a,b}). Absent values are {@code null}.
 */
public record RunRequest(String job, String input, String output, String model, String label, String concurrency,
		Map<String, String> vars, String baseUrl) {

	public RunRequest(String job, String input, String output, String model, String label, String concurrency,
			Map<String, String> vars) {
		this(job, input, output, model, label, concurrency, vars, null);
	}

}
