package dev.dmrbatch.web;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Who may use the web app: on a loopback address, whoever can reach it (this machine); on any other address, only
 * requests carrying the token ({@code token=}, else one generated and printed in the address), which every request
 * must carry (the first visit's {@code ?token=} leaves a cookie). Every state-changing request also carries the CSRF
 * token the pages hold.
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

	private final String csrf = random();

	WebAccess(Environment environment, ApplicationArguments arguments) {
		this.address = environment.getProperty("server.address", "127.0.0.1");
		this.loopback = isLoopback(this.address);
		String given = arguments.getNonOptionArgs()
			.stream()
			.filter((arg) -> arg.startsWith("token="))
			.map((arg) -> arg.substring("token=".length()))
			.findFirst()
			.orElse(null);
		this.token = (given != null) ? given : this.loopback ? null : random();
	}

	/** The address the app is bound to, as given. */
	String address() {
		return this.address;
	}

	private static boolean isLoopback(String address) {
		try {
			return InetAddress.getByName(address).isLoopbackAddress();
		}
		catch (UnknownHostException ex) {
			return false;
		}
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
		return "http://" + host + ":" + port + "/" + ((this.token != null) ? "?token=" + this.token : "");
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

	private static String random() {
		byte[] bytes = new byte[20];
		new SecureRandom().nextBytes(bytes);
		return HexFormat.of().formatHex(bytes);
	}

}
