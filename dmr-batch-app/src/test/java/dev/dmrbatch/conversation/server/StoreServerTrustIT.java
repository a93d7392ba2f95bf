package dev.dmrbatch.conversation.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.dmrbatch.support.DmrProcess;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a command trusts of the store server that the server file names: Ctrl-C or SIGTERM ends a command at any
 * time, whatever it waits for (exit 4). Each command is a JVM of its own, as {@code java -jar} runs it.
 */
@ExtendWith(WorkspaceExtension.class)
class StoreServerTrustIT {

	/** No runner: none of these commands asks one. */
	private static final String NO_RUNNER = "http://127.0.0.1:9/v1";

	/** How long a command may take, start to end, where it used to wait forever. */
	private static final Duration BOUND = Duration.ofSeconds(30);

	Workspace workspace;

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
			assertThat(Duration.ofNanos(System.nanoTime() - signalled)).isLessThan(Duration.ofSeconds(5));
			assertThat(runs.err()).contains("SIGTERM").doesNotContain("Exception").doesNotContain("\tat ");
		}
	}

	// --- helpers

	/** A server file as a store server of this working folder's database writes it, naming the process and port. */
	private void writeServerFile(ProcessHandle process, int port) throws IOException {
		Path data = Files.createDirectories(this.workspace.path("data"));
		Path file = data.resolve("dmr-batch.server");
		Files.writeString(file, "port=" + port + "\npid=" + process.pid() + "\nstarted="
				+ process.info().startInstant().map(Instant::toEpochMilli).orElse(0L)
				+ "\nkey=0123456789abcdef0123456789abcdef\ndatabase=" + data.toRealPath().resolve("dmr-batch") + "\n");
		Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
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
