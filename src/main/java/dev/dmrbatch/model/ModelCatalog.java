package dev.dmrbatch.model;

import java.util.List;

import com.openai.client.OpenAIClient;
import com.openai.models.models.Model;

import org.springframework.stereotype.Component;

/** What the runner has: asked before a run, so an unknown model or an unreachable runner stops it at once. */
@Component
public class ModelCatalog {

	private final OpenAIClient client;

	private final DmrProperties properties;

	ModelCatalog(OpenAIClient client, DmrProperties properties) {
		this.client = client;
		this.properties = properties;
	}

	/**
	 * The names of the runner's models ({@code GET /models}).
	 * @throws ModelCallException when the runner cannot be reached or does not answer like an OpenAI-compatible
	 * server
	 */
	public List<String> modelNames() {
		try {
			return this.client.models().list().data().stream().map(Model::id).sorted().toList();
		}
		catch (RuntimeException ex) {
			ModelCallException error = RunnerErrors.translate(ex, this.properties.baseUrl().toString(), "-");
			if (error.status() == 0 && error.isTransient()) {
				throw error; // nothing answers: refused, reset, timed out
			}
			String what = (error.status() != 0) ? "answered " + error.status()
					: "answered something that is not a model list";
			throw new ModelCallException("the server at " + this.properties.baseUrl()
					+ " does not answer like an OpenAI-compatible model runner (GET /models " + what
					+ "); check the base URL, it should end in /v1 (Docker Model Runner: "
					+ "http://localhost:12434/engines/llama.cpp/v1)", error.status(), false, ex);
		}
	}

}
