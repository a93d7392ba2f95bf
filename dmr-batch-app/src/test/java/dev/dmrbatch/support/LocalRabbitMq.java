package dev.dmrbatch.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real RabbitMQ broker from Debian's packages, started once per test JVM by {@code scripts/local-rabbitmq} (a node
 * of its own on 127.0.0.1, RabbitMQ's guest user). Every store has a queue of its own on it, so tests with databases
 * of their own share it. When it cannot start, the tests that need it fail: they never skip.
 */
public final class LocalRabbitMq {

	public static final int PORT = Integer.parseInt(System.getenv().getOrDefault("DMR_TEST_RABBITMQ_PORT", "15682"));

	private static String url;

	private LocalRabbitMq() {
	}

	/** The broker's URL, {@code amqp://127.0.0.1:<port>}, once it answers. */
	public static synchronized String url() {
		if (url == null) {
			url = script("start", 10);
		}
		return url;
	}

	/** Stops the broker (its queues and their messages are kept, as on a restart); {@link #restart()} starts it. */
	public static synchronized void stop() {
		script("stop", 2);
	}

	public static synchronized void restart() {
		url = script("start", 10);
	}

	private static String script(String command, int minutes) {
		List<String> line = List.of(Path.of("scripts", "local-rabbitmq").toAbsolutePath().toString(), command, "--port",
				String.valueOf(PORT));
		try {
			Process process = new ProcessBuilder(line).redirectError(ProcessBuilder.Redirect.INHERIT).start();
			String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(minutes, TimeUnit.MINUTES) || process.exitValue() != 0) {
				process.destroyForcibly();
				throw new IllegalStateException("RabbitMQ could not " + command + ": " + String.join(" ", line) + "\n" + out);
			}
			String[] lines = out.strip().split("\n");
			return lines[lines.length - 1].strip();
		}
		catch (IOException ex) {
			throw new IllegalStateException("cannot run " + line + ": " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
