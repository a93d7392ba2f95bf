package dev.dmrbatch.model;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A streamed think block kept apart from the answer, whatever the pieces' boundaries. */
class ReasoningStreamTest {

	@Test
	void aThinkBlockSplitAcrossPiecesGoesToTheReasoningAndTheRestToTheAnswer() {
		Collected collected = stream("  <th", "ink>The user ", "wants a number.</th", "ink>\n\n", "4", "2");
		assertThat(collected.reasoning).hasToString("The user wants a number.");
		assertThat(collected.answer).hasToString("42");
	}

	@Test
	void anAnswerWithoutAThinkBlockIsStreamedAsItIs() {
		Collected collected = stream("<", "b>bold</b> and <think>x</think>");
		assertThat(collected.reasoning).isEmpty();
		assertThat(collected.answer).hasToString("<b>bold</b> and <think>x</think>");
	}

	@Test
	void theReasoningIsWrittenAsItArrivesNotHeldToTheEnd() {
		Collected collected = new Collected();
		ReasoningStream stream = new ReasoningStream(collected);
		stream.accept("<think>first thoughts");
		assertThat(collected.reasoning).hasToString("first thoughts");
		stream.accept(" and more </");
		// a tail that may open the closing tag waits for the next piece
		assertThat(collected.reasoning).hasToString("first thoughts and more ");
		stream.accept("p> is not it");
		assertThat(collected.reasoning).hasToString("first thoughts and more </p> is not it");
	}

	@Test
	void anUnclosedThinkBlockIsAllReasoning() {
		Collected collected = stream("<think>Let me count: one, two");
		assertThat(collected.reasoning).hasToString("Let me count: one, two");
		assertThat(collected.answer).isEmpty();
	}

	@Test
	void aShortAnswerThatCouldStartATagIsNotLost() {
		assertThat(stream("<th").answer).hasToString("<th");
	}

	@Test
	void aClosingTagAloneTurnsWhatStreamedAsTheAnswerIntoTheReasoning() {
		Collected collected = new Collected();
		ReasoningStream stream = new ReasoningStream(collected);
		stream.accept("The user ");
		// nothing tells yet that this is reasoning: it streams as the answer
		assertThat(collected.answer).hasToString("The user ");
		List.of("wants a number.</th", "ink>\n\n", "4", "2").forEach(stream::accept);
		stream.finish();
		assertThat(collected.reasoning).hasToString("The user wants a number.");
		assertThat(collected.answer).hasToString("42");
		assertThat(collected.corrections).isEqualTo(1);
	}

	@Test
	void aClosingTagAfterAnOpeningOneStreamedEarlierIsTheAnswersOwnText() {
		Collected collected = stream("Write <th", "ink>, then </think>.");
		assertThat(collected.reasoning).isEmpty();
		assertThat(collected.answer).hasToString("Write <think>, then </think>.");
		assertThat(collected.corrections).isZero();
	}

	private static Collected stream(String... pieces) {
		Collected collected = new Collected();
		ReasoningStream stream = new ReasoningStream(collected);
		List.of(pieces).forEach(stream::accept);
		stream.finish();
		return collected;
	}

	private static final class Collected implements StreamListener {

		final StringBuilder reasoning = new StringBuilder();

		final StringBuilder answer = new StringBuilder();

		int corrections;

		@Override
		public void reasoning(String text) {
			this.reasoning.append(text);
		}

		@Override
		public void answer(String text) {
			this.answer.append(text);
		}

		@Override
		public void answerWasReasoning(String text) {
			assertThat(this.answer).hasToString(text);
			this.answer.setLength(0);
			this.reasoning.append(text);
			this.corrections++;
		}

	}

}
