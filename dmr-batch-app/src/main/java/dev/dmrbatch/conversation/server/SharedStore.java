package dev.dmrbatch.conversation.server;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.dmrbatch.conversation.StoreFolder;
import dev.dmrbatch.text.SafeText;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.core.env.PropertySource;

/**
 * Finds the {@link StoreServer} of an H2 file database, or starts one: the server file beside the database names a
 * live server, else (none, one left by a server that was killed, or one that names another database: a copied or
 * moved working folder) a new server is started, under a lock file so that two processes starting at once start one
 * server between them. The server is a detached JVM (the same Java, the same class path or jar) in a session of its
 * own where {@code setsid} exists, with no tie to the terminal or the output of the process that started it, so that
 * it outlives that process.
 * <p>
 * Only what belongs to the user this process runs as is trusted: a data folder, server file or server process of
 * another user is refused. A live server must answer H2's handshake within {@link #ANSWER} before its URL is handed
 * out; one that does not (stopped, hung, or another program on its port) ends the command with exit code 5.
 */
public final class SharedStore {

	/** How long a process waits for a server it started to answer. */
	static final Duration START = Duration.ofSeconds(20);

	/** How long a live server has to answer H2's handshake. */
	static final Duration ANSWER = Duration.ofSeconds(5);

	/** Exit code of a command whose store server does not answer: the job failed (as when a runner went away). */
	static final int NOT_ANSWERING = 5;

	private static final String WHY_OWN_SERVER = "dmr-batch trusts only a store server of its own user with every prompt "
			+ "and answer";

	private static final Log log = LogFactory.getLog(SharedStore.class);

	private SharedStore() {
	}

	/**
	 * The JDBC URL of the database through its server, started when none answers; options (each with its leading
	 * {@code ;}) are added as given.
	 * @param database the H2 database's path without extension
	 * @param idle how long a server started now stays without sessions
	 */
	public static String url(Path database, String options, Duration idle) {
		return find(database.toAbsolutePath().normalize(), idle, log).url(options);
	}

	/** Whether this application opens its store through a store server. */
	public static boolean inUse(org.springframework.core.env.Environment environment) {
		return environment instanceof org.springframework.core.env.ConfigurableEnvironment configurable
				&& configurable.getPropertySources().contains(SharedStoreEnvironment.SOURCE);
	}

	/**
	 * Starts looking for the store server (or starting one), on a thread of its own, as a command that uses the store
	 * begins, so that the server's start overlaps with what the command makes before it first needs the store.
	 * Nothing for a store without a server.
	 */
	public static void prepare(org.springframework.core.env.Environment environment) {
		prepare(environment, false);
	}

	/**
	 * As {@link #prepare(org.springframework.core.env.Environment)}, for a command that may only read the store,
	 * briefly ({@code runs}, {@code show}): with no server up it opens the store file itself, and a process that asks
	 * for the store meanwhile waits until it has closed it, rather than a server being started for one short read.
	 */
	public static void prepare(org.springframework.core.env.Environment environment, boolean briefReader) {
		PropertySource<?> source = (environment instanceof org.springframework.core.env.ConfigurableEnvironment configurable)
				? configurable.getPropertySources().get(SharedStoreEnvironment.SOURCE) : null;
		if (source != null && source.getSource() instanceof SharedStoreEnvironment.Pending pending) {
			pending.prepare(briefReader);
		}
	}

	/** The database's log of a server that could not start, beside it. */
	static Path logOf(Path database) {
		return database.resolveSibling(database.getFileName() + ".server.log");
	}

	/** @param log where a server file of another database is told of, in one line */
	static ServerFile find(Path database, Duration idle, Log log) {
		return find(database, idle, log, false).server();
	}

	/**
	 * What a command opens the store through: the live store server, or, for a command that only reads the store
	 * briefly ({@code hold}) while no server is up, the store file itself, {@link Held held} under the lock that every
	 * process takes to find the server, so that a process coming meanwhile waits for it to end (and then starts the
	 * server) rather than finding the file in use.
	 */
	record Found(ServerFile server, Held held) {
	}

	/** The lock of a store file opened in this process: released once the file is closed. */
	static final class Held implements AutoCloseable {

		private final FileChannel channel;

		Held(FileChannel channel) {
			this.channel = channel;
		}

