package dev.dmrbatch.model;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.dmrbatch.config.Concurrency;
import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.config.RunnerEndpoint;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * One openai-java client for the whole run, built from {@link DmrProperties} rather than {@code fromEnv()}, which
 * would silently pick up a developer's {@code OPENAI_*} variables.
 * <p>
 * It runs on an OkHttp client of our own, with a connection pool and dispatcher sized for the requests in flight,
 * and {@link DeadConnectionRetry} in front: openai-java turns OkHttp's {@code retryOnConnectionFailure} off, and
 * llama-server in router mode closes every connection it promised to keep alive; and {@link ErrorBodyNormalizer},
 * so Docker Model Runner's plain-text errors reach the user in its own words; {@link StreamStop#interceptor()} lets a
 * stop cancel the call of the streamed answer it stops.
 */
@Configuration(proxyBeanMethods = false)
class ModelClientConfiguration {

	/** As many requests in flight as a run may keep to one runner. */
	static final int MAX_IN_FLIGHT = Concurrency.MAX;

	@Bean(destroyMethod = "")
	OkHttpClient modelHttpClient(DmrProperties properties) {
		Dispatcher dispatcher = new Dispatcher();
		dispatcher.setMaxRequests(MAX_IN_FLIGHT);
		dispatcher.setMaxRequestsPerHost(MAX_IN_FLIGHT);
		ConnectionPool pool = new ConnectionPool(MAX_IN_FLIGHT, 5, TimeUnit.MINUTES);
		return new OkHttpClient.Builder().dispatcher(dispatcher)
			.connectionPool(pool)
			.addInterceptor(bearer(properties.apiKey()))
			.addInterceptor(StreamStop.interceptor())
			.addInterceptor(new DeadConnectionRetry(pool))
			.addInterceptor(new ErrorBodyNormalizer())
			.followRedirects(false)
			.connectTimeout(properties.timeout().connect())
			.readTimeout(properties.timeout().request())
			.writeTimeout(properties.timeout().request())
			.callTimeout(properties.timeout().request())
			.build();
	}

	/**
	 * The API key on every request to the runner, whichever client sends it (openai-java, raw OpenAI Batch bodies,
	 * the runner tools): one place, so no path goes without it. A request that carries its own is left alone.
	 */
	static Interceptor bearer(String apiKey) {
		return (chain) -> {
			Request request = chain.request();
			if (apiKey == null || apiKey.isBlank() || request.header("Authorization") != null) {
				return chain.proceed(request);
			}
			return chain.proceed(request.newBuilder().header("Authorization", "Bearer " + apiKey).build());
		};
	}

	@Bean
	OpenAIClient openAiClient(DmrProperties properties, OkHttpClient modelHttpClient) {
		return client(properties, modelHttpClient);
	}

	/**
	 * A client for the runner at {@code properties.baseUrl()}, on the shared OkHttp client and its pool (through the
	 * runner's socket when the URL is a Unix socket's).
	 */
	static OpenAIClient client(DmrProperties properties, OkHttpClient modelHttpClient) {
		return OpenAIOkHttpClient.builder()
			.okHttpClient(RunnerTransport.client(modelHttpClient, properties.baseUrl()))
			.baseUrl(RunnerEndpoint.httpUrl(properties.baseUrl()))
			.apiKey(properties.apiKey())
			// dmr-batch retries itself, with its own policy; SDK retries would multiply the attempts
			.maxRetries(0)
			.disableTelemetry(true)
			.build();
	}

	/** The SDK does not own a client it borrows: release its threads and connections when the run ends. */
	@Bean
	AutoCloseable modelHttpClientShutdown(OkHttpClient modelHttpClient) {
		return () -> {
			modelHttpClient.dispatcher().executorService().shutdown();
			modelHttpClient.connectionPool().evictAll();
		};
	}

}
