package dev.dmrbatch.model;

import java.util.List;
import java.util.function.Supplier;

import com.openai.client.OpenAIClient;
import com.openai.models.models.Model;
import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.config.RunnerEndpoint;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import org.springframework.util.function.SingletonSupplier;

/**
 * What the runner has: asked before a run, so an unknown model or an unreachable runner stops it at once. The
 * openai-java client is made when the runner is first asked.
 */
@Component
public class ModelCatalog {

	private final Supplier<OpenAIClient> client;

	private final DmrProperties properties;

	@org.springframework.beans.factory.annotation.Autowired
	ModelCatalog(ObjectProvider<OpenAIClient> client, DmrProperties properties) {
		this(SingletonSupplier.of(client::getObject), properties);
	}

	/** The catalog of one runner of several ({@link RunnerClients}). */
	ModelCatalog(OpenAIClient client, DmrProperties properties) {
		this(() -> client, properties);
	}

	private ModelCatalog(Supplier<OpenAIClient> client, DmrProperties properties) {
		this.client = client;
		this.properties = properties;
	}

	/**
	 * Checks that the runner has a model, before anything is sent, and returns the name the runner lists it under.
	 * @throws ModelCallException naming the models it has (and how to pull one into Docker Model Runner), or why
	 * the runner could not be asked
	 */
	public String require(String model) {
		List<String> available = modelNames();
		return available.stream()
			.filter((name) -> sameModel(name, model))
			.findFirst()
			.orElseThrow(() -> {
				String shown = dev.dmrbatch.text.SafeText.excerpt(model, 80);
				return new ModelCallException("model '" + shown + "' is not available; the runner has: "
						+ (available.isEmpty() ? "no models" : String.join(", ", available))
						+ " (with Docker Model Runner: docker model pull " + shown + ")", 404, false, null);
			});
	}

	/** Docker Model Runner's names: {@code gemma3} is {@code ai/gemma3}, and no tag means {@code :latest}. */
	public static boolean sameModel(String listed, String wanted) {
		return canonical(listed).equals(canonical(wanted));
	}

	private static String canonical(String name) {
		String full = name.contains("/") ? name : "ai/" + name;
		int slash = full.lastIndexOf('/');
		return (full.indexOf(':', slash) < 0) ? full + ":latest" : full;
	}

	/**
	 * The names of the runner's models ({@code GET /models}).
	 * @throws ModelCallException when the runner cannot be reached or does not answer like an OpenAI-compatible
	 * server
	 */
	public List<String> modelNames() {
		try {
			return this.client.get().models().list().data().stream().map(Model::id).sorted().toList();
		}
		catch (RuntimeException ex) {
			ModelCallException error = RunnerErrors.translate(ex, this.properties.baseUrl().toString(), "-");
			if (error.status() == 0 && (error.isTransient() || RunnerEndpoint.unresolved(ex)
					|| RunnerEndpoint.socketFault(this.properties.baseUrl().toString()) != null)) {
				throw error; // nothing answers: refused, reset, timed out, no such host, no socket
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
