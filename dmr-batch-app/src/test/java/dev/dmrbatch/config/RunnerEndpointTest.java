package dev.dmrbatch.config;

import java.net.URI;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class RunnerEndpointTest {

	@Test
	void aBaseUrlHasOneFormWhereverItIsGiven() {
		URI plain = URI.create("http://gpu-1:12434/engines/llama.cpp/v1");
		assertThat(RunnerEndpoint.parse("http://gpu-1:12434/engines/llama.cpp/v1/", "dmr.base-url")).isEqualTo(plain);
		assertThat(RunnerEndpoint.parse(" http://gpu-1:12434/engines/llama.cpp/v1// ", "base-url=")).isEqualTo(plain);
		assertThat(new RunnerEndpoint(URI.create("http://gpu-1:12434/engines/llama.cpp/v1/"), null).url())
			.isEqualTo(plain);
		assertThat(RunnerEndpoint.of("http://gpu-1:12434/engines/llama.cpp/v1/").url()).isEqualTo(plain);
		assertThat(RunnerEndpoint.normalise(plain)).isSameAs(plain);
		assertThat(RunnerEndpoint.normalise(URI.create("http://h:1/"))).isEqualTo(URI.create("http://h:1"));
	}

	@Test
	void theRootIsTheBaseUrlWithoutItsV1() {
		assertThat(RunnerEndpoint.root(URI.create("http://h:12434/engines/llama.cpp/v1/")))
			.isEqualTo("http://h:12434/engines/llama.cpp");
		assertThat(RunnerEndpoint.root(URI.create("http://h:8080/v1"))).isEqualTo("http://h:8080");
		assertThat(RunnerEndpoint.root(URI.create("http://h:8080"))).isEqualTo("http://h:8080");
	}

	@Test
	void aUnixSocketUrlIsTheSocketsPathThenTheHttpPathAfterAColon() {
		URI url = RunnerEndpoint.parse("unix:///var/run/docker-model-runner.sock:/engines/llama.cpp/v1/", "base-url=");
		assertThat(url).isEqualTo(URI.create("unix:///var/run/docker-model-runner.sock:/engines/llama.cpp/v1"));
		assertThat(RunnerEndpoint.isUnixSocket(url)).isTrue();
		assertThat(RunnerEndpoint.socketPath(url)).hasToString("/var/run/docker-model-runner.sock");
		assertThat(RunnerEndpoint.httpUrl(url)).isEqualTo("http://localhost/engines/llama.cpp/v1");
		URI bare = URI.create("unix:///tmp/llama.sock");
		assertThat(RunnerEndpoint.socketPath(bare)).hasToString("/tmp/llama.sock");
		assertThat(RunnerEndpoint.httpUrl(bare)).isEqualTo("http://localhost");
		URI plain = URI.create("http://gpu-1:12434/engines/llama.cpp/v1");
		assertThat(RunnerEndpoint.isUnixSocket(plain)).isFalse();
		assertThat(RunnerEndpoint.httpUrl(plain)).isEqualTo(plain.toString());
	}

	@Test
	void aUnixSocketUrlInAnotherFormIsRefusedNamingTheSettingAndTheForm() {
		for (String bad : new String[] { "unix://host/run/x.sock", "unix:x.sock", "http+unix://%2Frun%2Fx.sock/v1",
				"unix:///run/x.sock?path=/v1", "unix:///" }) {
			assertThatIllegalArgumentException().as(bad).isThrownBy(() -> RunnerEndpoint.parse(bad, "base-url="))
				.withMessage("base-url= is not a Unix socket URL dmr-batch reads: write unix:// then the socket's "
						+ "absolute path, then the HTTP path after a colon, such as "
						+ "unix:///var/run/docker-model-runner.sock:/engines/llama.cpp/v1");
		}
	}

	@Test
	void aSocketThatIsNotThereOrNotASocketIsNamed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
			throws Exception {
		java.nio.file.Path file = java.nio.file.Files.createFile(dir.resolve("plain"));
		assertThat(RunnerEndpoint.socketFault("unix://" + dir.resolve("none.sock") + ":/v1"))
			.isEqualTo("there is no socket at " + dir.resolve("none.sock"));
		assertThat(RunnerEndpoint.socketFault("unix://" + file + ":/v1")).isEqualTo(file + " is not a socket");
		try (java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel
			.open(java.net.StandardProtocolFamily.UNIX)) {
			server.bind(java.net.UnixDomainSocketAddress.of(dir.resolve("r.sock")));
			assertThat(RunnerEndpoint.socketFault("unix://" + dir.resolve("r.sock") + ":/v1")).isNull();
		}
		assertThat(RunnerEndpoint.socketFault("http://localhost:1/v1")).isNull();
	}

	@Test
	void concurrencyIsAutoOrANumberFromOneToTheMaximumWhereverItIsGiven() {
		assertThat(Concurrency.parse(null, "concurrency")).isEmpty();
		assertThat(Concurrency.parse("auto", "concurrency")).isEmpty();
		assertThat(Concurrency.parse("1", "concurrency")).hasValue(1);
		assertThat(Concurrency.parse(String.valueOf(Concurrency.MAX), "concurrency")).hasValue(Concurrency.MAX);
		for (String bad : new String[] { "0", "-1", String.valueOf(Concurrency.MAX + 1), "many", "" }) {
			assertThatIllegalArgumentException().isThrownBy(() -> Concurrency.parse(bad, "concurrency="))
				.withMessage("concurrency=" + bad + " must be 'auto' or a number from 1 to 64");
		}
	}

}
