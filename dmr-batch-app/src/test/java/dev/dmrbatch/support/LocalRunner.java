package dev.dmrbatch.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real model runner the integration tests talk to: llama.cpp's llama-server serving tiny generated models under
 * Docker Model Runner's URL layout ({@code /engines/llama.cpp/v1}) and names ({@code ai/tiny}, {@code ai/tiny2}),
 * started once per test JVM by {@code scripts/local-runner}. When it cannot start, the tests that need it fail:
 * they never skip.
 */
public final class LocalRunner {

	/** The port of the tests' runner; not Docker Model Runner's 12434, so a real one can keep running. */
	public static final int PORT = Integer.parseInt(System.getenv().getOrDefault("DMR_TEST_PORT", "12439"));

	public static final String MODEL = "ai/tiny";

	public static final String OTHER_MODEL = "ai/tiny2";

	private static String baseUrl;

	private LocalRunner() {
	}

	/**
	 * Starts the runner if it is not running yet, and returns its OpenAI-compatible base URL; {@code DMR_TEST_BASE_URL}
	 * points the tests at a runner that is already running instead (it must serve ai/tiny and ai/tiny2).
	 */
	public static synchronized String baseUrl() {
		if (baseUrl == null) {
			String given = System.getenv("DMR_TEST_BASE_URL");
			baseUrl = (given != null && !given.isBlank()) ? given : start(PORT, List.of());
		}
		return baseUrl;
	}

	/** Starts a runner on another port with extra options (for tests that need their own, e.g. a tiny context). */
	public static String start(int port, List<String> options) {
		return start(List.of(), port, options);
	}

	/**
	 * As {@link #start(int, List)}, the script run by {@code prefix}: {@code ip netns exec <name>} starts the runner
	 * in that network namespace, on its loopback, and checks it there. {@link #stop} stops it from anywhere.
	 */
	public static String start(List<String> prefix, int port, List<String> options) {
		List<String> command = new java.util.ArrayList<>(prefix);
		command.addAll(List.of(script().toString(), "start", "--port", String.valueOf(port)));
		command.addAll(options);
		String output = run(command, Duration.ofMinutes(15));
		String[] lines = output.strip().split("\n");
		return lines[lines.length - 1].strip();
	}

	public static void stop(int port) {
		run(List.of(script().toString(), "stop", "--port", String.valueOf(port)), Duration.ofMinutes(1));
	}

	private static Path script() {
		return Path.of("scripts", "local-runner").toAbsolutePath();
	}

	private static String run(List<String> command, Duration timeout) {
		try {
			Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
			byte[] out = process.getInputStream().readAllBytes();
			if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException("the local model runner did not start within " + timeout + ": "
						+ String.join(" ", command));
			}
			if (process.exitValue() != 0) {
				throw new IllegalStateException("the local model runner could not start (exit " + process.exitValue()
						+ "): " + String.join(" ", command));
			}
			return new String(out, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new IllegalStateException("cannot run " + command + ": " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