		/** Releases the lock (closing its channel does), for the next process to find or start the server. */
		@Override
		public void close() {
			try {
				this.channel.close();
			}
			catch (IOException ex) {
				// the lock goes with the process at the latest
			}
		}

	}

	/**
	 * @param hold whether a command that only reads the store briefly opens the file itself, held under the lock,
	 * when no server is up, instead of starting one
	 */
	static Found find(Path database, Duration idle, Log log, boolean hold) {
		Path serverFile = ServerFile.of(database);
		try {
			StoreFolder.requireOwn(database.getParent(), StoreFolder.DATA_FOLDER, StoreFolder.WHY_OWN_FOLDER);
			StoreFolder.createPrivate(database.getParent());
			String identity = ServerFile.identity(database);
			Path lockFile = ServerFile.lockOf(database);
			if (!Files.exists(lockFile) && posix()) {
				try {
					Files.createFile(lockFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
				}
				catch (java.nio.file.FileAlreadyExistsException ex) {
					// another process made it first
				}
			}
			FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
			boolean held = false;
			try {
				lock(channel, database);
				StoreFolder.requireOwn(serverFile, "the store server file", WHY_OWN_SERVER);
				ServerFile running = ServerFile.read(serverFile);
				if (running != null && !running.database().equals(identity)) {
					log.info(serverFile + " names the store server of another database (" + running.database() + "); "
							+ (hold ? "opening this one's file" : "starting this one's own")
							+ " (a copied or moved working folder)");
				}
				else if (running != null && running.alive()) {
					requireOwn(running, serverFile);
					String unanswered = running.unanswered(ANSWER);
					if (unanswered == null) {
						claim(serverFile);
						return new Found(running, null);
					}
					// a server that was ending meanwhile removes its file first: then a new one is started
					if (running.alive() && running.equals(ServerFile.read(serverFile))) {
						String what = unanswered.startsWith(ServerFile.SILENT)
								? "let it go on if it was stopped (kill -CONT " + running.pid() + ") or end it (kill "
										+ running.pid() + ")"
								: "end it (kill " + running.pid() + "), or remove the server file if that process is no "
										+ "store server";
						throw new StoreServerException("the store server of " + database + " (process " + running.pid()
								+ " on 127.0.0.1:" + running.port() + ", named in " + serverFile + ") " + unanswered
								+ ": " + what + ", then run the command again", NOT_ANSWERING);
					}
				}
				Files.deleteIfExists(serverFile);
				if (hold) {
					held = true;
					return new Found(null, new Held(channel));
				}
				return new Found(start(database, idle, serverFile), null);
			}
			finally {
				if (!held) {
					channel.close();
				}
			}
		}
		catch (IOException ex) {
			throw new StoreServerException("cannot start the store server for " + database + ": "
					+ SafeText.firstLine(String.valueOf(ex.getMessage())), ex);
		}
	}

	/**
	 * Takes the lock that processes take to find the server, waiting for it as long as it is held: by another process,
	 * or by another thread of this one (which Java does not queue for: it refuses at once), at most {@link #START}.
	 */
	private static void lock(FileChannel channel, Path database) throws IOException {
		long deadline = System.nanoTime() + START.toNanos();
		while (true) {
			try {
				channel.lock();
				return;
			}
			catch (java.nio.channels.OverlappingFileLockException ex) {
				if (System.nanoTime() > deadline) {
					throw new StoreServerException("the store of " + database + " stayed in use by this process for "
							+ START.toSeconds() + " s", NOT_ANSWERING);
				}
				try {
					Thread.sleep(10);
				}
				catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
					throw new StoreServerException("interrupted while waiting for the store of " + database, interrupted);
				}
			}
		}
	}

