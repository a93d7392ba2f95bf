package dev.dmrbatch.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * One model runner of several: its OpenAI-compatible base URL and how many requests it takes at once.
 *
 * @param url the base URL, {@code /v1} included
 * @param concurrency {@code auto} (the runner's own slot count where it tells) or a number; {@code null} is auto
 */
public record RunnerEndpoint(URI url, String concurrency) {

	/** Docker Model Runner's base URL from the host. */
	static final String DOCKER_HOST = "http://localhost:12434/engines/llama.cpp/v1";

	/** Docker Model Runner's base URL from a container on Docker Desktop. */
	static final String DOCKER_DESKTOP_CONTAINER = "http://model-runner.docker.internal/engines/llama.cpp/v1";

	/** Docker Model Runner's base URL from a container on Docker Engine (the default bridge's gateway). */
	static final String DOCKER_ENGINE_CONTAINER = "http://172.17.0.1:12434/engines/llama.cpp/v1";

	private static final String DOES_NOT_RESOLVE = "the host name does not resolve here";

	/** The user information of a URL as written: everything between {@code //} and the last {@code @} of the host. */
	private static final Pattern USER_INFO = Pattern.compile("(?<=//)[^/?#\\s]*@");

	/** In a job file a runner can be just its URL. */
	@JsonCreator(mode = JsonCreator.Mode.DELEGATING)
	public static RunnerEndpoint of(String url) {
		return new RunnerEndpoint(parse(url, "runner url"), null);
	}

	@JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
	public RunnerEndpoint {
		url = normalise(refuseCredentials(url, "runner url"));
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
		refuseUnixSocket(url, setting);
		if (url != null && (url.getRawUserInfo() != null
				|| (url.getRawAuthority() != null && url.getRawAuthority().contains("@")))) {
			throw new RunnerUrlException(setting + " must not hold a user name or password (user:password@host); "
					+ "a runner that wants a key gets it from dmr.api-key (DMR_API_KEY) as a bearer token");
		}
		return url;
	}

	/**
	 * Refuses a Unix socket ({@code unix:///var/run/docker.sock}): dmr-batch reaches a runner over TCP only.
	 * @throws RunnerUrlException naming the setting
	 */
	static void refuseUnixSocket(URI url, String setting) {
		String scheme = (url != null) ? url.getScheme() : null;
		if (scheme != null && scheme.toLowerCase(java.util.Locale.ROOT).contains("unix")) {
			throw new RunnerUrlException(setting + " is a Unix socket, which dmr-batch cannot reach: give the runner's "
					+ "TCP address, such as " + DOCKER_HOST + " (Docker Desktop's Model Runner with its host-side TCP "
					+ "support on)");
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
		for (Throwable cause = error; cause != null; cause = cause.getCause()) {
			if (cause instanceof java.net.UnknownHostException) {
				return true;
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return false;
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
