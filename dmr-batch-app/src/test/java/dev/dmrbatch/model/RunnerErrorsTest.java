package dev.dmrbatch.model;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A 429's {@code Retry-After}, in seconds or as an HTTP date. */
class RunnerErrorsTest {

	private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

	@Test
	void retryAfterInSecondsOrAsAnHttpDate() {
		assertThat(RunnerErrors.retryAfter(List.of("2"), NOW)).isEqualTo(Duration.ofSeconds(2));
		assertThat(RunnerErrors.retryAfter(List.of(" 0 "), NOW)).isEqualTo(Duration.ZERO);
		assertThat(RunnerErrors.retryAfter(List.of("Sun, 01 Mar 2026 10:00:30 GMT"), NOW))
			.isEqualTo(Duration.ofSeconds(30));
		// a date already past asks for no wait
		assertThat(RunnerErrors.retryAfter(List.of("Sun, 01 Mar 2026 09:00:00 GMT"), NOW)).isEqualTo(Duration.ZERO);
	}

	@Test
	void noRetryAfterOrOneThatCannotBeReadAsksForNothing() {
		assertThat(RunnerErrors.retryAfter(List.of(), NOW)).isNull();
		assertThat(RunnerErrors.retryAfter(List.of("soon"), NOW)).isNull();
		assertThat(RunnerErrors.retryAfter(List.of("-5"), NOW)).isNull();
	}

}
