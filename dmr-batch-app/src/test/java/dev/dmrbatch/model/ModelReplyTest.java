package dev.dmrbatch.model;

import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How a request's completion tokens are split among its choices ({@code n}). */
class ModelReplyTest {

	@Test
	void theCompletionTokensOfSeveralChoicesAreSplitEvenlyAndAddUpToTheUsage() {
		assertThat(LongStream.range(0, 3).map((i) -> ModelReply.share(10, 3, (int) i))).containsExactly(4L, 3L, 3L);
		assertThat(LongStream.range(0, 3).map((i) -> ModelReply.share(11, 3, (int) i))).containsExactly(4L, 4L, 3L);
		assertThat(LongStream.range(0, 4).map((i) -> ModelReply.share(2, 4, (int) i))).containsExactly(1L, 1L, 0L, 0L);
		assertThat(ModelReply.share(7, 1, 0)).isEqualTo(7);
		for (int choices = 1; choices <= 7; choices++) {
			int n = choices;
			assertThat(LongStream.range(0, n).map((i) -> ModelReply.share(101, n, (int) i)).sum()).isEqualTo(101);
		}
	}

}
