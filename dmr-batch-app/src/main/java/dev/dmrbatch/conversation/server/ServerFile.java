package dev.dmrbatch.conversation.server;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Properties;

/**
 * What a running store server tells the processes that use it, in {@code <database>.server} beside the database:
 * its port on 127.0.0.1, its process and the key that is the only database name it accepts. Readable by its owner
 * only, like the database, since the key opens the store.
 *
 * @param port the server's TCP port on 127.0.0.1
 * @param pid the server's process
 * @param startedMs when that process started, to tell a reused pid apart
 * @param key the database name the server maps to the store; any other name is refused
 */
record ServerFile(int port, long pid, long startedMs, String key) {

	/** The server file of an H2 database, given as its path without extension. */
	static Path of(Path database) {
		return database.resolveSibling(database.getFileName() + ".server");
	}

	/** The lock file that lets one process at a time look for, start or end the database's server. */
	static Path lockOf(Path database) {
		return database.resolveSibling(database.getFileName() + ".server.lock");
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
					values.getProperty("key"));
		}
		catch (IOException | RuntimeException ex) {
			// half written, or not one of ours: as good as none
			return null;
		}
	}

	/** Writes the file at once (a reader sees all of it or none), readable by its owner only. */
	void write(Path file) throws IOException {
		Properties values = new Properties();
		values.setProperty("port", String.valueOf(this.port));
		values.setProperty("pid", String.valueOf(this.pid));
		values.setProperty("started", String.valueOf(this.startedMs));
		values.setProperty("key", this.key);
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

	/**
	 * Whether the server this file describes is there: its process alive (the same one, not a reused pid) and its
	 * port taking connections.
	 */
	boolean answers() {
		boolean alive = ProcessHandle.of(this.pid)
			.filter(ProcessHandle::isAlive)
			.filter((process) -> process.info()
				.startInstant()
				.map(Instant::toEpochMilli)
				.map((start) -> Math.abs(start - this.startedMs) < 2000)
				.orElse(true))
			.isPresent();
		if (!alive) {
			return false;
		}
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 2000);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** The JDBC URL of the store through this server, with the options given (each starting with {@code ;}). */
	String url(String options) {
		return "jdbc:h2:tcp://127.0.0.1:" + this.port + "/" + this.key + options;
	}

}
