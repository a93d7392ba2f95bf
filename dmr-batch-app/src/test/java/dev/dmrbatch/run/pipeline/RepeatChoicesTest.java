package dev.dmrbatch.run.pipeline;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Whether a runner still gives an item's repeated answers as one request's choices, and how the summary says it. */
class RepeatChoicesTest {

	@Test
	void aRunnerIsAskedForChoicesUntilItGivesFewerThenTheSummarySaysWhich() {
		RepeatChoices runner = new RepeatChoices();
		assertThat(runner.honoured()).isTrue();
		assertThat(RepeatChoices.describe(3, List.of(runner))).isEqualTo("3 requests per item and model, one answer each");

		runner.gave(3, 3);
		assertThat(runner.honoured()).isTrue();
		assertThat(RepeatChoices.describe(3, List.of(runner)))
			.isEqualTo("one request per item and model, n=3: 3 choices each");

		runner.gave(3, 1);
		runner.gave(3, 3);
		assertThat(runner.honoured()).isFalse();
		assertThat(RepeatChoices.describe(3, List.of(new RepeatChoices(), runner)))
			.isEqualTo("3 requests per item and model; the runner gave 1 choice for n=3");
		assertThat(RepeatChoices.describe(3, List.of())).isEqualTo("3 requests per item and model, one answer each");
	}

}