	/** Refuses a live server process of another user than this process's. */
	private static void requireOwn(ServerFile running, Path serverFile) {
		Integer own = StoreFolder.runningUid();
		ProcessHandle process = running.process().orElse(null);
		if (own == null || process == null) {
			return;
		}
		String owner = null;
		Path proc = Path.of("/proc", String.valueOf(running.pid()));
		try {
			if (Files.isDirectory(proc)) {
				Object uid = Files.getAttribute(proc, "unix:uid");
				owner = (uid instanceof Integer id && id.intValue() != own.intValue())
						? Files.getOwner(proc).getName() : null;
			}
			else {
				String user = process.info().user().orElse(null);
				owner = (user != null && !user.equals(StoreFolder.runningUser())) ? user : null;
			}
		}
		catch (IOException | UnsupportedOperationException | IllegalArgumentException ex) {
			// ended meanwhile, or no owner to tell
		}
		if (owner != null) {
			throw new StoreServerException("the store server named in " + serverFile + " is process " + running.pid()
					+ " of " + owner + ", not of " + StoreFolder.runningUser() + ": " + WHY_OWN_SERVER);
		}
	}

	/** Tells the server that a process is about to connect, so that it does not end for being idle meanwhile. */
	private static void claim(Path serverFile) throws IOException {
		Files.setLastModifiedTime(serverFile, FileTime.from(Instant.now()));
	}

	private static ServerFile start(Path database, Duration idle, Path serverFile) throws IOException {
		Path log = logOf(database);
		Files.deleteIfExists(log);
		if (posix()) {
			Files.createFile(log, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
		}
		ProcessBuilder builder = new ProcessBuilder(command(database, idle)).directory(database.getParent().toFile())
			.redirectInput(ProcessBuilder.Redirect.from(new File(posix() ? "/dev/null" : "NUL")))
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.redirectError(ProcessBuilder.Redirect.to(log.toFile()));
		// options meant for the user's own JVM (a debugger's port, an agent) are not the server's
		builder.environment().remove("JAVA_TOOL_OPTIONS");
		builder.environment().remove("JDK_JAVA_OPTIONS");
		Process process = builder.start();
		long deadline = System.nanoTime() + START.toNanos();
		while (System.nanoTime() < deadline) {
			ServerFile started = ServerFile.read(serverFile);
			if (started != null && started.alive() && started.unanswered(ANSWER) == null) {
				return started;
			}
			if (!process.isAlive() && process.exitValue() != 0) {
				throw new StoreServerException("the store server for " + database + " ended as it started"
						+ reason(log));
			}
			try {
				Thread.sleep(10);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
		}
		throw new StoreServerException("the store server for " + database + " did not answer within "
				+ START.toSeconds() + " s" + reason(log));
	}

	private static String reason(Path log) {
		try {
			List<String> lines = Files.readAllLines(log).stream().filter((line) -> !line.isBlank()).toList();
			return lines.isEmpty() ? "" : ": " + SafeText.firstLine(lines.get(0)) + " (" + log + ")";
		}
		catch (IOException | UncheckedIOException ex) {
			return "";
		}
	}

	/**
	 * The command that starts the server: from the application's jar through Spring Boot's launcher, which finds the
	 * classes inside it, or from the class path as it is (an extracted jar, the tests).
	 */
	static List<String> command(Path database, Duration idle) {
		List<String> command = new ArrayList<>();
		Path setsid = setsid();
		if (setsid != null) {
			command.add(setsid.toString());
		}
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		// a small JVM that mostly waits: the quick compiler only, the serial collector, no statistics file
		command.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xshare:auto"));
		// absolute: the server runs in the data folder
		String classPath = String.join(File.pathSeparator, Arrays.stream(System.getProperty("java.class.path")
			.split(File.pathSeparator)).map((entry) -> Path.of(entry).toAbsolutePath().toString()).toList());
		ClassLoader loader = SharedStore.class.getClassLoader();
		if (loader != null && loader.getClass().getName().startsWith("org.springframework.boot.loader.")) {
			command.addAll(List.of("-Dloader.main=" + StoreServer.class.getName(), "-cp", classPath,
					"org.springframework.boot.loader.launch.PropertiesLauncher"));
		}
		else {
			command.addAll(List.of("-cp", classPath, StoreServer.class.getName()));
		}
		command.add(database.toString());
		command.add(String.valueOf(idle.toMillis()));
		return command;
	}

	/** setsid(1), which starts a program in a new session: no signal to the parent's process group reaches it. */
	private static Path setsid() {
		for (String folder : new String[] { "/usr/bin", "/bin" }) {
			Path setsid = Path.of(folder, "setsid");
			if (Files.isExecutable(setsid)) {
				return setsid;
			}
		}
		return null;
	}

	private static boolean posix() {
		return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
	}

}
