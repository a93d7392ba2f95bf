package dev.dmrbatch.conversation.server;

import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class ServerFileTest {

	@TempDir
	Path dir;

	private static ServerFile self(int port) {
		ProcessHandle self = ProcessHandle.current();
		return new ServerFile(port, self.pid(), self.info().startInstant().map(Instant::toEpochMilli).orElse(0L),
				"0123456789abcdef0123456789abcdef");
	}

	@Test
	void theFileIsReadBackAsWrittenAndOnlyItsOwnerCanReadIt() throws Exception {
		Path file = ServerFile.of(this.dir.resolve("dmr-batch"));
		ServerFile written = self(4242);
		written.write(file);

		assertThat(file.getFileName()).hasToString("dmr-batch.server");
		assertThat(ServerFile.read(file)).isEqualTo(written);
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
		assertThat(written.url(";WRITE_DELAY=0"))
			.isEqualTo("jdbc:h2:tcp://127.0.0.1:4242/0123456789abcdef0123456789abcdef;WRITE_DELAY=0");
		Files.writeString(file, "port=oops\n");
		assertThat(ServerFile.read(file)).isNull();
		assertThat(ServerFile.read(this.dir.resolve("none.server"))).isNull();
	}

	@Test
	void aServerAnswersOnlyWhileItsProcessIsAliveAndItsPortTakesConnections() throws Exception {
		try (ServerSocket listening = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			ServerFile live = self(listening.getLocalPort());
			assertThat(live.answers()).isTrue();
			// a pid reused by another process: it started at another time
			assertThat(new ServerFile(live.port(), live.pid(), live.startedMs() - 60_000, live.key()).answers()).isFalse();
		}
		assertThat(self(closedPort()).answers()).as("nothing listening").isFalse();
		Process gone = new ProcessBuilder("true").start();
		gone.waitFor();
		assertThat(new ServerFile(4242, gone.pid(), 0, "k").answers()).as("a process that has ended").isFalse();
	}

	@Test
	void theServerStartsFromTheSameJavaWithAnAbsoluteClassPath() {
		List<String> command = SharedStore.command(this.dir.resolve("dmr-batch"), Duration.ofSeconds(30));
		assertThat(command).contains(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				StoreServer.class.getName());
		String classPath = command.get(command.indexOf("-cp") + 1);
		assertThat(classPath.split(File.pathSeparator)).allSatisfy((entry) -> assertThat(Path.of(entry)).isAbsolute());
		assertThat(command.subList(command.size() - 2, command.size()))
			.containsExactly(this.dir.resolve("dmr-batch").toString(), "30000");
	}

	private static int closedPort() throws Exception {
		try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
