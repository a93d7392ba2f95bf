package dev.dmrbatch.model;

/**
 * Receives a streamed answer as it arrives ({@link ChatService#stream}): the reasoning (a leading
 * {@code <think>} block or {@code reasoning_content}) apart from the answer. Called on the thread that streams.
 */
public interface StreamListener {

	/** The next piece of the model's reasoning. */
	void reasoning(String text);

	/** The next piece of the answer. */
	void answer(String text);

	/**
	 * Everything streamed as the answer so far, {@code text} whole, was the model's reasoning: its chat template
	 * opened the reasoning itself and the model closed it with a bare {@code </think>}, which nothing showed before it
	 * came. What follows is the answer.
	 */
	default void answerWasReasoning(String text) {
	}

	/**
	 * The runner's stream ended before the answer did (its connection closed, or no finish reason came): what arrived
	 * is the reply, marked {@link ChatService#TRUNCATED}; {@code reason} says so in one sentence naming the model and
	 * the runner.
	 */
	default void truncated(String reason) {
	}

	/** The request is sent again after a transient fault; nothing of the answer had arrived yet. */
	default void retrying(String reason) {
	}

}
