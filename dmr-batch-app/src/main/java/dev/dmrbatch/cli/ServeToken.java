package dev.dmrbatch.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

import dev.dmrbatch.text.SafeText;

/**
 * {@code job=serve}'s token, which every request to the web app carries, on a loopback address too: {@code token=},
 * else the first line of {@code token-file=} (a file of its owner's only), else {@code DMR_SERVE_TOKEN}, else one
 * generated. {@code token=off} means none, on a loopback address only. A token that cannot be trusted (under 16
 * characters, or with characters a cookie cannot hold) is one sentence naming where it came from, never the token:
 * {@link CommandLine} checks it before anything starts, the web app reads it the same way.
 */
public final class ServeToken {

	/** The environment variable that gives the token, kept off the command line (which {@code ps} shows). */
	public static final String ENVIRONMENT = "DMR_SERVE_TOKEN";

	static final int MINIMUM = 16;

	private static final SecureRandom RANDOM = new SecureRandom();

	private ServeToken() {
	}

	/**
	 * The token the app needs, null for none ({@code token=off}).
	 * @param given {@code token=}, or null
	 * @param file {@code token-file=}, or null
	 * @param environment {@code DMR_SERVE_TOKEN}, or null
	 * @param address the address the app listens on
	 */
	public static String of(String given, String file, String environment, String address) {
		if (given != null && file != null) {
			throw new ArgumentException("give token= or token-file=, not both");
		}
		if ("off".equals(given)) {
			if (!isLoopback(address)) {
				throw new ArgumentException("token=off is only for a loopback address: address=" + address
						+ " is reachable from other machines, so the app needs its token");
			}
			return null;
		}
		if (given != null) {
			return checked(given, "token=");
		}
		if (file != null) {
			return checked(read(file), "the token in token-file=" + SafeText.firstLine(file));
		}
		if (environment != null && !environment.isEmpty()) {
			return checked(environment, ENVIRONMENT);
		}
		return generate();
	}

	/** 20 random bytes in hex: a token nobody can guess. */
	public static String generate() {
		byte[] bytes = new byte[20];
		RANDOM.nextBytes(bytes);
		return HexFormat.of().formatHex(bytes);
	}

	/** Whether the address is this machine's loopback (an unknown name is not). */
	public static boolean isLoopback(String address) {
		try {
			return InetAddress.getByName(address).isLoopbackAddress();
		}
		catch (UnknownHostException ex) {
			return false;
		}
	}

	private static String checked(String token, String where) {
		if (token.length() < MINIMUM) {
			throw new ArgumentException(where + " is shorter than " + MINIMUM + " characters: give a longer one, "
					+ "or none and the app makes one");
		}
		for (int i = 0; i < token.length(); i++) {
			char c = token.charAt(i);
			if (c < 0x21 || c > 0x7e || c == '"' || c == ',' || c == ';' || c == '\\') {
				throw new ArgumentException(where + " may hold only printable ASCII characters other than space, "
						+ "quote, comma, semicolon and backslash (it goes in a cookie)");
			}
		}
		return token;
	}

	/** The first line of a file that only its owner may read or write. */
	private static String read(String file) {
		Path path = Path.of(file).toAbsolutePath();
		String name = "token-file=" + SafeText.firstLine(file);
		if (!Files.exists(path)) {
			throw new ArgumentException(name + " does not exist");
		}
		if (!Files.isRegularFile(path)) {
			throw new ArgumentException(name + " is not a file");
		}
		try {
			try {
				Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
				if (permissions.stream().anyMatch((p) -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
					throw new ArgumentException(name + " is open to other users ("
							+ PosixFilePermissions.toString(permissions) + "): make it its owner's only, chmod 600 "
							+ SafeText.firstLine(file));
				}
			}
			catch (UnsupportedOperationException ex) {
				// no POSIX permissions on this file system: the folder it is in must keep it private
			}
			if (Files.size(path) > 4096) {
				throw new ArgumentException(name + " is too large for a token (over 4 KiB)");
			}
			String content = new String(Files.readAllBytes(path), StandardCharsets.UTF_8);
			int end = content.indexOf('\n');
			return ((end < 0) ? content : content.substring(0, end)).strip();
		}
		catch (NoSuchFileException ex) {
			throw new ArgumentException(name + " does not exist");
		}
		catch (AccessDeniedException ex) {
			throw new ArgumentException(name + " cannot be read: permission denied");
		}
		catch (IOException ex) {
			throw new ArgumentException(name + " cannot be read (" + SafeText.firstLine(String.valueOf(ex.getMessage()))
					+ ")");
		}
	}

}
