package dev.dmrbatch.model;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.config.RunnerEndpoint;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * How many requests a model can decode at once on the runner: llama-server's {@code props} ({@code total_slots},
 * under the API prefix, with {@code ?model=} in router mode). Docker Model Runner does not pass {@code props}
 * through, so the answer may be empty.
 */
@Component
public class RunnerSlots {

	private static final JsonMapper JSON = JsonMapper.shared();

	private final OkHttpClient http;

	private final URI baseUrl;

	RunnerSlots(OkHttpClient modelHttpClient, DmrProperties properties) {
		this.http = modelHttpClient;
		this.baseUrl = properties.baseUrl();
	}

	public Optional<Integer> of(String model) {
		return of(this.baseUrl, model);
	}

	/** The same, for one runner of several. */
	public Optional<Integer> of(URI baseUrl, String model) {
		String root = RunnerEndpoint.root(URI.create(RunnerEndpoint.httpUrl(baseUrl)));
		OkHttpClient client = RunnerTransport.client(this.http, baseUrl);
		for (String url : new String[] { root + "/props?model=" + URLEncoder.encode(model, StandardCharsets.UTF_8),
				root + "/props" }) {
			try (Response response = client.newCall(new Request.Builder().url(url).get().build()).execute()) {
				ResponseBody body = response.body();
				if (response.isSuccessful() && body != null) {
					JsonNode slots = JSON.readTree(body.string()).path("total_slots");
					if (slots.isNumber() && slots.intValue() > 0) {
						return Optional.of(slots.intValue());
					}
				}
			}
			catch (IOException | JacksonException | IllegalArgumentException ex) {
				// not a llama-server, or props not reachable: no answer
			}
		}
		return Optional.empty();
	}

}
