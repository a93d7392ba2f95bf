package dev.dmrbatch.model;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

import dev.dmrbatch.config.DmrProperties;

import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;

/**
 * The one way a request is sent to a runner, typed ({@link ChatService}) or raw ({@link RawRequests}): under the load
 * gate (none for a chat's), transient faults retried with the run's policy, a 429's {@code Retry-After} waited out
 * before the next attempt, the answer's tokens told to the gate for {@code tokens-rate=}, errors in one sentence.
 */
final class Retries {

	/** One request's attempt: it throws what {@link RunnerErrors#translate} turns into a {@link ModelCallException}. */
	interface Attempt<T> {

		T send(int attempt, long startNanos);

	}

	/** What is told of a transient fault before the request is sent again. */
	interface Retrying {

		void retrying(int attempt, int attempts, ModelCallException error);

	}

	private final String baseUrl;

	private final Map<DmrProperties.Retry, RetryTemplate> templates = new ConcurrentHashMap<>();

	/** @param baseUrl the runner's base URL as given, for messages */
	Retries(String baseUrl) {
		this.baseUrl = baseUrl;
	}

	static RetryTemplate template(DmrProperties.Retry settings) {
		Duration backoff = settings.backoff();
		RetryPolicy policy = RetryPolicy.builder()
			.maxRetries(settings.attempts() - 1)
			.delay(backoff)
			.multiplier(2)
			.maxDelay(settings.maxBackoff().compareTo(backoff) < 0 ? backoff : settings.maxBackoff())
			.jitter(backoff.dividedBy(2))
			.predicate((error) -> error instanceof ModelCallException call && call.isTransient())
			.build();
		return new RetryTemplate(policy);
	}

	/**
	 * Sends a request, retried while its faults are transient.
	 * @param gate the run's load gate, or {@code null} (a chat's request)
	 * @param tokens the prompt and completion tokens of an answer, as the runner counted them (asked only when the
	 * gate keeps a {@code tokens-rate=})
	 * @throws ModelCallException the last fault, after the retries
	 */
	<T> T send(String model, DmrProperties.Retry retry, LoadGate gate, Retrying retrying, ToLongFunction<T> tokens,
			Attempt<T> call) {
		RetryTemplate template = this.templates.computeIfAbsent(retry, Retries::template);
		// the attempts so far, and after a 429's Retry-After the moment (System.nanoTime()) before which the next
		// attempt is not sent, backoff or not
		long[] attempts = { 0, 0 };
		try {
			return template.execute(() -> {
				int attempt = (int) ++attempts[0];
				if (attempts[1] != 0) {
					long wait = attempts[1] - System.nanoTime();
					if (wait > 0) {
						TimeUnit.NANOSECONDS.sleep(wait);
					}
				}
				if (gate != null) {
					gate.acquire();
				}
				boolean overloaded = false;
				boolean answered = false;
				long used = 0;
				try {
					T reply = call.send(attempt, System.nanoTime());
					answered = true;
					if (gate != null && gate.paced()) {
						used = tokens.applyAsLong(reply);
					}
					return reply;
				}
				catch (RuntimeException ex) {
					ModelCallException error = RunnerErrors.translate(ex, this.baseUrl, model);
					overloaded = LoadGate.isContextFull(error);
					if (error.retryAfter() != null) {
						attempts[1] = System.nanoTime() + error.retryAfter().toNanos();
					}
					if (error.isTransient() && attempt < retry.attempts()) {
						retrying.retrying(attempt, retry.attempts(), error);
					}
					throw error;
				}
				finally {
					if (gate != null) {
						gate.release(overloaded, used, answered);
					}
				}
			});
		}
		catch (RetryException ex) {
			Throwable last = (ex.getLastException() != null) ? ex.getLastException() : ex.getCause();
			throw RunnerErrors.translate(last, this.baseUrl, model);
		}
	}

}
