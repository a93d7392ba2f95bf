package dev.dmrbatch.check;

import java.nio.file.Path;
import java.util.List;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code type: tokens}: each of the step's stored calls was answered with at most {@code max} completion tokens. */
class TokensCheckTest {

	@TempDir
	Path dir;

	private static Conversation.Call call(long tokens) {
		return Conversation.Call.answered(0, "s").tokens(900, tokens).latency(10).attempts(1).build();
	}

	@Test
	void theCompletionTokensOfEachCallAreHeldToTheMaximum() {
		String check = "{ name: short, type: tokens, max: 64 }";
		Verdict within = LatencyCheckTest.verdict(this.dir, check, List.of(call(64)));
		assertThat(within.pass()).isTrue();
		assertThat(within.reason()).isEqualTo("64 tokens, within 64");
		Verdict over = LatencyCheckTest.verdict(this.dir, check, List.of(call(1), call(65)));
		assertThat(over.pass()).isFalse();
		assertThat(over.reason()).isEqualTo("65 tokens, more than 64");
		// an answer whose call is not stored (none given) is not passed blindly
		assertThat(LatencyCheckTest.verdict(this.dir, check, List.of()).pass()).isFalse();
	}

	@Test
	void aTokensCheckNeedsMax() {
		assertThat(LatencyCheckTest.problems(this.dir, "{ name: c, type: tokens }"))
			.containsExactly("step s, check c: a tokens check needs 'max'");
		assertThat(LatencyCheckTest.problems(this.dir, "{ name: c, type: tokens, max: 10, unit: words }"))
			.containsExactly("step s, check c: 'unit' does not apply to a tokens check (it takes max)");
	}

}
