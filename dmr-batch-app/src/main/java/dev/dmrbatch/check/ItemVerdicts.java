package dev.dmrbatch.check;

import java.util.List;

import dev.dmrbatch.conversation.AnswerKey;
import dev.dmrbatch.conversation.Verdict;

/**
 * The verdicts on one item's conversation with one model, in the job file's order of the checks.
 *
 * @param itemSeq the item's record number, as in the conversation store
 * @param model the conversation's model
 * @param repetition which of the item's answers by the model the conversation is (from 1; {@code repeat=N})
 */
public record ItemVerdicts(long itemSeq, String model, List<Verdict> verdicts, int repetition) {

	public ItemVerdicts(long itemSeq, String model, List<Verdict> verdicts) {
		this(itemSeq, model, verdicts, 1);
	}

	/** The conversation the verdicts are on. */
	public AnswerKey answerKey() {
		return new AnswerKey(this.itemSeq, this.model, this.repetition);
	}

}
