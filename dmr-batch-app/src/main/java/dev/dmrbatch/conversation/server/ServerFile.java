package dev.dmrbatch.conversation.server;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

import dev.dmrbatch.text.Causes;
import dev.dmrbatch.text.SafeText;

import org.h2.api.ErrorCode;

/**
 * What a running store server tells the processes that use it, in {@code <database>.server} beside the database:
 * its port on 127.0.0.1, its process, the key that is the only database name it accepts and the database it serves.
 * Readable by its owner only, like the database, since the key opens the store.
 *
 * @param port the server's TCP port on 127.0.0.1
 * @param pid the server's process
 * @param startedMs when that process started, to tell a reused pid apart
 * @param key the database name the server maps to the store; any other name is refused
 * @param database the database the server serves, as {@link #identity} gives it: a copied or moved working folder's
 * file names another one
 */
record ServerFile(int port, long pid, long startedMs, String key, String database) {

	/** How {@link #unanswered} begins when nothing came back in time. */
	static final String SILENT = "did not answer within";

	/** How long an established connection waits for the server's answer unless the URL sets its own. */
	static final Duration NETWORK_TIMEOUT = Duration.ofMinutes(2);

	/** The server file of an H2 database, given as its path without extension. */
	static Path of(Path database) {
		return database.resolveSibling(database.getFileName() + ".server");
	}

	/** The lock file that lets one process at a time look for, start or end the database's server. */
	static Path lockOf(Path database) {
		return database.resolveSibling(database.getFileName() + ".server.lock");
	}

	/**
	 * The database as a server file names it: its absolute path with the links of its folder resolved, so that the
	 * same database is named alike however it is reached, and a copy of the folder (or the folder moved) names another.
	 * @param database the H2 database's path without extension, in a folder that exists
	 */
	static String identity(Path database) throws IOException {
		Path absolute = database.toAbsolutePath().normalize();
		return absolute.getParent().toRealPath().resolve(absolute.getFileName()).toString();
	}

	/** The file, or {@code null} when there is none or it cannot be read as one. */
	static ServerFile read(Path file) {
		String text;
		try {
			text = Files.readString(file, StandardCharsets.UTF_8);
		}
		catch (NoSuchFileException ex) {
			return null;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		Properties values = new Properties();
		try (Reader reader = new StringReader(text)) {
			values.load(reader);
			return new ServerFile(Integer.parseInt(values.getProperty("port")),
					Long.parseLong(values.getProperty("pid")), Long.parseLong(values.getProperty("started")),
					require(values.getProperty("key")), require(values.getProperty("database")));
		}
		catch (IOException | RuntimeException ex) {
			// half written, or not one of ours: as good as none
			return null;
		}
	}

	private static String require(String value) {
		if (value == null || value.isBlank()) {
			throw new IllegalArgumentException("missing");
		}
		return value;
	}

	/** Writes the file at once (a reader sees all of it or none), readable by its owner only. */
	void write(Path file) throws IOException {
		Properties values = new Properties();
		values.setProperty("port", String.valueOf(this.port));
		values.setProperty("pid", String.valueOf(this.pid));
		values.setProperty("started", String.valueOf(this.startedMs));
		values.setProperty("key", this.key);
		values.setProperty("database", this.database);
		StringWriter text = new StringWriter();
		values.store(text, "dmr-batch store server; removed when it ends");
		Path temporary = file.resolveSibling(file.getFileName() + "." + this.pid + ".tmp");
		if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
			Files.deleteIfExists(temporary);
			Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
		}
		Files.writeString(temporary, text.toString(), StandardCharsets.UTF_8);
		try {
			Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (AtomicMoveNotSupportedException ex) {
			Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
		}
	}

	/** Whether the server's process is alive: the same one that wrote the file, not a pid used again. */
	boolean alive() {
		return process().isPresent();
	}

	/** The server's process while it is alive, the same one that wrote the file. */
	Optional<ProcessHandle> process() {
		return ProcessHandle.of(this.pid)
			.filter(ProcessHandle::isAlive)
			.filter((process) -> process.info()
				.startInstant()
				.map(Instant::toEpochMilli)
				.map((start) -> Math.abs(start - this.startedMs) < 2000
						|| startedMsNow(this.pid).map((now) -> Math.abs(now - this.startedMs) < 2000).orElse(false))
				.orElse(true));
	}

	/**
	 * When a process started, on Linux: the kernel's clock ticks from boot to its start ({@code /proc/<pid>/stat})
	 * after the boot time as the clock gives it now ({@code /proc/stat}). The JDK's own figure keeps the boot time its
	 * JVM read first: in a process that has run for long, a clock set since (a virtual machine's clock synchronised)
	 * puts every process it starts from then on seconds or more away from the time that process gives itself, and a
	 * live server would be taken for a reused pid. Empty where there is no {@code /proc}.
	 */
	static Optional<Long> startedMsNow(long pid) {
		try {
			String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"), StandardCharsets.UTF_8);
			// after the command's closing parenthesis: field 3 (state) onwards; field 22 is the start, in ticks
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			long ticks = Long.parseLong(fields[22 - 3]);
			long bootSeconds = Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.UTF_8)
				.stream()
				.filter((line) -> line.startsWith("btime "))
				.map((line) -> Long.parseLong(line.substring("btime ".length()).strip()))
				.findFirst()
				.orElseThrow();
			return Optional.of(bootSeconds * 1000 + ticks * 1000 / CLOCK_TICKS_PER_SECOND);
		}
		catch (IOException | RuntimeException ex) {
			return Optional.empty();
		}
	}

	/** The kernel's clock ticks a second ({@code USER_HZ}), 100 on every Linux architecture the JDK runs on. */
	private static final long CLOCK_TICKS_PER_SECOND = 100;

	/**
	 * Why the server at the port does not answer as a store server within the time, or {@code null} when it does: H2's
	 * own handshake under another database name than the key, which a store server refuses at once (wrong user name or
	 * password) without opening its database. Anything else (no answer in time, a closed connection, another
	 * program's bytes) is a server that does not answer.
	 */
	String unanswered(Duration within) {
		Properties user = new Properties();
		user.setProperty("user", "");
		user.setProperty("password", "");
		String url = "jdbc:h2:tcp://127.0.0.1:" + this.port + "/dmr-batch-probe;IFEXISTS=TRUE;NETWORK_TIMEOUT="
				+ within.toMillis();
		try (Connection connection = new org.h2.Driver().connect(url, user)) {
			return "it opened a database under a name that is not its key";
		}
		catch (SQLException ex) {
			if (ex.getErrorCode() == ErrorCode.WRONG_USER_OR_PASSWORD) {
				return null;
			}
			if (Causes.has(ex, java.net.SocketTimeoutException.class)) {
				return SILENT + " " + within.toSeconds() + " s";
			}
			return "did not answer as a store server (" + SafeText.excerpt(SafeText.firstLine(ex.getMessage()), 200)
					+ ")";
		}
	}

	/**
	 * The JDBC URL of the store through this server, with the options given (each starting with {@code ;}): a
	 * connection waits at most {@link #NETWORK_TIMEOUT} for an answer unless the options set H2's own
	 * {@code NETWORK_TIMEOUT}.
	 */
	String url(String options) {
		String timeout = options.toUpperCase(Locale.ROOT).contains(";NETWORK_TIMEOUT=") ? ""
				: ";NETWORK_TIMEOUT=" + NETWORK_TIMEOUT.toMillis();
		return "jdbc:h2:tcp://127.0.0.1:" + this.port + "/" + this.key + options + timeout;
	}

}
