package dev.dmrbatch.model;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.dmrbatch.config.RunnerEndpoint;
import dev.dmrbatch.support.TestProperties;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared HTTP client through a Unix socket: each request reaches its own URL's socket, with the Host header
 * {@code localhost} and the API key, and a connection to one socket is reused for that socket only.
 */
class RunnerTransportTest {

	@TempDir
	Path dir;

	private final List<HttpOnSocket> servers = new CopyOnWriteArrayList<>();

	@AfterEach
	void close() throws IOException {
		for (HttpOnSocket server : this.servers) {
			server.channel.close();
		}
	}

	@Test
	void eachRequestGoesToItsOwnSocketOnOnePoolWithTheApiKey() throws Exception {
		HttpOnSocket a = serve("a.sock", "A");
		HttpOnSocket b = serve("b.sock", "B");
		OkHttpClient shared = new ModelClientConfiguration().modelHttpClient(TestProperties.home(this.dir));
		URI first = URI.create("unix://" + a.path + ":/engines/llama.cpp/v1");
		URI second = URI.create("unix://" + b.path + ":/engines/llama.cpp/v1");

		// when: requests to both sockets, alternating, each on a client made for its URL from the shared one
		List<String> answers = new java.util.ArrayList<>();
		for (URI url : List.of(first, second, first, second, first)) {
			OkHttpClient client = RunnerTransport.client(shared, url);
			try (Response response = client.newCall(new Request.Builder()
				.url(RunnerEndpoint.httpUrl(url) + "/models")
				.build()).execute()) {
				answers.add(response.body().string());
			}
		}

		// then: every answer came from the URL's own socket, over one kept connection per socket
		assertThat(answers).containsExactly("A", "B", "A", "B", "A");
		assertThat(a.requests).hasSize(3).allSatisfy((request) -> assertThat(request)
			.startsWith("GET /engines/llama.cpp/v1/models HTTP/1.1")
			.contains("\r\nHost: localhost\r\n")
			.contains("\r\nAuthorization: Bearer secret\r\n"));
		assertThat(b.requests).hasSize(2);
		assertThat(a.connections.get()).isEqualTo(1);
		assertThat(b.connections.get()).isEqualTo(1);
		assertThat(shared.connectionPool().connectionCount()).isEqualTo(2);
		shared.connectionPool().evictAll();
	}

	@Test
	void aTcpRunnerKeepsTheSharedClient() {
		OkHttpClient shared = new OkHttpClient();
		assertThat(RunnerTransport.client(shared, URI.create("http://localhost:12434/engines/llama.cpp/v1")))
			.isSameAs(shared);
	}

	/** A minimal HTTP/1.1 server on a Unix socket that answers every request with its own word, keeping alive. */
	private HttpOnSocket serve(String name, String word) throws IOException {
		Path path = this.dir.resolve(name);
		ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
		channel.bind(UnixDomainSocketAddress.of(path));
		HttpOnSocket server = new HttpOnSocket(path, channel, new CopyOnWriteArrayList<>(), new AtomicInteger());
		this.servers.add(server);
		Thread thread = new Thread(() -> {
			while (channel.isOpen()) {
				try {
					SocketChannel connection = channel.accept();
					server.connections.incrementAndGet();
					Thread answering = new Thread(() -> answer(connection, word, server.requests));
					answering.setDaemon(true);
					answering.start();
				}
				catch (IOException ex) {
					return;
				}
			}
		});
		thread.setDaemon(true);
		thread.start();
		return server;
	}

	private static void answer(SocketChannel connection, String word, List<String> requests) {
		ByteBuffer buffer = ByteBuffer.allocate(8192);
		StringBuilder pending = new StringBuilder();
		try (connection) {
			while (connection.read(buffer) >= 0) {
				buffer.flip();
				pending.append(StandardCharsets.ISO_8859_1.decode(buffer));
				buffer.clear();
				int end;
				while ((end = pending.indexOf("\r\n\r\n")) >= 0) {
					requests.add(pending.substring(0, end + 4));
					pending.delete(0, end + 4);
					connection.write(ByteBuffer.wrap(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
							+ word.length() + "\r\n\r\n" + word).getBytes(StandardCharsets.ISO_8859_1)));
				}
			}
		}
		catch (IOException ex) {
			// the client closed
		}
	}

	private record HttpOnSocket(Path path, ServerSocketChannel channel, List<String> requests,
			AtomicInteger connections) {
	}

}
