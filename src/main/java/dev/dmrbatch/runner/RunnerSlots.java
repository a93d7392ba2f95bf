package dev.dmrbatch.runner;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

import org.springframework.stereotype.Component;

/**
 * How many requests a model can decode at once on the runner: llama-server's {@code props} ({@code total_slots},
 * under the API prefix, with {@code ?model=} in router mode). Docker Model Runner does not pass {@code props}
 * through, so the answer may be empty.
 */
@Component
public class RunnerSlots {

	private final RunnerHttp http;

	RunnerSlots(RunnerHttp http) {
		this.http = http;
	}

	public Optional<Integer> of(String model) {
		return at(this.http.root(), model);
	}

	/** The same, for one runner of several. */
	public Optional<Integer> of(java.net.URI baseUrl, String model) {
		return at(baseUrl.toString().replaceAll("/+$", "").replaceAll("/v1$", ""), model);
	}

	private Optional<Integer> at(String root, String model) {
		for (String url : new String[] { root + "/props?model=" + URLEncoder.encode(model, StandardCharsets.UTF_8),
				root + "/props" }) {
			try {
				RunnerHttp.Answer answer = this.http.get(url);
				if (answer.ok() && answer.object().get("total_slots") instanceof Number slots && slots.intValue() > 0) {
					return Optional.of(slots.intValue());
				}
			}
			catch (IOException ex) {
				// not a llama-server, or props not reachable: no answer
			}
		}
		return Optional.empty();
	}

}
