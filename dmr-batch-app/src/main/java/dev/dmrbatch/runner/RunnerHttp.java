package dev.dmrbatch.runner;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.config.RunnerEndpoint;
import dev.dmrbatch.model.RunnerTransport;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * Plain HTTP to the runner, for the tools that examine the runner itself (models, probe): they look at exactly
 * what the server sends back, fields the OpenAI model does not know included. The shared HTTP client sends the
 * API key.
 */
@Component
class RunnerHttp {

	private static final MediaType JSON_TYPE = MediaType.get("application/json");

	private final OkHttpClient http;

	private final JsonMapper json = JsonMapper.shared();

	/** Where the requests go: the base URL, or {@code http://localhost/…} through a Unix socket. */
	private final String base;

	/** The base URL as given. */
	private final String shown;

	RunnerHttp(OkHttpClient modelHttpClient, DmrProperties properties) {
		this.http = RunnerTransport.client(modelHttpClient, properties.baseUrl());
		this.base = RunnerEndpoint.httpUrl(properties.baseUrl());
		this.shown = properties.baseUrl().toString();
	}

	/** An answer: its status, its body, and the body as JSON when it is JSON. */
	record Answer(int status, String body, Object json) {

		boolean ok() {
			return this.status >= 200 && this.status < 300;
		}

		@SuppressWarnings("unchecked")
		Map<String, Object> object() {
			return (this.json instanceof Map<?, ?> map) ? (Map<String, Object>) map : Map.of();
		}

		/** The runner's error message, whichever shape it came in. */
		@SuppressWarnings("unchecked")
		String error() {
			if (this.object().get("error") instanceof Map<?, ?> error && error.get("message") != null) {
				return String.valueOf(error.get("message"));
			}
			String text = this.body.strip();
			return this.status + (text.isEmpty() ? "" : ": " + text.lines().findFirst().orElse(""));
		}

	}

	String base() {
		return this.base;
	}

	/** The runner's base URL as the settings give it: a Unix socket's is shown as such. */
	String shown() {
		return this.shown;
	}

	/** The base URL without its {@code /v1}: where llama-server's own routes ({@code /props}) live. */
	String root() {
		return RunnerEndpoint.root(URI.create(this.base));
	}

	Answer get(String url) throws IOException {
		return call(new Request.Builder().url(url).get().build());
	}

	Answer post(String path, Map<String, Object> body) throws IOException {
		return call(new Request.Builder().url(this.base + path)
			.post(RequestBody.create(this.json.writeValueAsString(body), JSON_TYPE))
			.build());
	}

	/** A streamed chat request: the content of each {@code data:} event, {@code [DONE]} included. */
	List<String> stream(Map<String, Object> body) throws IOException {
		List<String> events = new ArrayList<>();
		stream(body, events::add);
		return events;
	}

	/**
	 * A streamed chat request read as it arrives: {@code onEvent} gets each {@code data:} payload the moment its
	 * line is complete, so the caller can time the first token.
	 */
	void stream(Map<String, Object> body, java.util.function.Consumer<String> onEvent) throws IOException {
		Request request = new Request.Builder().url(this.base + "/chat/completions")
			.post(RequestBody.create(this.json.writeValueAsString(body), JSON_TYPE))
			.build();
		try (Response response = this.http.newCall(request).execute()) {
			ResponseBody responseBody = response.body();
			if (!response.isSuccessful() || responseBody == null) {
				throw new IOException("answered " + response.code());
			}
			okio.BufferedSource source = responseBody.source();
			for (String line = source.readUtf8Line(); line != null; line = source.readUtf8Line()) {
				if (line.startsWith("data:")) {
					onEvent.accept(line.substring(5).strip());
				}
			}
		}
	}

	Object parse(String text) {
		try {
			return this.json.readValue(text, Object.class);
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	JsonMapper json() {
		return this.json;
	}

	private Answer call(Request request) throws IOException {
		try (Response response = this.http.newCall(request).execute()) {
			ResponseBody body = response.body();
			String text = (body != null) ? body.string() : "";
			return new Answer(response.code(), text, parse(text));
		}
	}

}
