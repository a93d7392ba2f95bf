package dev.dmrbatch.model;

import java.net.InetAddress;
import java.net.Proxy;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

import javax.net.SocketFactory;

import dev.dmrbatch.config.RunnerEndpoint;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import org.newsclub.net.unix.AFUNIXSocketFactory;

/**
 * How HTTP reaches a runner. A runner at a TCP address gets the shared OkHttp client as it is; a runner at a Unix
 * socket ({@code unix:///path/to.sock:/engines/llama.cpp/v1}) gets the same client (its connection pool,
 * dispatcher, timeouts and interceptors, the API key's among them) with a socket factory that connects to the
 * socket, whatever host the request names ({@code localhost}, see {@link RunnerEndpoint#httpUrl}).
 * <p>
 * OkHttp's pool tells connections apart by address, which counts the {@link Dns} but not the socket factory: each
 * socket has a {@link SocketDns} of its own, equal only for the same socket, so a pooled connection to one socket is
 * never taken for a request to another socket or to a TCP runner at {@code localhost}, and connections to the same
 * socket are reused.
 */
public final class RunnerTransport {

	private RunnerTransport() {
	}

	/** The client for the runner at a base URL: the shared one, or the shared one through the URL's socket. */
	public static OkHttpClient client(OkHttpClient shared, URI baseUrl) {
		if (!RunnerEndpoint.isUnixSocket(baseUrl)) {
			return shared;
		}
		Path socket = RunnerEndpoint.socketPath(baseUrl);
		return shared.newBuilder()
			.socketFactory(UnixSockets.factory(socket))
			.dns(new SocketDns(socket))
			.proxy(Proxy.NO_PROXY)
			.build();
	}

	/**
	 * The one name a request through a socket resolves, to the loopback address; the socket factory ignores it.
	 * @param socket the socket the connections of this name go to
	 */
	record SocketDns(Path socket) implements Dns {

		@Override
		public List<InetAddress> lookup(String hostname) {
			return List.of(InetAddress.getLoopbackAddress());
		}

	}

	/**
	 * junixsocket's sockets are {@code java.net.Socket}s, which OkHttp needs, with the read timeouts its health
	 * checks rely on; in a class of its own, so that its classes load only for a socket URL.
	 */
	static final class UnixSockets {

		private UnixSockets() {
		}

		static SocketFactory factory(Path socket) {
			// connects to the socket whatever address it is asked for
			return new AFUNIXSocketFactory.FactoryArg(socket.toFile());
		}

	}

}
