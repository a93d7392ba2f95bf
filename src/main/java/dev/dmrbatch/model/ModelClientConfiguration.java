package dev.dmrbatch.model;

import java.time.Duration;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.Timeout;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * One openai-java client for the whole run: it owns the connection pool and dispatcher threads, and Spring closes
 * it on shutdown. Built from {@link DmrProperties} rather than {@code fromEnv()}, which would silently pick up a
 * developer's {@code OPENAI_*} variables.
 */
@Configuration(proxyBeanMethods = false)
class ModelClientConfiguration {

	@Bean
	OpenAIClient openAiClient(DmrProperties properties) {
		return OpenAIOkHttpClient.builder()
			.baseUrl(properties.baseUrl().toString())
			.apiKey(properties.apiKey())
			// dmr-batch retries itself, with its own policy; SDK retries would multiply the attempts
			.maxRetries(0)
			.timeout(Timeout.builder()
				.connect(properties.timeout().connect())
				.read(properties.timeout().request())
				.write(properties.timeout().request())
				.request(properties.timeout().request())
				.build())
			// as many idle connections as the SDK allows requests in flight (64): no request waits for a new one
			.maxIdleConnections(64)
			.keepAliveDuration(Duration.ofMinutes(5))
			.disableTelemetry(true)
			.build();
	}

}
