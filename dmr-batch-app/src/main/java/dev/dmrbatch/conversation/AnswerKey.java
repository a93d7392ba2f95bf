package dev.dmrbatch.conversation;

/**
 * Which of a run's conversations something belongs to (its verdicts, a review, the calls its checks made): the item's
 * record number, the model, and which of the model's answers to the item it is. The one key for a run's answers: a
 * record, so maps keyed by it need no string built and none parsed back.
 *
 * @param itemSeq the item's record number, as in the conversation store
 * @param model the conversation's model
 * @param repetition which of the item's answers by the model (from 1; {@code repeat=N}); 1 when asked once
 */
public record AnswerKey(long itemSeq, String model, int repetition) {

	/** The key of a conversation. */
	public static AnswerKey of(Conversation conversation) {
		return new AnswerKey(conversation.itemSeq(), conversation.model(), conversation.repetition());
	}

}
