package dev.dmrbatch.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A runner behind a Unix socket, as Docker Desktop's Model Runner can be: a socket that forwards every connection to
 * a TCP address (the local runner), byte for byte, and notes the request line and Host header of every HTTP request
 * that went through it, so a test can tell that the traffic took the socket.
 */
public final class UnixSocketForwarder implements AutoCloseable {

	private static final Pattern REQUEST_LINE = Pattern.compile("(GET|POST|PUT|DELETE|HEAD|OPTIONS|PATCH) (/\\S*) "
			+ "HTTP/1\\.[01]$");

	private final Path socket;

	private final InetSocketAddress target;

	private final ServerSocketChannel server;

	private final List<String> requests = new CopyOnWriteArrayList<>();

	private final List<String> hosts = new CopyOnWriteArrayList<>();

	private final AtomicInteger eventStreams = new AtomicInteger();

	private final List<SocketChannel> open = new CopyOnWriteArrayList<>();

	/** Listens on the socket at the path and forwards to the base URL's host and port. */
	public UnixSocketForwarder(Path socket, String targetBaseUrl) throws IOException {
		java.net.URI url = java.net.URI.create(targetBaseUrl);
		this.socket = socket;
		this.target = new InetSocketAddress(url.getHost(), url.getPort());
		this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
		this.server.bind(UnixDomainSocketAddress.of(socket));
		Thread acceptor = new Thread(this::accept, "unix-forwarder");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	public Path socket() {
		return this.socket;
	}

	/** The request lines that went through the socket, such as {@code POST /engines/llama.cpp/v1/embeddings}. */
	public List<String> requests() {
		return List.copyOf(this.requests);
	}

	/** The Host headers of those requests. */
	public List<String> hosts() {
		return List.copyOf(this.hosts);
	}

	/** How many answers came back as a stream of server-sent events. */
	public int eventStreams() {
		return this.eventStreams.get();
	}

	private void accept() {
		while (this.server.isOpen()) {
			try {
				SocketChannel client = this.server.accept();
				SocketChannel runner = SocketChannel.open(this.target);
				this.open.add(client);
				this.open.add(runner);
				pump(client, runner, true);
				pump(runner, client, false);
			}
			catch (IOException ex) {
				// closed, or the runner refused: the client sees its connection end
			}
		}
	}

	private void pump(SocketChannel from, SocketChannel to, boolean requests) {
		Thread thread = new Thread(() -> {
			ByteBuffer buffer = ByteBuffer.allocate(16384);
			StringBuilder line = new StringBuilder();
			try {
				while (from.read(buffer) >= 0) {
					buffer.flip();
					note(buffer, line, requests);
					while (buffer.hasRemaining()) {
						to.write(buffer);
					}
					buffer.clear();
				}
			}
			catch (IOException ex) {
				// either side went away
			}
			finally {
				close(from);
				close(to);
			}
		}, "unix-forwarder-" + (requests ? "in" : "out"));
		thread.setDaemon(true);
		thread.start();
	}

	/** Reads the lines passing by: request lines and Host headers one way, event-stream answers the other. */
	private void note(ByteBuffer buffer, StringBuilder line, boolean requests) {
		String text = StandardCharsets.ISO_8859_1.decode(buffer.duplicate()).toString();
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c != '\n') {
				if (line.length() < 65536) {
					line.append(c);
				}
				continue;
			}
			String complete = line.toString().replace("\r", "");
			line.setLength(0);
			if (requests) {
				Matcher request = REQUEST_LINE.matcher(complete);
				if (request.find()) {
					this.requests.add(request.group(1) + " " + request.group(2));
				}
				else if (complete.regionMatches(true, 0, "Host:", 0, 5)) {
					this.hosts.add(complete.substring(5).strip());
				}
			}
			else if (complete.regionMatches(true, 0, "Content-Type: text/event-stream", 0, 31)) {
				this.eventStreams.incrementAndGet();
			}
		}
	}

	private static void close(SocketChannel channel) {
		try {
			channel.close();
		}
		catch (IOException ex) {
			// already closed
		}
	}

	@Override
	public void close() throws IOException {
		this.server.close();
		new ArrayList<>(this.open).forEach(UnixSocketForwarder::close);
		Files.deleteIfExists(this.socket);
	}

}
