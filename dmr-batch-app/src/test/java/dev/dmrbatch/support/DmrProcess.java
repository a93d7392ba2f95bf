package dev.dmrbatch.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.dmrbatch.DmrBatchApplication;

/**
 * dmr-batch in a JVM of its own, as {@code java -jar} runs it, for what cannot happen in-process: kill -9, SIGTERM.
 */
public final class DmrProcess {

	private final Process process;

	private final Path out;

	private final Path err;

	private DmrProcess(Process process, Path out, Path err) {
		this.process = process;
		this.out = out;
		this.err = err;
	}

	/**
	 * The command line that runs dmr-batch from the test classpath, as {@code java -jar} would, with the quick
	 * compiler only, as {@code scripts/dmr-batch} runs it: a short process spends most of its CPU in C2's warm-up.
	 */
	public static List<String> command(Workspace workspace, String baseUrl, String... args) {
		workspace.shareStore();
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
				DmrBatchApplication.class.getName()));
		command.addAll(Arrays.asList(args));
		command.add("--dmr.home=" + workspace.root());
		command.add("--dmr.base-url=" + baseUrl);
		return command;
	}

	/** Whether the build's launcher is ready, once per test JVM: {@code null} before it was looked at. */
	private static Boolean launcherReady;

	/**
	 * The command line of a dmr-batch process the way a user starts it: {@code scripts/dmr-batch} (the packaged jar,
	 * extracted, with its class archive and the quick compiler: about 1.6 CPU-s a start instead of 4) when the build
	 * packaged the jar before the integration tests ({@code dmr.test.launcher}, set by {@code mvn verify}), else
	 * {@link #command} from the test class path. The launcher execs the JVM: the process's pid is the JVM's, for
	 * kill -9 and signals.
	 */
	public static List<String> launched(Workspace workspace, String baseUrl, String... args) {
		workspace.shareStore();
		String launcher = System.getProperty("dmr.test.launcher");
		if (launcher == null || launcher.isBlank() || !prepare(Path.of(launcher))) {
			return command(workspace, baseUrl, args);
		}
		List<String> command = new ArrayList<>(List.of(launcher));
		command.addAll(Arrays.asList(args));
		command.add("--dmr.home=" + workspace.root());
		command.add("--dmr.base-url=" + baseUrl);
		return command;
	}

	/** Prepares the launcher's fast start once (it says so on stderr the first time), before any test reads it. */
	private static synchronized boolean prepare(Path launcher) {
		if (launcherReady == null) {
			launcherReady = false;
			try {
				Path jar = launcher.toAbsolutePath().getParent().resolveSibling("target").resolve("dmr-batch.jar");
				if (Files.isExecutable(launcher) && Files.isRegularFile(jar)) {
					Process process = new ProcessBuilder(launcher.toString(), "--version")
						.redirectOutput(ProcessBuilder.Redirect.DISCARD)
						.redirectError(ProcessBuilder.Redirect.DISCARD)
						.start();
					launcherReady = process.waitFor(5, TimeUnit.MINUTES) && process.exitValue() == 0;
				}
			}
			catch (IOException ex) {
				launcherReady = false;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		return launcherReady;
	}

	public static DmrProcess start(Workspace workspace, String baseUrl, String... args) throws IOException {
		return start(workspace, java.util.Map.of(), launched(workspace, baseUrl, args));
	}

	/** As {@link #start}, with these variables added to the process's environment. */
	public static DmrProcess start(Workspace workspace, java.util.Map<String, String> environment, String baseUrl,
			String... args) throws IOException {
		return start(workspace, environment, launched(workspace, baseUrl, args));
	}

	/**
	 * As {@link #start}, the command run by {@code prefix} (such as {@code ip netns exec <name>}, which runs it in a
	 * network namespace; the process's pid is then the JVM's, as {@code ip netns exec} becomes it).
	 */
	public static DmrProcess startWith(List<String> prefix, Workspace workspace, String baseUrl, String... args)
			throws IOException {
		List<String> command = new ArrayList<>(prefix);
		command.addAll(launched(workspace, baseUrl, args));
		return start(workspace, java.util.Map.of(), command);
	}

	/** As {@link #start}, with no {@code --dmr.home}: the working folder is the process's current one, the workspace. */
	public static DmrProcess startInWorkspace(Workspace workspace, String baseUrl, String... args) throws IOException {
		List<String> command = new ArrayList<>(launched(workspace, baseUrl, args));
		command.remove("--dmr.home=" + workspace.root());
		return start(workspace, java.util.Map.of(), command);
	}

	private static DmrProcess start(Workspace workspace, java.util.Map<String, String> environment, List<String> command)
			throws IOException {
		Path out = Files.createTempFile(workspace.root(), "dmr", ".out");
		Path err = Files.createTempFile(workspace.root(), "dmr", ".err");
		ProcessBuilder builder = new ProcessBuilder(command).directory(workspace.root().toFile())
			.redirectOutput(out.toFile())
			.redirectError(err.toFile());
		builder.environment().putAll(environment);
		Process process = builder.start();
		return new DmrProcess(process, out, err);
	}

	/** kill -9: no shutdown hook, no chance to commit. */
	public void kill() throws InterruptedException {
		this.process.destroyForcibly();
		this.process.waitFor(30, TimeUnit.SECONDS);
	}

	/** SIGTERM, as Ctrl-C or a service manager sends it. */
	public void terminate() {
		this.process.destroy();
	}

	/**
	 * SIGINT, as Ctrl-C on a terminal sends it. A process started from a script in the background has SIGINT ignored,
	 * and so has every process it starts: start the process through {@code env --default-signal=INT}
	 * ({@link #startWith}) for it to be delivered.
	 */
	public void interrupt() throws IOException, InterruptedException {
		Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(pid())).inheritIO().start();
		if (kill.waitFor() != 0) {
			throw new IllegalStateException("kill -INT " + pid() + " failed");
		}
	}

	public int waitFor() throws InterruptedException {
		if (!this.process.waitFor(3, TimeUnit.MINUTES)) {
			this.process.destroyForcibly();
			throw new IllegalStateException("dmr-batch did not end within 3 minutes");
		}
		return this.process.exitValue();
	}

	/** Its exit code once it has ended; fails, after a kill -9, when it has not ended within the limit. */
	public int waitFor(java.time.Duration limit) throws InterruptedException, IOException {
		if (!this.process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
			this.process.destroyForcibly();
			this.process.waitFor(30, TimeUnit.SECONDS);
			throw new AssertionError("dmr-batch did not end within " + limit.toSeconds() + " s: " + err());
		}
		return this.process.exitValue();
	}

	/**
	 * Waits while this process runs until {@code requests} counts {@code count}; fails when the process ends first or
	 * after two minutes.
	 */
	public void awaitRequests(java.util.function.IntSupplier requests, int count) throws Exception {
		long deadline = System.nanoTime() + java.time.Duration.ofMinutes(2).toNanos();
		while (requests.getAsInt() < count) {
			if (!isAlive()) {
				throw new AssertionError("dmr-batch ended before " + count + " requests: " + err());
			}
			if (System.nanoTime() > deadline) {
				throw new AssertionError("waited two minutes for " + count + " requests, saw " + requests.getAsInt());
			}
			Thread.sleep(10);
		}
	}

	/** What the process reads as its stdin (a pipe): a chat's turns, written and flushed one at a time. */
	public java.io.OutputStream stdin() {
		return this.process.getOutputStream();
	}

	public long pid() {
		return this.process.pid();
	}

	public boolean isAlive() {
		return this.process.isAlive();
	}

	public String out() throws IOException {
		return Files.readString(this.out);
	}

	public String err() throws IOException {
		return Files.readString(this.err);
	}

}
