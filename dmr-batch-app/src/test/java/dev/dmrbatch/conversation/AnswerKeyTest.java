package dev.dmrbatch.conversation;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The key of one answer of a run, and the one rule for whether an answer passed. */
class AnswerKeyTest {

	@Test
	void aConversationsKeyIsItsItemModelAndRepetition() {
		Conversation second = Conversation.answered(7, "id-7", "ai/model a", List.of(), List.of()).withRepetition(2);
		assertThat(AnswerKey.of(second)).isEqualTo(new AnswerKey(7, "ai/model a", 2));
		// models whose names hold the separators a joined string would have used stay apart
		Map<AnswerKey, String> keys = new HashMap<>();
		keys.put(new AnswerKey(1, "2 m", 1), "a");
		keys.put(new AnswerKey(1, "m", 12), "b");
		keys.put(new AnswerKey(11, "m", 2), "c");
		assertThat(keys).hasSize(3);
	}

	@Test
	void anAnswerPassedWhenAnsweredAndEveryCheckPassed() {
		Conversation answered = Conversation.answered(1, "a", "m", List.of(), List.of());
		Conversation failed = Conversation.failed(1, "a", "m", "the runner did not answer", List.of(), List.of());
		Verdict pass = new Verdict("s.c", true, "ok");
		Verdict fail = new Verdict("s.d", false, "no");
		assertThat(answered.passed()).isTrue();
		assertThat(answered.withVerdicts(List.of(pass), List.of()).passed()).isTrue();
		assertThat(answered.withVerdicts(List.of(pass, fail), List.of()).passed()).isFalse();
		assertThat(failed.passed()).isFalse();
		assertThat(failed.withVerdicts(List.of(pass), List.of()).passed()).isFalse();
	}

}
