package dev.dmrbatch.conversation;

import java.util.List;

/**
 * One input item's conversation with one model: its turns, the facts of each call, and how it ended.
 *
 * @param status {@code ok} when every step was answered, {@code failed} otherwise
 * @param error why it failed, in one sentence naming the culprit; {@code null} when ok
 */
public record Conversation(long itemSeq, String itemId, String model, String status, String error,
		List<Turn> turns, List<Call> calls) {

	public static final String OK = "ok";

	public static final String FAILED = "failed";

	public boolean isOk() {
		return OK.equals(this.status);
	}

	public long promptTokens() {
		return this.calls.stream().mapToLong(Call::promptTokens).sum();
	}

	public long completionTokens() {
		return this.calls.stream().mapToLong(Call::completionTokens).sum();
	}

	public long latencyMillis() {
		return this.calls.stream().mapToLong(Call::latencyMillis).sum();
	}

	/** A turn: {@code system}, {@code user} or {@code assistant}; the step it belongs to, if any. */
	public record Turn(String role, String step, String content) {
	}

	/** The facts of one request to the model. {@code timings} is llama.cpp's object as JSON, when sent. */
	public record Call(int stepIndex, String step, String finishReason, long promptTokens, long completionTokens,
			long latencyMillis, int attempts, String timings, String systemFingerprint, String error) {
	}

}
