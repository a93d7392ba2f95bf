package dev.dmrbatch.model;

import java.net.URI;

import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * One model runner of several: its OpenAI-compatible base URL and how many requests it takes at once.
 *
 * @param url the base URL, {@code /v1} included
 * @param concurrency {@code auto} (the runner's own slot count where it tells) or a number; {@code null} is auto
 */
public record RunnerEndpoint(URI url, String concurrency) {

	/** In a job file a runner can be just its URL. */
	@JsonCreator(mode = JsonCreator.Mode.DELEGATING)
	public static RunnerEndpoint of(String url) {
		return new RunnerEndpoint(URI.create(url.strip()), null);
	}

	@JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
	public RunnerEndpoint {
	}

}
