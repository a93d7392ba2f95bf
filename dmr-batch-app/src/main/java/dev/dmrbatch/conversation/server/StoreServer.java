package dev.dmrbatch.conversation.server;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

import org.h2.server.TcpServer;
import org.h2.tools.Server;

/**
 * The store server: a JVM of its own, without Spring, that serves one H2 database to the dmr-batch processes of one
 * working folder, so that several can use the store at once. {@link SharedStore} starts it, detached, when no
 * server answers for the database; it runs H2's TCP server on a free port of 127.0.0.1 only, for that database only
 * (a random key, written to the server file, is the only database name it accepts; the file also names the database,
 * so that a copy of the working folder is not served by it), and ends by itself once no process has had a session
 * open for the idle time, removing its server file. A server whose file was removed or
 * taken over ends as soon as no session is open.
 *
 * <pre>java -cp &lt;classpath&gt; dev.dmrbatch.conversation.server.StoreServer &lt;database&gt; &lt;idle ms&gt;</pre>
 */
public final class StoreServer {

	private static final Duration TICK = Duration.ofMillis(500);

	private final Path database;

	private final Duration idle;

	private final ServerFile file;

	private final Server server;

	private final String managementPassword;

	private StoreServer(Path database, Duration idle) throws SQLException, IOException {
		this.database = database;
		this.idle = idle;
		this.managementPassword = random();
		String key = random();
		this.server = Server
			.createTcpServer("-tcpPort", "0", "-baseDir", database.getParent().toString(), "-key", key,
					"./" + database.getFileName(), "-ifNotExists", "-tcpPassword", this.managementPassword)
			.start();
		ProcessHandle self = ProcessHandle.current();
		this.file = new ServerFile(this.server.getPort(), self.pid(),
				self.info().startInstant().map(Instant::toEpochMilli).orElse(0L), key, ServerFile.identity(database));
	}

	public static void main(String[] args) throws Exception {
		if (args.length != 2) {
			System.err.println("usage: StoreServer <database path without extension> <idle milliseconds>");
			System.exit(2);
		}
		ignoreTerminalSignals();
		// started from a jar extracted into the cache folder: that folder is kept while this server runs
		dev.dmrbatch.launch.ExtractedJar.holdClassPathInUse();
		// bound to the loopback address only (H2 would listen on every address and refuse others' connections)
		System.setProperty("h2.bindAddress", "127.0.0.1");
		StoreServer store = new StoreServer(Path.of(args[0]).toAbsolutePath().normalize(),
				Duration.ofMillis(Long.parseLong(args[1])));
		Runtime.getRuntime().addShutdownHook(new Thread(store::stop, "store-server-stop"));
		store.file.write(ServerFile.of(store.database));
		store.watch();
		store.stop();
		System.exit(0);
	}

	/**
	 * Ctrl-C and a closed terminal reach the parent's whole process group; where the server could not be started in a
	 * session of its own, it must not end with the command that started it.
	 */
	private static void ignoreTerminalSignals() {
		for (String name : new String[] { "INT", "HUP" }) {
			try {
				sun.misc.Signal.handle(new sun.misc.Signal(name), sun.misc.SignalHandler.SIG_IGN);
			}
			catch (IllegalArgumentException | UnsupportedOperationException ex) {
				// no such signal here
			}
		}
	}

	/** Returns once the server has had no session for the idle time, or none at all after its file went away. */
	private void watch() throws InterruptedException {
		Path serverFile = ServerFile.of(this.database);
		long quietSince = System.nanoTime();
		while (true) {
			Thread.sleep(TICK.toMillis());
			if (sessions() > 0) {
				quietSince = System.nanoTime();
				continue;
			}
			if (!this.file.equals(ServerFile.read(serverFile))) {
				return; // removed, or another server's now: nothing will come here any more
			}
			Duration quiet = Duration.ofNanos(System.nanoTime() - quietSince);
			if (quiet.compareTo(this.idle) >= 0 && claimedBefore(serverFile, this.idle) && endUnclaimed(serverFile)) {
				return;
			}
		}
	}

	/**
	 * Removes the server file, under the lock that processes take to find the server, unless a process found it
	 * within the idle time (it touches the file) and is about to connect. False when the server must stay.
	 */
	private boolean endUnclaimed(Path serverFile) {
		try (FileChannel channel = FileChannel.open(ServerFile.lockOf(this.database), StandardOpenOption.CREATE,
				StandardOpenOption.WRITE); FileLock lock = channel.tryLock()) {
			if (lock == null || sessions() > 0 || !claimedBefore(serverFile, this.idle)) {
				return false;
			}
			Files.deleteIfExists(serverFile);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static boolean claimedBefore(Path serverFile, Duration idle) {
		try {
			Instant claimed = Files.getLastModifiedTime(serverFile).toInstant();
			return Duration.between(claimed, Instant.now()).compareTo(idle) >= 0;
		}
		catch (IOException ex) {
			return true;
		}
	}

	/** The sessions open now, from the H2 server's own list. */
	private int sessions() {
		try (Connection management = DriverManager.getConnection(
				"jdbc:h2:" + TcpServer.getManagementDbName(this.server.getPort()), "", this.managementPassword);
				Statement statement = management.createStatement();
				ResultSet count = statement.executeQuery("select count(*) from sessions")) {
			count.next();
			return count.getInt(1);
		}
		catch (SQLException ex) {
			return 1; // cannot tell: stay
		}
	}

	/** Removes its file first, so that a process finding the server meanwhile starts a new one instead of failing. */
	private synchronized void stop() {
		Path serverFile = ServerFile.of(this.database);
		try {
			if (this.file.equals(ServerFile.read(serverFile))) {
				Files.deleteIfExists(serverFile);
			}
		}
		catch (IOException | RuntimeException ex) {
			// the next process finds the file stale and replaces it
		}
		if (this.server.isRunning(false)) {
			this.server.stop();
		}
		try {
			// its log holds only what went wrong
			Path log = SharedStore.logOf(this.database);
			if (Files.isRegularFile(log) && Files.size(log) == 0) {
				Files.deleteIfExists(log);
			}
		}
		catch (IOException | RuntimeException ex) {
			// left as it is
		}
	}

	private static String random() {
		byte[] bytes = new byte[16];
		new SecureRandom().nextBytes(bytes);
		return HexFormat.of().formatHex(bytes);
	}

}
