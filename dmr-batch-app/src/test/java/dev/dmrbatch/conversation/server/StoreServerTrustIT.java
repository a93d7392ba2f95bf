package dev.dmrbatch.conversation.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;
import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.DmrProcess;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a command trusts of the store server that the server file names: a server that stops answering, or a port
 * that is no store server, ends the command in seconds (exit 5), and Ctrl-C or SIGTERM ends it at any time (exit 4);
 * a data folder, server file or server process of another user is refused (exit 2); a copied working folder uses a
 * server of its own, not the original's. Each command is a JVM of its own, as {@code java -jar} runs it.
 */
@ExtendWith(WorkspaceExtension.class)
class StoreServerTrustIT {

	/** No runner: none of these commands asks one. */
	private static final String NO_RUNNER = "http://127.0.0.1:9/v1";

	/** How long a command may take, start to end, where it used to wait forever. */
	private static final Duration BOUND = Duration.ofSeconds(30);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	Workspace workspace;

	/** Every command here meets the store server, the commands run in this JVM too. */
	@BeforeEach
	void shareTheStore() {
		this.workspace.shareStore();
	}

	@Test
	void aStoreServerStoppedWithKillStopEndsTheNextCommandInSecondsWithOneLine() throws Exception {
		// given: a live store server, then stopped (kill -STOP)
		liveServer();
		long server = Long.parseLong(serverFile().get("pid"));
		signal("STOP", server);
		try {
			// when
			long start = System.nanoTime();
			DmrProcess runs = DmrProcess.start(this.workspace, NO_RUNNER, "runs");
			int code = runs.waitFor(BOUND);

			// then: exit 5 in seconds, one line naming the server's process
			assertOneLine(runs, code, 5);
			assertThat(runs.err()).contains("store server").contains("process " + server).contains("did not answer");
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(25));
		}
		finally {
			signal("CONT", server);
		}
	}

	@Test
	void aServerFileNamingAListenerThatSaysNothingEndsTheCommandInSeconds() throws Exception {
		try (Silent silent = new Silent()) {
			writeServerFile(ProcessHandle.current(), silent.port());

			DmrProcess runs = DmrProcess.start(this.workspace, NO_RUNNER, "runs");
			int code = runs.waitFor(BOUND);

			assertOneLine(runs, code, 5);
			assertThat(runs.err()).contains("did not answer within");
			assertThat(silent.accepted).as("the command knocked").isNotEmpty();
		}
	}

	@Test
	void aServerFileNamingAnHttpServerEndsTheCommandInSeconds() throws Exception {
		HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		http.createContext("/", (exchange) -> {
			byte[] body = "hello\n".getBytes(StandardCharsets.UTF_8);
			exchange.sendResponseHeaders(200, body.length);
			exchange.getResponseBody().write(body);
			exchange.close();
		});
		http.start();
		try {
			writeServerFile(ProcessHandle.current(), http.getAddress().getPort());

			DmrProcess runs = DmrProcess.start(this.workspace, NO_RUNNER, "runs");
			int code = runs.waitFor(BOUND);

			assertOneLine(runs, code, 5);
			assertThat(runs.err()).contains("store server").contains("did not answer");
		}
		finally {
			http.stop(0);
		}
	}

	@Test
	void sigtermEndsACommandBlockedOnTheStoreServer() throws Exception {
		try (Silent silent = new Silent()) {
			writeServerFile(ProcessHandle.current(), silent.port());
			DmrProcess runs = DmrProcess.start(this.workspace, NO_RUNNER, "runs");
			// the command has sent its greeting and waits for the server's answer, which never comes
			assertThat(silent.knocked.await(1, TimeUnit.MINUTES)).as("the command connected").isTrue();

			long signalled = System.nanoTime();
			runs.terminate();
			int code = runs.waitFor(BOUND);

			assertThat(code).as(runs.err()).isEqualTo(4);
			assertThat(Duration.ofNanos(System.nanoTime() - signalled)).isLessThan(Duration.ofSeconds(2));
			assertThat(runs.err()).contains("SIGTERM").doesNotContain("Exception").doesNotContain("\tat ");
		}
	}

	@Test
	void ctrlCEndsACommandBlockedOnTheStoreServer() throws Exception {
		try (Silent silent = new Silent()) {
			writeServerFile(ProcessHandle.current(), silent.port());
			// SIGINT as a terminal's Ctrl-C delivers it, even when this test runs where it is ignored
			DmrProcess runs = DmrProcess.startWith(List.of("env", "--default-signal=INT"), this.workspace, NO_RUNNER,
					"runs");
			// the command has sent its greeting and waits for the server's answer, which never comes
			assertThat(silent.knocked.await(1, TimeUnit.MINUTES)).as("the command connected").isTrue();

			long signalled = System.nanoTime();
			runs.interrupt();
			int code = runs.waitFor(BOUND);
			Duration took = Duration.ofNanos(System.nanoTime() - signalled);

			assertThat(code).as(runs.err()).isEqualTo(4);
			// within 2 s of Ctrl-C, as the docs promise, the store server's silence notwithstanding
			assertThat(took).isLessThan(Duration.ofSeconds(2));
			assertThat(runs.err()).contains("SIGINT").doesNotContain("Exception").doesNotContain("\tat ");
		}
	}

	@Test
	void aDataFolderOfAnotherUserIsRefusedAndNothingIsWrittenInIt() throws Exception {
		Path data = Files.createDirectories(this.workspace.path("data"));
		Files.setOwner(data, nobody());

		Dmr.Result runs = this.workspace.dmrAt(NO_RUNNER, "runs");

		assertThat(runs.exitCode()).as(runs.toString()).isEqualTo(2);
		assertThat(errorLines(runs.err())).as(runs.err())
			.containsExactly("error: the data folder " + data + " belongs to nobody, not to "
					+ System.getProperty("user.name") + ": dmr-batch keeps every prompt and answer there, so it uses "
					+ "only a folder of its own");
		try (var files = Files.list(data)) {
			assertThat(files).as("written in the other user's folder").isEmpty();
		}
	}

	@Test
	void aServerFileOfAnotherUserIsRefused() throws Exception {
		// given: the working folder's own server, whose file then belongs to another user
		liveServer();
		Path file = this.workspace.path("data/dmr-batch.server");
		Files.setOwner(file, nobody());

		Dmr.Result runs = this.workspace.dmrAt(NO_RUNNER, "runs");

		assertThat(runs.exitCode()).as(runs.toString()).isEqualTo(2);
		assertThat(errorLines(runs.err())).as(runs.err()).singleElement().asString()
			.startsWith("error: the store server file " + file + " belongs to nobody, not to "
					+ System.getProperty("user.name"));
	}

	@Test
	void aServerProcessOfAnotherUserIsRefused() throws Exception {
		Process other = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sleep", "120")
			.start();
		try (ServerSocket listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			while (!other.info().user().orElse("").equals("nobody") && System.nanoTime() < deadline) {
				Thread.sleep(20); // setpriv becomes sleep, as nobody
			}
			writeServerFile(other.toHandle(), listening.getLocalPort());

			Dmr.Result runs = this.workspace.dmrAt(NO_RUNNER, "runs");

			assertThat(runs.exitCode()).as(runs.toString()).isEqualTo(2);
			assertThat(errorLines(runs.err())).as(runs.err()).singleElement().asString()
				.startsWith("error: the store server named in " + this.workspace.path("data/dmr-batch.server")
						+ " is process " + other.pid() + " of nobody, not of " + System.getProperty("user.name"));
		}
		finally {
			other.destroyForcibly().waitFor();
		}
	}

	@Test
	void aCopyOfAWorkingFolderWhoseServerIsLiveWritesIntoItsOwnStore() throws Exception {
		// given: a run in the original, whose server stays
		job("a");
		job("b");
		DmrProcess a = DmrProcess.start(this.workspace, LocalRunner.baseUrl(), "job=a", "--dmr.store.idle=60s");
		assertThat(a.waitFor()).as(a.err()).isZero();
		long original = Long.parseLong(serverFile().get("pid"));
		Path copyRoot = Path.of(this.workspace.root() + "-copy");
		Process cp = new ProcessBuilder("cp", "-a", this.workspace.root().toString(), copyRoot.toString()).start();
		assertThat(cp.waitFor()).isZero();
		Workspace copy = new Workspace(copyRoot);
		try {
			// when: a run of another job in the copy
			DmrProcess b = DmrProcess.start(copy, LocalRunner.baseUrl(), "job=b");
			assertThat(b.waitFor()).as(b.err()).isZero();

			// then: the original's store does not have b, the copy's has both; the copy has its own server, said in
			// one line of the log
			assertThat(jobsIn(this.workspace)).containsExactly("a");
			assertThat(jobsIn(copy)).containsExactlyInAnyOrder("a", "b");
			assertThat(b.out()).contains("b run 2 COMPLETED: 2 items, 2 ok, 0 failed");
			assertThat(b.err()).contains("names the store server of another database (" + this.workspace.path("data")
				.toRealPath()
				.resolve("dmr-batch") + "); starting this one's own");
			assertThat(Long.parseLong(serverFileOf(copy).get("pid"))).isNotEqualTo(original);
			assertThat(Long.parseLong(serverFile().get("pid"))).isEqualTo(original);
		}
		finally {
			try (var paths = Files.walk(copyRoot)) {
				paths.sorted(java.util.Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
			}
		}
	}

	// --- helpers

	/** Starts the working folder's store server, as a command that uses the store does, for a minute. */
	private void liveServer() {
		SharedStore.url(this.workspace.path("data/dmr-batch"), "", Duration.ofSeconds(60));
	}

	/** Job {@code <name>} over two items of its own. */
	private void job(String name) {
		this.workspace.file("jobs/" + name + ".yaml", """
				input: { format: csv, path: input/%s.csv, id: id }
				model: { name: ai/tiny, max_tokens: 8 }
				steps:
				  - name: answer
				    prompt: "Item ${record.id}: ${text}"
				""".formatted(name));
		this.workspace.file("input/" + name + ".csv", "id,text\n" + name + "1,one\n" + name + "2,two\n");
	}

	private static List<String> jobsIn(Workspace workspace) throws Exception {
		DmrProcess runs = DmrProcess.start(workspace, NO_RUNNER, "runs", "--json");
		assertThat(runs.waitFor(BOUND)).as(runs.err()).isZero();
		@SuppressWarnings("unchecked")
		List<Map<String, Object>> listed = JSON.readValue(runs.out(), List.class);
		return listed.stream().map((run) -> String.valueOf(run.get("job"))).toList();
	}

	private Map<String, String> serverFile() throws IOException {
		return serverFileOf(this.workspace);
	}

	private static Map<String, String> serverFileOf(Workspace workspace) throws IOException {
		java.util.Properties values = new java.util.Properties();
		try (var reader = Files.newBufferedReader(workspace.path("data/dmr-batch.server"))) {
			values.load(reader);
		}
		return Map.of("pid", values.getProperty("pid"), "port", values.getProperty("port"));
	}

	/** A server file as a store server of this working folder's database writes it, naming the process and port. */
	private void writeServerFile(ProcessHandle process, int port) throws IOException {
		Path data = Files.createDirectories(this.workspace.path("data"));
		Path file = data.resolve("dmr-batch.server");
		Files.writeString(file, "port=" + port + "\npid=" + process.pid() + "\nstarted="
				+ process.info().startInstant().map(Instant::toEpochMilli).orElse(0L)
				+ "\nkey=0123456789abcdef0123456789abcdef\ndatabase=" + data.toRealPath().resolve("dmr-batch") + "\n");
		Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
	}

	private static UserPrincipal nobody() throws IOException {
		return java.nio.file.FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
	}

	private static void signal(String name, long pid) throws Exception {
		assertThat(new ProcessBuilder("kill", "-" + name, String.valueOf(pid)).start().waitFor()).isZero();
	}

	private static List<String> errorLines(String err) {
		return err.lines().filter((line) -> line.contains("error:")).toList();
	}

	private static void assertOneLine(DmrProcess process, int code, int expected) throws IOException {
		String err = process.err();
		assertThat(code).as(err).isEqualTo(expected);
		assertThat(errorLines(err)).as(err).hasSize(1);
		assertThat(err).doesNotContain("Exception").doesNotContain("\tat ");
	}

	/** A TCP listener on 127.0.0.1 that takes connections and never says a word. */
	private static final class Silent implements AutoCloseable {

		final ServerSocket socket;

		final List<Socket> accepted = new CopyOnWriteArrayList<>();

		final CountDownLatch knocked = new CountDownLatch(1);

		Silent() throws IOException {
			this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
			Thread acceptor = new Thread(() -> {
				try {
					while (true) {
						Socket connection = this.socket.accept();
						this.accepted.add(connection);
						drain(connection, this.knocked);
					}
				}
				catch (IOException ex) {
					// closed
				}
			}, "silent-listener");
			acceptor.setDaemon(true);
			acceptor.start();
		}

		/** Reads what the connection sends, and says so once something came: it then waits for an answer. */
		private static void drain(Socket connection, CountDownLatch knocked) {
			Thread reader = new Thread(() -> {
				try (InputStream in = connection.getInputStream()) {
					if (in.read() >= 0) {
						knocked.countDown();
					}
					in.transferTo(java.io.OutputStream.nullOutputStream());
				}
				catch (IOException ex) {
					// closed
				}
			});
			reader.setDaemon(true);
			reader.start();
		}

		int port() {
			return this.socket.getLocalPort();
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
			for (Socket connection : this.accepted) {
				connection.close();
			}
		}

	}

}
