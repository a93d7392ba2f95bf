package dev.dmrbatch.model;

import dev.dmrbatch.conversation.Conversation;

/**
 * The answer to one chat request and the facts about the call.
 *
 * @param timings llama.cpp's non-standard {@code timings} object as JSON, or {@code null} when the runner sent
 * none
 * @param model the model that answered, as the runner names it in the response ({@code null} when it does not)
 * @param content the answer, without the reasoning
 * @param reasoning what a reasoning model thought before answering, or {@code null}
 * @param ttftMillis the time to the first streamed token, {@code null} when not streamed
 * @param attempts how many requests it took (retries included)
 * @param logprobs the answer's {@code logprobs} object as JSON, when asked for and sent, else {@code null}
 */
public record ModelReply(String model, String content, String reasoning, String finishReason, long promptTokens,
		long completionTokens, long latencyMillis, Long ttftMillis, String timings, String systemFingerprint,
		int attempts, String logprobs) {

	public ModelReply(String model, String content, String reasoning, String finishReason, long promptTokens,
			long completionTokens, long latencyMillis, Long ttftMillis, String timings, String systemFingerprint,
			int attempts) {
		this(model, content, reasoning, finishReason, promptTokens, completionTokens, latencyMillis, ttftMillis, timings,
				systemFingerprint, attempts, null);
	}

	/**
	 * The record of this call as a step's: its finish reason, tokens, latency, attempts, timings, fingerprint and time
	 * to the first token; the log probabilities only where the caller keeps them.
	 */
	public Conversation.Call.Builder call(int stepIndex, String step) {
		return Conversation.Call.answered(stepIndex, step)
			.finishReason(this.finishReason)
			.tokens(this.promptTokens, this.completionTokens)
			.latency(this.latencyMillis)
			.attempts(this.attempts)
			.timings(this.timings)
			.systemFingerprint(this.systemFingerprint)
			.ttft(this.ttftMillis);
	}

}
