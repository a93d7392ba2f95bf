package dev.dmrbatch.config;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.regex.Pattern;

import dev.dmrbatch.text.Causes;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import org.springframework.boot.context.properties.bind.ConstructorBinding;

/**
 * One model runner of several: its OpenAI-compatible base URL and how many requests it takes at once, and how fast.
 *
 * @param url the base URL, {@code /v1} included; or a Unix socket's, {@code unix:///path/to.sock:/v1}
 * @param concurrency {@code auto} (the runner's own slot count where it tells) or a number; {@code null} is auto
 * @param rate its own {@code rate} ({@link Pacing}), over the run's; {@code null} takes the run's
 * @param tokensRate its own {@code tokens-rate}, over the run's; {@code null} takes the run's
 */
public record RunnerEndpoint(URI url, String concurrency, String rate,
		@JsonProperty("tokens-rate") String tokensRate) {

	/** Docker Model Runner's base URL from the host. */
	static final String DOCKER_HOST = "http://localhost:12434/engines/llama.cpp/v1";

	/** Docker Model Runner's base URL from a container on Docker Desktop. */
	static final String DOCKER_DESKTOP_CONTAINER = "http://model-runner.docker.internal/engines/llama.cpp/v1";

	/** Docker Model Runner's base URL from a container on Docker Engine (the default bridge's gateway). */
	static final String DOCKER_ENGINE_CONTAINER = "http://172.17.0.1:12434/engines/llama.cpp/v1";

	/** The scheme of a runner reached through a Unix socket. */
	static final String UNIX = "unix";

	/** How a Unix socket URL is written: the socket's path, then the HTTP path after a colon. */
	static final String UNIX_EXAMPLE = "unix:///var/run/docker-model-runner.sock:/engines/llama.cpp/v1";

	/** The host name requests through a Unix socket carry. */
	static final String SOCKET_HOST = "localhost";

	private static final String DOES_NOT_RESOLVE = "the host name does not resolve here";

	/** The user information of a URL as written: everything between {@code //} and the last {@code @} of the host. */
	private static final Pattern USER_INFO = Pattern.compile("(?<=//)[^/?#\\s]*@");

	/** In a job file a runner can be just its URL. */
	@JsonCreator(mode = JsonCreator.Mode.DELEGATING)
	public static RunnerEndpoint of(String url) {
		return new RunnerEndpoint(parse(url, "runner url"), null);
	}

	@JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
	@ConstructorBinding
	public RunnerEndpoint {
		url = normalise(refuseCredentials(url, "runner url"));
	}

	/** A runner with the run's pacing. */
	public RunnerEndpoint(URI url, String concurrency) {
		this(url, concurrency, null, null);
	}

	/**
	 * Its own {@code rate} and {@code tokens-rate}, each over the run's.
	 * @throws IllegalArgumentException naming the runner and the setting
	 */
	public Pacing pacing(Pacing run) {
		return Pacing.parse(this.rate, "rate of runner " + this.url, this.tokensRate, "tokens-rate of runner "
				+ this.url).or(run);
	}

	/**
	 * A runner's base URL in the one form every client uses: without trailing slashes, so that
	 * {@code http://h:12434/engines/llama.cpp/v1/} and {@code …/v1} are the same runner, and a path appended to it
	 * ({@code /chat/completions}) has exactly one slash.
	 */
	public static URI normalise(URI url) {
		if (url == null || url.getRawPath() == null || !url.getRawPath().endsWith("/")) {
			return url;
		}
		return URI.create(url.toString().replaceAll("/+(?=$|[?#])", ""));
	}

	/**
	 * The base URL without its {@code /v1}: where a llama-server's own routes ({@code /props}, {@code /health}) and
	 * Docker Model Runner's model management ({@code /models}) live.
	 */
	public static String root(URI url) {
		return normalise(url).toString().replaceAll("/v1$", "");
	}

	/**
	 * A runner URL as given; one that cannot be read is named by the setting only, as it may hold what should stay
	 * private.
	 * @throws RunnerUrlException when the text is not a URL or holds a user name or password
	 */
	public static URI parse(String url, String setting) {
		URI parsed;
		try {
			parsed = new URI(url.strip());
		}
		catch (URISyntaxException ex) {
			throw new RunnerUrlException(setting + " is not a URL: " + ex.getReason() + " at character "
					+ (ex.getIndex() + 1));
		}
		return normalise(refuseCredentials(parsed, setting));
	}

	/**
	 * Refuses a URL with a user name or password in it ({@code http://user:secret@host/v1}): they would be sent
	 * nowhere (the runner gets the API key as a bearer token) yet stored and shown wherever the URL is, in exports,
	 * the store, reports and messages.
	 * @param setting what names the URL in the message, e.g. {@code dmr.base-url}; the URL itself is not quoted
	 * @throws RunnerUrlException naming the setting
	 */
	public static URI refuseCredentials(URI url, String setting) {
		checkUnixSocket(url, setting);
		if (url != null && (url.getRawUserInfo() != null
				|| (url.getRawAuthority() != null && url.getRawAuthority().contains("@")))) {
			throw new RunnerUrlException(setting + " must not hold a user name or password (user:password@host); "
					+ "a runner that wants a key gets it from dmr.api-key (DMR_API_KEY) as a bearer token");
		}
		return url;
	}

	/**
	 * Checks the form of a Unix socket URL: {@code unix://}, the socket's absolute path, and the HTTP path after a
	 * colon ({@code unix:///var/run/docker-model-runner.sock:/engines/llama.cpp/v1}).
	 * @throws RunnerUrlException naming the setting and the form
	 */
	static void checkUnixSocket(URI url, String setting) {
		String scheme = (url != null) ? url.getScheme() : null;
		if (scheme == null || !scheme.toLowerCase(java.util.Locale.ROOT).contains(UNIX)) {
			return;
		}
		boolean readable = scheme.equalsIgnoreCase(UNIX) && !url.isOpaque()
				&& (url.getRawAuthority() == null || url.getRawAuthority().isEmpty()) && url.getRawQuery() == null
				&& url.getRawFragment() == null && url.getPath() != null && url.getPath().startsWith("/")
				&& !socketPathText(url).equals("/");
		if (!readable) {
			throw new RunnerUrlException(setting + " is not a Unix socket URL dmr-batch reads: write unix:// then the "
					+ "socket's absolute path, then the HTTP path after a colon, such as " + UNIX_EXAMPLE);
		}
	}

	/** Whether a runner is reached through a Unix socket ({@code unix:///path/to.sock:/engines/llama.cpp/v1}). */
	public static boolean isUnixSocket(URI url) {
		return url != null && UNIX.equalsIgnoreCase(url.getScheme());
	}

	/** The socket file of a Unix socket URL: its path up to the first colon. */
	public static Path socketPath(URI url) {
		return Path.of(socketPathText(url));
	}

	private static String socketPathText(URI url) {
		String path = url.getPath();
		int colon = path.indexOf(':');
		return (colon < 0) ? path : path.substring(0, colon);
	}

	/**
	 * The URL HTTP requests go to: a TCP runner's base URL as it is; for a Unix socket, {@code http://localhost} (the
	 * Host header, as {@code curl --unix-socket} sends it) and the HTTP path after the socket's, empty when none.
	 */
	public static String httpUrl(URI url) {
		if (!isUnixSocket(url)) {
			return url.toString();
		}
		String path = url.getPath();
		int colon = path.indexOf(':');
		String http = (colon < 0) ? "" : path.substring(colon + 1).replaceAll("/+$", "");
		return "http://" + SOCKET_HOST + http;
	}

	/**
	 * Why a runner at a Unix socket cannot be reached, when the socket file says so: there is none, or the path is
	 * not a socket. Asking again does not change either, so they are not retried.
	 * @return {@code null} for a TCP runner or a socket that exists
	 */
	public static String socketFault(String baseUrl) {
		URI url;
		try {
			url = new URI(baseUrl);
		}
		catch (URISyntaxException | NullPointerException ex) {
			return null;
		}
		if (!isUnixSocket(url)) {
			return null;
		}
		Path socket = socketPath(url);
		try {
			BasicFileAttributes attributes = Files.readAttributes(socket, BasicFileAttributes.class);
			return attributes.isOther() ? null : socket + " is not a socket";
		}
		catch (IOException | RuntimeException ex) {
			return "there is no socket at " + socket;
		}
	}

	/**
	 * The message of a runner that cannot be reached, with where Docker Model Runner is usually found when the cause
	 * is a host name that does not resolve (such as {@code model-runner.docker.internal} outside a container).
	 */
	public static String unreachable(String message, Throwable error) {
		if (!unresolved(error) || message.contains(DOES_NOT_RESOLVE)) {
			return message;
		}
		return message + "; " + DOES_NOT_RESOLVE + ". Docker Model Runner is usually at " + DOCKER_HOST
				+ " from the host, " + DOCKER_DESKTOP_CONTAINER + " from a container on Docker Desktop, "
				+ DOCKER_ENGINE_CONTAINER + " from a container on Docker Engine";
	}

	/**
	 * Whether the cause of an error is a host name that does not resolve: a mistake in the settings (or a runner
	 * looked for from the wrong side of a container), which asking again does not change.
	 */
	public static boolean unresolved(Throwable error) {
		return Causes.has(error, java.net.UnknownHostException.class);
	}

	/** The text with any {@code user:password@} of the URLs in it written as {@code ****@}. */
	public static String redact(String text) {
		return (text != null && text.indexOf('@') >= 0) ? USER_INFO.matcher(text).replaceAll("****@") : text;
	}

	/** A runner URL that cannot be used; the message names the setting, never the URL's user information. */
	public static final class RunnerUrlException extends IllegalArgumentException {

		RunnerUrlException(String message) {
			super(message);
		}

	}

}
