package dev.dmrbatch.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A reasoning model's think block kept apart from its answer. */
class ReasoningTest {

	@Test
	void aLeadingThinkBlockIsTheReasoningAndTheRestTheAnswer() {
		Reasoning.Split split = Reasoning.split("<think>\nThe user wants a number.\n</think>\n\n42");
		assertThat(split.reasoning()).isEqualTo("The user wants a number.");
		assertThat(split.answer()).isEqualTo("42");
	}

	@Test
	void anAnswerCutShortInsideItsThinkingIsAllReasoning() {
		Reasoning.Split split = Reasoning.split("<think>Let me count: one, two");
		assertThat(split.reasoning()).isEqualTo("Let me count: one, two");
		assertThat(split.answer()).isEmpty();
	}

	@Test
	void thinkTagsAnywhereButTheStartAreTheAnswersOwnText() {
		String text = "Use <think> tags like this: <think>x</think>";
		assertThat(Reasoning.split(text).reasoning()).isNull();
		assertThat(Reasoning.split(text).answer()).isEqualTo(text);
	}

	@Test
	void aClosingTagAloneEndsTheReasoningTheTemplateOpened() {
		// DeepSeek-R1 distills, qwen3 with thinking forced: the template writes <think>, the model only closes it
		Reasoning.Split split = Reasoning.split("The user wants a number.\n</think>\n\n42");
		assertThat(split.reasoning()).isEqualTo("The user wants a number.");
		assertThat(split.answer()).isEqualTo("42");
	}

	@Test
	void aClosingTagAfterAnOpeningOneInTheTextIsTheAnswersOwn() {
		String text = "Write <think>, then </think>.";
		assertThat(Reasoning.split(text).reasoning()).isNull();
		assertThat(Reasoning.split(text).answer()).isEqualTo(text);
	}

}
