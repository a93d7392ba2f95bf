package dev.dmrbatch.progress;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressPropertiesTest {

	private static ProgressProperties every(String every) {
		return new ProgressProperties(ProgressProperties.Mode.PLAIN, every);
	}

	@Test
	void aTimeIsReadAsSpringBootReadsDurations() {
		assertThat(every("10s").intervalMillis()).isEqualTo(10_000);
		assertThat(every("1m").intervalMillis()).isEqualTo(60_000);
		assertThat(every("2h").intervalMillis()).isEqualTo(7_200_000);
		assertThat(every("250ms").intervalMillis()).isEqualTo(250);
		assertThat(every("5ms").intervalMillis()).as("at most ten lines a second").isEqualTo(100);
		assertThat(every("10s").percentStep()).isZero();
	}

	@Test
	void aShareStepsByPercentAndFallsBackToTenSeconds() {
		assertThat(every("5%").percentStep()).isEqualTo(5);
		assertThat(every("0%").percentStep()).isEqualTo(1);
		assertThat(every("5%").intervalMillis()).isEqualTo(10_000);
	}

}
