package dev.dmrbatch.conversation.server;

import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.h2.tools.Server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class ServerFileTest {

	@TempDir
	Path dir;

	private ServerFile self(int port) throws Exception {
		ProcessHandle self = ProcessHandle.current();
		return new ServerFile(port, self.pid(), self.info().startInstant().map(Instant::toEpochMilli).orElse(0L),
				"0123456789abcdef0123456789abcdef", ServerFile.identity(this.dir.resolve("dmr-batch")));
	}

	@Test
	void aProcessesStartIsReadFromTheKernelAsTheJdkGivesItWhileNoClockWasSet() throws Exception {
		// given: this process and a child started now
		ProcessHandle self = ProcessHandle.current();
		Process child = new ProcessBuilder("sleep", "5").start();
		try {
			for (ProcessHandle process : List.of(self, child.toHandle())) {
				// when
				long now = ServerFile.startedMsNow(process.pid()).orElseThrow();

				// then: the same instant as the JDK's, to the second the kernel's boot time is given in
				long jdk = process.info().startInstant().orElseThrow().toEpochMilli();
				assertThat(Math.abs(now - jdk)).as("pid " + process.pid()).isLessThan(1500);
			}
			// and a pid that is not there has none
			assertThat(ServerFile.startedMsNow(Long.MAX_VALUE)).isEmpty();
		}
		finally {
			child.destroy();
		}
	}

	@Test
	void aLiveServerWhoseJvmStartTimeDiffersFromTheKernelsNowIsStillTakenForLive() {
		// given: a file naming this process with the start the kernel gives now, as a server started after the clock
		// was set writes it, while this JVM's own figure would be off by the clock's change
		long started = ServerFile.startedMsNow(ProcessHandle.current().pid()).orElseThrow();
		ServerFile file = new ServerFile(1, ProcessHandle.current().pid(), started, "k", "d");
		ServerFile farOff = new ServerFile(1, ProcessHandle.current().pid(), started - 3_600_000, "k", "d");

		// then
		assertThat(file.alive()).isTrue();
		assertThat(farOff.alive()).isFalse();
	}

	@Test
	void theFileIsReadBackAsWrittenAndOnlyItsOwnerCanReadIt() throws Exception {
		Path file = ServerFile.of(this.dir.resolve("dmr-batch"));
		ServerFile written = self(4242);
		written.write(file);

		assertThat(file.getFileName()).hasToString("dmr-batch.server");
		assertThat(ServerFile.read(file)).isEqualTo(written);
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
		Files.writeString(file, "port=oops\n");
		assertThat(ServerFile.read(file)).isNull();
		Files.writeString(file, "port=4242\npid=1\nstarted=0\nkey=k\n");
		assertThat(ServerFile.read(file)).as("a file that names no database").isNull();
		assertThat(ServerFile.read(this.dir.resolve("none.server"))).isNull();
	}

	@Test
	void theUrlWaitsForAnswersAtMostTheNetworkTimeoutUnlessTheOptionsSetTheirOwn() throws Exception {
		assertThat(self(4242).url(";WRITE_DELAY=0")).isEqualTo(
				"jdbc:h2:tcp://127.0.0.1:4242/0123456789abcdef0123456789abcdef;WRITE_DELAY=0;NETWORK_TIMEOUT=120000");
		assertThat(self(4242).url(";network_timeout=0"))
			.isEqualTo("jdbc:h2:tcp://127.0.0.1:4242/0123456789abcdef0123456789abcdef;network_timeout=0");
	}

	@Test
	void theDatabaseIsNamedByItsRealFolderSoALinkNamesTheSameAndACopyAnother() throws Exception {
		Path real = Files.createDirectories(this.dir.resolve("work/data"));
		Path link = Files.createSymbolicLink(this.dir.resolve("link"), this.dir.resolve("work"));
		Path copy = Files.createDirectories(this.dir.resolve("copy/data"));

		assertThat(ServerFile.identity(link.resolve("data/dmr-batch")))
			.isEqualTo(ServerFile.identity(real.resolve("dmr-batch")))
			.isEqualTo(real.toRealPath().resolve("dmr-batch").toString());
		assertThat(ServerFile.identity(copy.resolve("dmr-batch")))
			.isNotEqualTo(ServerFile.identity(real.resolve("dmr-batch")));
	}

	@Test
	void aServerIsAliveOnlyWhileTheProcessThatWroteTheFileIs() throws Exception {
		ServerFile live = self(4242);
		assertThat(live.alive()).isTrue();
		// a pid reused by another process: it started at another time
		assertThat(new ServerFile(4242, live.pid(), live.startedMs() - 60_000, live.key(), live.database()).alive())
			.isFalse();
		Process gone = new ProcessBuilder("true").start();
		gone.waitFor();
		assertThat(new ServerFile(4242, gone.pid(), 0, "k", live.database()).alive()).as("a process that has ended")
			.isFalse();
	}

	@Test
	void aStoreServerAnswersTheHandshakeAndAnythingElseDoesNotInTime() throws Exception {
		Server h2 = Server.createTcpServer("-tcpPort", "0", "-baseDir", this.dir.toString(), "-key", "secret",
				"./dmr-batch", "-ifNotExists").start();
		try {
			long start = System.nanoTime();
			assertThat(self(h2.getPort()).unanswered(Duration.ofSeconds(1))).as("a store server").isNull();
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
			try (Stream<Path> files = Files.list(this.dir)) {
				assertThat(files).as("nothing opened or made by the handshake").isEmpty();
			}
		}
		finally {
			h2.stop();
		}
		try (ServerSocket silent = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			long start = System.nanoTime();
			assertThat(self(silent.getLocalPort()).unanswered(Duration.ofSeconds(1))).isEqualTo("did not answer within 1 s");
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
		}
		assertThat(self(closedPort()).unanswered(Duration.ofSeconds(1))).as("nothing listening")
			.startsWith("did not answer as a store server (Connection is broken");
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
