package dev.dmrbatch.model;

import com.openai.client.OpenAIClient;
import dev.dmrbatch.config.DmrProperties;

/**
 * The runner's clients as the application builds them ({@link ModelClientConfiguration}: the shared OkHttp client,
 * its interceptors, no SDK retries), for unit tests that talk to a {@code support.FakeRunner}.
 */
public final class TestClients {

	private TestClients() {
	}

	/** The chat service for the runner at {@code properties.baseUrl()}. */
	public static ChatService chat(DmrProperties properties) {
		return new ChatService(client(properties), properties.baseUrl().toString());
	}

	/** The model catalog of the runner at {@code properties.baseUrl()}. */
	public static ModelCatalog catalog(DmrProperties properties) {
		return new ModelCatalog(client(properties), properties);
	}

	/** A load gate, whose acquire and release are the model package's own. */
	public static LoadGate gate(int concurrency) {
		return new LoadGate(concurrency, "test");
	}

	private static OpenAIClient client(DmrProperties properties) {
		return ModelClientConfiguration.client(properties,
				new ModelClientConfiguration().modelHttpClient(properties));
	}

}
