package dev.dmrbatch.model;

import java.io.EOFException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.util.Map;
import java.util.Optional;

import dev.dmrbatch.config.RunnerEndpoint;
import dev.dmrbatch.text.Causes;
import dev.dmrbatch.text.SafeText;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.openai.core.JsonValue;
import com.openai.errors.OpenAIIoException;
import com.openai.errors.OpenAIServiceException;


/**
 * Turns what openai-java throws into one sentence with the runner's own message. Three shapes reach a client of
 * Docker Model Runner: its own text/plain errors, llama-server's OpenAI-style JSON, and empty proxy errors.
 */
final class RunnerErrors {

	private RunnerErrors() {
	}

	static ModelCallException translate(Throwable error, String baseUrl, String model) {
		if (error instanceof ModelCallException known) {
			return known;
		}
		if (error instanceof OpenAIServiceException service) {
			int status = service.statusCode();
			String detail = messageOf(service.body()).orElse(firstLine(service.getMessage()));
			if (readsNoImages(detail)) {
				// llama-server without a multimodal projector answers 500, which no retry changes
				return new ModelCallException("model '" + model + "' at " + baseUrl + " cannot read images (it answered "
						+ status + ": " + detail + ")", status, false, error);
			}
			String message = "model '" + model + "' at " + baseUrl + " answered " + status
					+ (detail.isBlank() ? "" : ": " + detail);
			java.time.Duration retryAfter = (status == 429)
					? retryAfter(service.headers().values("Retry-After"), java.time.Instant.now()) : null;
			if (retryAfter != null && retryAfter.compareTo(LONGEST_RETRY_AFTER) > 0) {
				return new ModelCallException(message + " (it asks to wait " + retryAfter.toSeconds()
						+ " s before the next request, longer than the " + LONGEST_RETRY_AFTER.toSeconds()
						+ " s dmr-batch waits)", status, false, error);
			}
			return new ModelCallException(message, status, isTransientStatus(status), error, retryAfter);
		}
		if (rootCause(error) instanceof JsonProcessingException unreadable) {
			// Jackson's parse errors are IOExceptions too, but the runner did answer: with something else
			return new ModelCallException("the server at " + baseUrl + " answered with something that is not "
					+ "OpenAI-compatible JSON: " + firstLine(unreadable.getOriginalMessage()), 200, false, error);
		}
		if (error instanceof OpenAIIoException || rootCause(error) instanceof java.io.IOException) {
			Throwable root = rootCause(error);
			String socketFault = RunnerEndpoint.socketFault(baseUrl);
			if (socketFault != null) {
				// no socket there, or not a socket: a mistake in the settings, or a runner not started
				return new ModelCallException("cannot reach the model runner at " + baseUrl + ": " + socketFault, 0,
						false, error);
			}
			if (RunnerEndpoint.unresolved(error)) {
				// not a passing fault: the name stays unknown however often it is asked for
				return new ModelCallException(RunnerEndpoint.unreachable("cannot reach the model runner at " + baseUrl
						+ ": " + firstLine(String.valueOf(root.getMessage())), error), 0, false, error);
			}
			// a Unix socket nobody listens on is refused too, in junixsocket's words
			String what = (root instanceof ConnectException
					|| "Connection refused".equals(root.getMessage())) ? "connection refused"
					: (root instanceof InterruptedIOException) ? "timed out"
					: (root instanceof EOFException || String.valueOf(error.getMessage()).contains("end of stream"))
							? "the connection closed without an answer"
					: firstLine(String.valueOf(root.getMessage()));
			return new ModelCallException("cannot reach the model runner at " + baseUrl + ": " + what, 0, true, error);
		}
		return new ModelCallException("request to model '" + model + "' at " + baseUrl + " failed: "
				+ firstLine(String.valueOf(error.getMessage())), 0, false, error);
	}

	/**
	 * Whether a runner's error says the model takes no images: llama-server's words when it has no multimodal
	 * projector ({@code --mmproj}).
	 */
	static boolean readsNoImages(String detail) {
		return detail.contains("image input is not supported");
	}

	/** The longest {@code Retry-After} waited out: a runner that asks more has the request fail. */
	static final java.time.Duration LONGEST_RETRY_AFTER = java.time.Duration.ofMinutes(5);

	/**
	 * The wait a {@code Retry-After} header asks for: seconds, or an HTTP date (then from {@code now}, none when
	 * past); {@code null} when absent or unreadable.
	 */
	static java.time.Duration retryAfter(java.util.List<String> values, java.time.Instant now) {
		if (values == null || values.isEmpty() || values.get(0) == null) {
			return null;
		}
		String value = values.get(0).strip();
		try {
			if (value.matches("[0-9]{1,9}")) {
				return java.time.Duration.ofSeconds(Long.parseLong(value));
			}
			java.time.Instant at = java.time.ZonedDateTime
				.parse(value, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
			return at.isAfter(now) ? java.time.Duration.between(now, at) : java.time.Duration.ZERO;
		}
		catch (java.time.format.DateTimeParseException ex) {
			return null;
		}
	}

	/** What ended a stream mid-answer, in a few words: a timeout, the connection closing, or the fault's own. */
	static String cutBy(Throwable fault) {
		Throwable root = rootCause(fault);
		if (root instanceof InterruptedIOException) {
			return "timed out";
		}
		if (root instanceof EOFException || root.getMessage() == null
				|| String.valueOf(fault.getMessage()).contains("end of stream")) {
			return "the connection closed";
		}
		return firstLine(root.getMessage());
	}

	/**
	 * 408, 409, 429 and 5xx: the runner is busy, loading, out of KV cache or restarting. Not 501 (the endpoint is not
	 * served, e.g. embeddings without {@code --embeddings}) or 505: asking again cannot change those.
	 */
	static boolean isTransientStatus(int status) {
		return status == 408 || status == 409 || status == 429 || (status >= 500 && status != 501 && status != 505);
	}

	/** The {@code error.message} of an OpenAI-style body, or a plain-text body as it is. */
	@SuppressWarnings("unchecked")
	static Optional<String> messageOf(JsonValue body) {
		if (body == null) {
			return Optional.empty();
		}
		Object value;
		try {
			value = body.convert(Object.class);
		}
		catch (RuntimeException ex) {
			return Optional.empty();
		}
		if (value instanceof String text) {
			return Optional.of(firstLine(text)).filter((s) -> !s.isBlank());
		}
		if (value instanceof Map<?, ?> map) {
			Object inner = map.get("error");
			if (inner instanceof Map<?, ?> err && err.get("message") != null) {
				return Optional.of(firstLine(String.valueOf(err.get("message"))));
			}
			if (inner instanceof String text) {
				return Optional.of(firstLine(text));
			}
			if (map.get("message") != null) {
				return Optional.of(firstLine(String.valueOf(map.get("message"))));
			}
		}
		return Optional.empty();
	}

	/** The innermost cause, or the error itself when it has none. */
	static Throwable rootCause(Throwable error) {
		return Causes.root(error);
	}

	static String firstLine(String text) {
		return SafeText.firstLine(text.strip());
	}

}
