package dev.dmrbatch.model;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.OptionalLong;

import dev.dmrbatch.config.RunnerEndpoint;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * How many tokens a request's prompt is, as the runner counts them: llama-server's {@code apply-template} (a chat's
 * body through the model's chat template, as the chat endpoint renders it) and {@code tokenize}, beside {@code /v1}
 * under the API prefix. Docker Model Runner does not pass them through, so the answer may be empty.
 */
@Component
public class RunnerTokens {

	private static final JsonMapper JSON = JsonMapper.shared();

	private static final MediaType JSON_TYPE = MediaType.get("application/json");

	private final OkHttpClient http;

	RunnerTokens(OkHttpClient modelHttpClient) {
		this.http = modelHttpClient;
	}

	/** A counter of the prompts sent to this runner. */
	public Counter at(URI baseUrl) {
		return new Counter(RunnerTransport.client(this.http, baseUrl),
				RunnerEndpoint.root(URI.create(RunnerEndpoint.httpUrl(baseUrl))));
	}

	/** Counts prompts at one runner; once the runner does not answer, it is not asked again. Thread-safe. */
	public static final class Counter {

		private final OkHttpClient client;

		private final String root;

		private volatile boolean answers = true;

		private Counter(OkHttpClient client, String root) {
			this.client = client;
			this.root = root;
		}

		/** The request's prompt tokens, or empty when the runner does not tell. */
		public OptionalLong count(ChatService.Preview request) {
			if (!this.answers) {
				return OptionalLong.empty();
			}
			try {
				String prompt = request.text();
				if (request.messages() != null) {
					// the chat's own body: the template sees exactly what the chat endpoint would
					prompt = post("/apply-template", request.body()).path("prompt").stringValue(null);
				}
				JsonNode tokens = (prompt == null) ? null
						: post("/tokenize", JSON.writeValueAsString(Map.of("model", request.model(), "content", prompt,
								"add_special", true, "parse_special", true))).path("tokens");
				if (tokens != null && tokens.isArray()) {
					return OptionalLong.of(tokens.size());
				}
			}
			catch (IOException | JacksonException | IllegalArgumentException ex) {
				// not a llama-server, or its root not reachable: no answer
			}
			this.answers = false;
			return OptionalLong.empty();
		}

		private JsonNode post(String path, String body) throws IOException {
			Request request = new Request.Builder().url(this.root + path)
				.post(RequestBody.create(body, JSON_TYPE))
				.build();
			try (Response response = this.client.newCall(request).execute()) {
				ResponseBody answer = response.body();
				if (!response.isSuccessful() || answer == null) {
					throw new IOException(path + " answered " + response.code());
				}
				return JSON.readTree(answer.string());
			}
		}

	}

}
