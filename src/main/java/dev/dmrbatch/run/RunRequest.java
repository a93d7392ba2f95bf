package dev.dmrbatch.run;

import java.util.Map;

/**
 * What the command line asks for: {@code job=}, {@code input=}, {@code output=}, {@code model=}, {@code run=},
 * {@code concurrency=} and {@code var.<key>=}. Absent values are {@code null}.
 */
public record RunRequest(String job, String input, String output, String model, String label, String concurrency,
		Map<String, String> vars) {
}
