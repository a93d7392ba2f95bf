package dev.dmrbatch.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server from Debian's packages, started once per test JVM by {@code scripts/local-postgres};
 * each test gets a database of its own. When it cannot start, the tests that need it fail: they never skip.
 */
public final class LocalPostgres {

	public static final int PORT = Integer.parseInt(System.getenv().getOrDefault("DMR_TEST_PG_PORT", "15432"));

	private static final AtomicInteger databases = new AtomicInteger();

	private static boolean started;

	private LocalPostgres() {
	}

	/** A new, empty database owned by the dmrbatch user; its JDBC URL. */
	public static synchronized String freshDatabase() {
		if (!started) {
			start();
			started = true;
		}
		String name = "t" + ProcessHandle.current().pid() + "_" + databases.incrementAndGet();
		try (Connection admin = DriverManager.getConnection(url("postgres"), "postgres", "");
				Statement sql = admin.createStatement()) {
			sql.execute("drop database if exists " + name);
			sql.execute("create database " + name + " owner dmrbatch");
		}
		catch (SQLException ex) {
			throw new IllegalStateException("cannot create a test database on port " + PORT + ": " + ex.getMessage(), ex);
		}
		return url(name);
	}

	/** Runs SQL in a test's database as its owner. */
	public static void execute(String url, String statement) {
		try (Connection connection = DriverManager.getConnection(url, "dmrbatch", "dmrbatch");
				Statement sql = connection.createStatement()) {
			sql.execute(statement);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(statement + ": " + ex.getMessage(), ex);
		}
	}

	private static String url(String database) {
		return "jdbc:postgresql://127.0.0.1:" + PORT + "/" + database;
	}

	private static void start() {
		List<String> command = List.of(Path.of("scripts", "local-postgres").toAbsolutePath().toString(), "start",
				"--port", String.valueOf(PORT));
		try {
			Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
			String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
				process.destroyForcibly();
				throw new IllegalStateException("PostgreSQL could not start: " + String.join(" ", command) + "\n" + out);
			}
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
