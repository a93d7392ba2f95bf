package dev.dmrbatch.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;

import dev.dmrbatch.conversation.server.SharedStore;

/** A working folder for one test: jobs/, templates/, input/, output/ and data/ of its own. */
public final class Workspace {

	private final Path root;

	public Workspace(Path root) {
		this.root = root;
	}

	/** Runs dmr-batch in this working folder against the local runner (started when it is not running yet). */
	public Dmr.Result dmr(String... args) {
		return Dmr.run(this, LocalRunner.baseUrl(), args);
	}

	/** Runs dmr-batch in this working folder against the runner at the given base URL (none: the profile's). */
	public Dmr.Result dmrAt(String baseUrl, String... args) {
		return Dmr.run(this, baseUrl, args);
	}

	public Path root() {
		return this.root;
	}

	public Path path(String relative) {
		return this.root.resolve(relative);
	}

	/**
	 * The JDBC URL of this working folder's store as dmr-batch opens it: through its store server, found or started
	 * the same way, so that the test reads and writes it while dmr-batch processes have it open.
	 */
	public String storeUrl() {
		return SharedStore.url(path("data/dmr-batch"), "", Duration.ofSeconds(30));
	}

	/** A connection to this working folder's store (see {@link #storeUrl()}); the caller closes it. */
	public Connection store() throws SQLException {
		return DriverManager.getConnection(storeUrl(), "sa", "");
	}

	public Workspace file(String relative, String content) {
		Path file = this.root.resolve(relative);
		try {
			Files.createDirectories(file.getParent());
			Files.writeString(file, content, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return this;
	}

	public Workspace bytes(String relative, byte[] content) {
		Path file = this.root.resolve(relative);
		try {
			Files.createDirectories(file.getParent());
			Files.write(file, content);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return this;
	}

	public String read(String relative) {
		try {
			return Files.readString(this.root.resolve(relative), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
