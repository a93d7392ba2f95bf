package dev.dmrbatch.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.Verdict;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AgreementTest {

	/** Item {@code seq}'s {@code k}th answer by ai/tiny: {@code answer}, its label check passed or not. */
	private static Conversation answered(long seq, int k, String answer, boolean labelPassed) {
		return Conversation.answered(seq, "r" + seq, "ai/tiny",
				List.of(new Conversation.Turn("user", "answer", "?"), new Conversation.Turn("assistant", "answer", answer)),
				List.of())
			.withVerdicts(List.of(new Verdict("answer.bounded", true, null),
					new Verdict("answer.label", labelPassed, labelPassed ? null : "not the label")), List.of())
			.withRepetition(k);
	}

	private static Conversation failed(long seq, int k) {
		return Conversation.failed(seq, "r" + seq, "ai/tiny", "refused", List.of(), List.of())
			.withRepetition(k);
	}

	private static Agreement.Totals totals(List<Conversation> conversations) {
		Agreement agreement = new Agreement(3, Map.of("answer.label", "answer"), true);
		conversations.forEach(agreement::add);
		return agreement.totals();
	}

	@Test
	void eachItemCountsHowManyOfItsAnswersPassedEveryCheck() {
		List<Conversation> run = new ArrayList<>();
		run.addAll(List.of(answered(1, 1, "yes", true), answered(1, 2, "yes", true), answered(1, 3, "yes", true)));
		run.addAll(List.of(answered(2, 1, "yes", true), failed(2, 2), answered(2, 3, "no", false)));
		run.addAll(List.of(answered(3, 1, "no", false), answered(3, 2, "no", false), answered(3, 3, "yes", true)));

		Agreement.Totals totals = totals(run);

		assertThat(totals.passed()).containsExactly(0, 2, 0, 1);
		assertThat(totals.lines()).containsExactly(
				"repeat 3 (3 requests per item and model, one answer each): answers that passed every check, per item: "
						+ "3/3 on 1 item, 2/3 on 0, 1/3 on 2, 0/3 on 0",
				// the majority answers: "yes" (passed), a tie of "yes" and "no" going to the first given (passed),
				// "no" (failed)
				"check answer.label: the majority answer passed on 2/3 items (66.7%)");
	}

	@Test
	void theMajorityAnswerIsTheAnswerGivenMostOftenWithoutItsSurroundingWhiteSpace() {
		List<Conversation> item = List.of(answered(1, 1, "cat", false), answered(1, 2, " dog\n", true),
				answered(1, 3, "dog", true));
		assertThat(Agreement.majorityPassed(item, "answer.label", "answer")).isTrue();
		assertThat(Agreement.majorityPassed(List.of(answered(1, 1, "cat", false), answered(1, 2, "dog", true),
				answered(1, 3, "cat", false)), "answer.label", "answer")).isFalse();
		// no verdict of that check at all: no majority to judge
		assertThat(Agreement.majorityPassed(List.of(failed(1, 1)), "answer.label", "answer")).isNull();
	}

	@Test
	void withoutChecksAnAnswerPassesWhenItIsAnsweredAndSeveralModelsCountApart() {
		Agreement agreement = new Agreement(2, Map.of(), false);
		agreement.add(Conversation.answered(1, "r1", "ai/tiny", List.of(), List.of()));
		agreement.add(failed(1, 2));
		agreement.add(Conversation.answered(1, "r1", "ai/tiny2", List.of(), List.of()));
		agreement.add(Conversation.answered(1, "r1", "ai/tiny2", List.of(), List.of())
			.withRepetition(2));

		assertThat(agreement.totals().lines()).containsExactly("repeat 2 (2 requests per item and model, one answer "
				+ "each): answers given, per item: 2/2 on 1 item, 1/2 on 1, 0/2 on 0");
	}

}
