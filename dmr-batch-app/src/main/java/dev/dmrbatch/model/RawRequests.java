package dev.dmrbatch.model;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.ObjectMappers;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.config.RunnerEndpoint;
import dev.dmrbatch.text.SafeText;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Service;

/**
 * Sends a request body to the runner as it is, for OpenAI Batch files: any of the endpoints such a file may name,
 * the body untouched (openai-java's typed requests would drop or reshape what they do not model). The same shared
 * HTTP client (which sends the API key), load gate and retries of transient faults as every chat request.
 */
@Service
public class RawRequests {

	private static final Logger log = LoggerFactory.getLogger(RawRequests.class);

	/** The endpoints of OpenAI's Batch API that an OpenAI-compatible runner serves. */
	public static final List<String> PATHS = List.of("/v1/chat/completions", "/v1/completions", "/v1/embeddings");

	private static final MediaType JSON = MediaType.get("application/json");

	private final OkHttpClient http;

	/** The runner's base URL as given, for messages. */
	private final String baseUrl;

	/** Where the requests go: the base URL, or {@code http://localhost/…} through a Unix socket. */
	private final String httpUrl;

	private final Retries retries;

	RawRequests(OkHttpClient modelHttpClient, DmrProperties properties) {
		this.http = RunnerTransport.client(modelHttpClient, properties.baseUrl());
		this.baseUrl = properties.baseUrl().toString();
		this.httpUrl = RunnerEndpoint.httpUrl(properties.baseUrl());
		this.retries = new Retries(this.baseUrl);
	}

	/**
	 * POSTs a body to one of {@link #PATHS}; the base URL's own {@code /v1} stands for the path's.
	 * @return the runner's answer, whatever its status, after retrying transient ones
	 * @throws ModelCallException with status 0 when the runner could not be reached, after the retries
	 */
	public RawReply post(String path, String body, String model, DmrProperties.Retry retry, LoadGate gate) {
		String url = this.httpUrl + path.substring("/v1".length());
		RawReply[] last = { null };
		try {
			return this.retries.send(model, retry, gate, LOGGED, RawRequests::tokens, (attempt, start) -> {
				RawReply reply = send(url, body, model, attempt, start);
				last[0] = reply;
				if (RunnerErrors.isTransientStatus(reply.status())) {
					// a runner asking to wait longer than is waited out is not asked again: its 429 is the answer
					Duration wait = reply.retryAfter();
					boolean tooLong = wait != null && wait.compareTo(RunnerErrors.LONGEST_RETRY_AFTER) > 0;
					// the runner's words go with it, so that the load gate sees a full context as such
					throw new ModelCallException("answered " + reply.status() + ": "
							+ SafeText.excerpt(SafeText.firstLine(reply.body()), 200), reply.status(), !tooLong, null,
							tooLong ? null : wait);
				}
				return reply;
			});
		}
		catch (ModelCallException ex) {
			if (last[0] != null && last[0].status() > 0) {
				return last[0]; // an error status that stayed: the request's answer
			}
			throw ex;
		}
	}

	private static final Retries.Retrying LOGGED = (attempt, attempts, error) -> log.warn(
			"attempt {} of {} answered {}, retrying {}", attempt, attempts, error.status(),
			(error.retryAfter() != null) ? "after the " + error.retryAfter().toSeconds()
					+ " s its Retry-After asks (or the backoff, if longer)" : "with backoff");

	private RawReply send(String url, String body, String model, int attempt, long start) {
		Request request = new Request.Builder().url(url)
			.post(RequestBody.create(body, JSON))
			.build();
		try (Response response = this.http.newCall(request).execute()) {
			ResponseBody answer = response.body();
			String text = (answer != null) ? answer.string() : "";
			Duration retryAfter = (response.code() == 429)
					? RunnerErrors.retryAfter(response.headers("Retry-After"), Instant.now()) : null;
			return new RawReply(response.code(), response.header("x-request-id"), text,
					(System.nanoTime() - start) / 1_000_000, attempt, retryAfter);
		}
		catch (IOException ex) {
			throw RunnerErrors.translate(ex, this.baseUrl, model);
		}
	}

	/** The prompt and completion tokens an answer's {@code usage} gives, for {@code tokens-rate=}; 0 without. */
	private static long tokens(RawReply reply) {
		if (reply.status() < 200 || reply.status() >= 300) {
			return 0;
		}
		try {
			JsonNode usage = ObjectMappers.jsonMapper().readTree(reply.body()).path("usage");
			return usage.path("prompt_tokens").asLong(0) + usage.path("completion_tokens").asLong(0);
		}
		catch (IOException | RuntimeException ex) {
			return 0;
		}
	}

	/**
	 * The runner's answer to a raw request.
	 * @param retryAfter the wait a 429's {@code Retry-After} asked for, or {@code null}
	 */
	public record RawReply(int status, String requestId, String body, long latencyMillis, int attempts,
			Duration retryAfter) {
	}

}
