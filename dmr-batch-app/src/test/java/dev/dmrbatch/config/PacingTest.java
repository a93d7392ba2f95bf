package dev.dmrbatch.config;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** {@code rate=} and {@code tokens-rate=}: one rule wherever they are given, and which one wins. */
class PacingTest {

	@Test
	void aRateIsAnAmountPerSecondOrPerMinute() {
		Pacing pacing = Pacing.parse("10/s", "rate=", " 50000/min ", "tokens-rate=");

		assertThat(pacing.requests()).isEqualTo(new Pacing.Rate(10, Duration.ofSeconds(1), "10/s"));
		assertThat(pacing.tokens()).isEqualTo(new Pacing.Rate(50000, Duration.ofMinutes(1), "50000/min"));
		assertThat(pacing.describe()).isEqualTo("rate=10/s, tokens-rate=50000/min");
		assertThat(Pacing.parse(null, "rate=", null, "tokens-rate=").isNone()).isTrue();
	}

	@Test
	void whatIsNotARateIsRefusedNamingTheSetting() {
		for (String bad : new String[] { "0/min", "abc", "5/hour", "-1/s", "10", "100001/s", "1.5/s", "10/ s" }) {
			assertThatIllegalArgumentException().as(bad)
				.isThrownBy(() -> Pacing.parse(bad, "rate=", null, "tokens-rate="))
				.withMessage("rate=" + bad + " must be a number of requests from 1 to 100000 per second or per minute, "
						+ "such as 10/s or 120/min");
		}
		assertThatIllegalArgumentException().isThrownBy(() -> Pacing.parse(null, "rate", "9/h", "tokens-rate"))
			.withMessage("tokens-rate '9/h' must be a number of tokens from 1 to 1000000000 per second or per minute, "
					+ "such as 50000/min");
	}

	@Test
	void eachLimitNotGivenIsTakenFromBelow() {
		Pacing launch = Pacing.parse("2/s", "rate=", null, "tokens-rate=");
		Pacing job = Pacing.parse("100/min", "rate", "900/min", "tokens-rate");

		assertThat(launch.or(job).describe()).isEqualTo("rate=2/s, tokens-rate=900/min");
		assertThat(Pacing.NONE.or(Pacing.NONE).isNone()).isTrue();
	}

}
