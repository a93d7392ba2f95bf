package dev.dmrbatch.web;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import dev.dmrbatch.cli.ServeToken;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Who may use the web app: only requests carrying its token ({@link ServeToken}), on a loopback address too (the
 * other users of this machine reach loopback as well), unless {@code token=off}. The token is printed in the address,
 * and the first visit's {@code ?token=} leaves a cookie named after the port (a browser sends a host's cookies to every
 * port of it). Every state-changing request also carries the CSRF token the pages hold.
 */
@Component
@ConditionalOnWebApplication
class WebAccess {

	static final String COOKIE = "dmr-token";

	static final String CSRF_HEADER = "X-CSRF-Token";

	static final String CSRF_FIELD = "_csrf";

	private final String address;

	private final boolean loopback;

	private final String token;

	private final String csrf = ServeToken.generate();

	WebAccess(Environment environment, ApplicationArguments arguments) {
		this.address = environment.getProperty("server.address", "127.0.0.1");
		this.loopback = ServeToken.isLoopback(this.address);
		this.token = ServeToken.of(argument(arguments, "token"), argument(arguments, "token-file"),
				environment.getProperty(ServeToken.ENVIRONMENT), this.address);
	}

	private static String argument(ApplicationArguments arguments, String name) {
		return arguments.getNonOptionArgs()
			.stream()
			.filter((arg) -> arg.startsWith(name + "="))
			.map((arg) -> arg.substring(name.length() + 1))
			.findFirst()
			.orElse(null);
	}

	/** The address the app is bound to, as given. */
	String address() {
		return this.address;
	}

	/** The address to open: the token in it when one is needed. */
	String url(int port) {
		String host = this.address;
		if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
			host = someAddress();
		}
		if (host.contains(":") && !host.startsWith("[")) {
			host = "[" + host + "]";
		}
		return "http://" + host + ":" + port + "/"
				+ ((this.token != null) ? "?token=" + URLEncoder.encode(this.token, StandardCharsets.UTF_8) : "");
	}

	/** One of this machine's own addresses, not a loopback one, for a server listening on every address. */
	private static String someAddress() {
		try {
			return NetworkInterface.networkInterfaces()
				.flatMap(NetworkInterface::inetAddresses)
				.filter((a) -> !a.isLoopbackAddress() && a instanceof java.net.Inet4Address)
				.map(InetAddress::getHostAddress)
				.findFirst()
				.orElse("127.0.0.1");
		}
		catch (java.net.SocketException ex) {
			return "127.0.0.1";
		}
	}

	/** The token's cookie: one per port, since a browser sends a host's cookies to every port of it. */
	static String cookie(int port) {
		return COOKIE + "-" + port;
	}

	boolean needsToken() {
		return this.token != null;
	}

	boolean isLoopback() {
		return this.loopback;
	}

	/** Whether the given token is the server's, compared in constant time. */
	boolean tokenMatches(String given) {
		return this.token != null && given != null && same(this.token, given);
	}

	String csrf() {
		return this.csrf;
	}

	boolean csrfMatches(String given) {
		return given != null && same(this.csrf, given);
	}

	private static boolean same(String a, String b) {
		return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
	}

}
