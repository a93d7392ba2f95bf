package dev.dmrbatch.model;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.config.RunnerEndpoint;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryTemplate;
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

	private final Map<DmrProperties.Retry, RetryTemplate> retries = new ConcurrentHashMap<>();

	RawRequests(OkHttpClient modelHttpClient, DmrProperties properties) {
		this.http = RunnerTransport.client(modelHttpClient, properties.baseUrl());
		this.baseUrl = properties.baseUrl().toString();
		this.httpUrl = RunnerEndpoint.httpUrl(properties.baseUrl());
	}

	/**
	 * POSTs a body to one of {@link #PATHS}; the base URL's own {@code /v1} stands for the path's.
	 * @return the runner's answer, whatever its status, after retrying transient ones
	 * @throws ModelCallException with status 0 when the runner could not be reached, after the retries
	 */
	public RawReply post(String path, String body, String model, DmrProperties.Retry retry, LoadGate gate) {
		String url = this.httpUrl + path.substring("/v1".length());
		RetryTemplate template = this.retries.computeIfAbsent(retry, ChatService::retryTemplate);
		int[] attempts = { 0 };
		RawReply[] last = { null };
		try {
			return template.execute(() -> {
				attempts[0]++;
				RawReply reply = send(url, body, model, attempts[0], gate);
				last[0] = reply;
				if (RunnerErrors.isTransientStatus(reply.status())) {
					if (attempts[0] < retry.attempts()) {
						log.warn("attempt {} of {} answered {}, retrying with backoff", attempts[0], retry.attempts(),
								reply.status());
					}
					throw new ModelCallException("answered " + reply.status(), reply.status(), true, null);
				}
				return reply;
			});
		}
		catch (RetryException ex) {
			if (last[0] != null && last[0].status() > 0) {
				return last[0]; // an error status that stayed: the request's answer
			}
			Throwable cause = (ex.getLastException() != null) ? ex.getLastException() : ex.getCause();
			throw RunnerErrors.translate(cause, this.baseUrl, model);
		}
	}

	private RawReply send(String url, String body, String model, int attempt, LoadGate gate)
			throws InterruptedException {
		Request request = new Request.Builder().url(url)
			.post(RequestBody.create(body, JSON))
			.build();
		gate.acquire();
		boolean overloaded = false;
		long start = System.nanoTime();
		try (Response response = this.http.newCall(request).execute()) {
			ResponseBody answer = response.body();
			String text = (answer != null) ? answer.string() : "";
			overloaded = response.code() == 500 && text.contains("Context size has been exceeded");
			return new RawReply(response.code(), response.header("x-request-id"), text,
					(System.nanoTime() - start) / 1_000_000, attempt);
		}
		catch (IOException ex) {
			throw RunnerErrors.translate(ex, this.baseUrl, model);
		}
		finally {
			gate.release(overloaded);
		}
	}

	/** The runner's answer to a raw request. */
	public record RawReply(int status, String requestId, String body, long latencyMillis, int attempts) {
	}

}
