package dev.dmrbatch.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace of its own ({@code ip netns}), as another machine is: its own loopback, and a veth pair to the
 * host ({@link #hostAddress()} on the host's side, {@link #address()} on the namespace's). What runs in it is started
 * with {@link #prefix()} ({@code ip netns exec <name>}); {@link #forward(int)} makes a service that listens on the
 * host's loopback only (the broker, PostgreSQL) reachable from it at the host's side of the pair. Names and addresses
 * are unique per test JVM; {@link #close()} removes the pair and the namespace. Needs root and iproute2.
 */
public final class NetworkNamespace implements AutoCloseable {

	private final String name;

	private final String hostLink;

	private final String hostAddress;

	private final String address;

	private final List<ServerSocket> forwarders = new CopyOnWriteArrayList<>();

	private final List<Socket> open = new CopyOnWriteArrayList<>();

	private NetworkNamespace(String name, String hostLink, String hostAddress, String address) {
		this.name = name;
		this.hostLink = hostLink;
		this.hostAddress = hostAddress;
		this.address = address;
	}

	/**
	 * Makes a namespace with its loopback up and a /30 veth pair to the host; throws with one sentence saying why
	 * when it cannot (not root, no iproute2), having removed what it made.
	 */
	public static NetworkNamespace create(String tag) {
		long pid = ProcessHandle.current().pid();
		String name = "dmr-" + tag + "-" + pid;
		// interface names have at most 15 characters
		String hostLink = "dmrh" + pid % 100_000_000;
		String nsLink = "dmrn" + pid % 100_000_000;
		int subnet = (int) (pid % 64) * 4;
		String prefix = "10.213." + (pid / 64 % 256) + ".";
		NetworkNamespace namespace = new NetworkNamespace(name, hostLink, prefix + (subnet + 1), prefix + (subnet + 2));
		try {
			ip("netns", "add", name);
			ip("link", "add", hostLink, "type", "veth", "peer", "name", nsLink);
			ip("link", "set", nsLink, "netns", name);
			ip("addr", "add", namespace.hostAddress + "/30", "dev", hostLink);
			ip("link", "set", hostLink, "up");
			ip("netns", "exec", name, "ip", "addr", "add", namespace.address + "/30", "dev", nsLink);
			ip("netns", "exec", name, "ip", "link", "set", nsLink, "up");
			ip("netns", "exec", name, "ip", "link", "set", "lo", "up");
			return namespace;
		}
		catch (RuntimeException ex) {
			namespace.close();
			throw ex;
		}
	}

	public String name() {
		return this.name;
	}

	/** What starts a command inside the namespace: {@code ip netns exec <name>}. */
	public List<String> prefix() {
		return List.of("ip", "netns", "exec", this.name);
	}

	/** The host's side of the pair, as the namespace reaches it. */
	public String hostAddress() {
		return this.hostAddress;
	}

	/** The namespace's side of the pair, as the host reaches it. */
	public String address() {
		return this.address;
	}

	/**
	 * Forwards every connection to {@link #hostAddress()}:port to 127.0.0.1:port, byte for byte, until closed: what
	 * listens on the host's loopback only is then reachable from the namespace, and sees its clients on the loopback.
	 */
	public void forward(int port) throws IOException {
		ServerSocket server = new ServerSocket();
		server.bind(new InetSocketAddress(InetAddress.getByName(this.hostAddress), port));
		this.forwarders.add(server);
		Thread acceptor = new Thread(() -> {
			while (!server.isClosed()) {
				try {
					Socket client = server.accept();
					Socket target = new Socket(InetAddress.getLoopbackAddress(), port);
					this.open.add(client);
					this.open.add(target);
					pipe(client, target);
					pipe(target, client);
				}
				catch (IOException ex) {
					// closed, or the target refused: the client sees its connection end
				}
			}
		}, "netns-forward-" + port);
		acceptor.setDaemon(true);
		acceptor.start();
	}

	private void pipe(Socket from, Socket to) {
		Thread thread = new Thread(() -> {
			try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
				in.transferTo(out);
			}
			catch (IOException ex) {
				// either side closed
			}
			finally {
				closeQuietly(from);
				closeQuietly(to);
			}
		}, "netns-pipe");
		thread.setDaemon(true);
		thread.start();
	}

	/** Stops the forwarders, then removes the veth pair and the namespace; what it cannot remove is printed. */
	@Override
	public void close() {
		this.forwarders.forEach(NetworkNamespace::closeQuietly);
		this.open.forEach(NetworkNamespace::closeQuietly);
		for (List<String> command : List.of(List.of("link", "delete", this.hostLink),
				List.of("netns", "delete", this.name))) {
			try {
				ip(command.toArray(String[]::new));
			}
			catch (RuntimeException ex) {
				if (!ex.getMessage().contains("Cannot find device") && !ex.getMessage().contains("No such file")) {
					System.out.println("cleanup: " + ex.getMessage());
				}
			}
		}
	}

	private static void closeQuietly(AutoCloseable closeable) {
		try {
			closeable.close();
		}
		catch (Exception ex) {
			// already closed
		}
	}

	private static void ip(String... args) {
		List<String> command = new ArrayList<>(List.of("ip"));
		command.addAll(List.of(args));
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
			if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
				process.destroyForcibly();
				throw new IllegalStateException("'" + String.join(" ", command) + "' failed"
						+ (out.isEmpty() ? "" : ": " + out.lines().findFirst().orElse("")));
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("cannot run '" + String.join(" ", command) + "' (is iproute2 installed?): "
					+ ex.getMessage());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
