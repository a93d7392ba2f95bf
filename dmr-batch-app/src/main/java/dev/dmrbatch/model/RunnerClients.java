package dev.dmrbatch.model;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.openai.client.OpenAIClient;
import dev.dmrbatch.config.DmrProperties;
import okhttp3.OkHttpClient;

import org.springframework.stereotype.Component;

/**
 * The clients of each model runner a run sends to, by base URL. They share one OkHttp client, so one connection
 * pool and one dispatcher serve every runner; the runner at {@code dmr.base-url} uses the application's own beans.
 */
@Component
public class RunnerClients {

	private final DmrProperties properties;

	private final OkHttpClient http;

	private final Map<URI, Clients> byUrl = new ConcurrentHashMap<>();

	RunnerClients(DmrProperties properties, OkHttpClient modelHttpClient, ChatService chat, ModelCatalog catalog) {
		this.properties = properties;
		this.http = modelHttpClient;
		this.byUrl.put(properties.baseUrl(), new Clients(chat, catalog));
	}

	public ChatService chat(URI baseUrl) {
		return clients(baseUrl).chat();
	}

	public ModelCatalog catalog(URI baseUrl) {
		return clients(baseUrl).catalog();
	}

	private Clients clients(URI baseUrl) {
		return this.byUrl.computeIfAbsent(baseUrl, (url) -> {
			DmrProperties there = this.properties.withBaseUrl(url);
			OpenAIClient client = ModelClientConfiguration.client(there, this.http);
			return new Clients(new ChatService(client, url.toString()), new ModelCatalog(client, there));
		});
	}

	private record Clients(ChatService chat, ModelCatalog catalog) {
	}

}
