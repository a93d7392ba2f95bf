package dev.dmrbatch.model;

import java.util.List;

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
 * @param others the request's other choices, in order, where it asked for several ({@code n}): each a reply of its
 * own with the call's facts; the usage's prompt tokens are this reply's alone, its completion tokens are split evenly
 * among the choices (the first ones one more while they do not divide), so that all of them add up to the usage
 */
public record ModelReply(String model, String content, String reasoning, String finishReason, long promptTokens,
		long completionTokens, long latencyMillis, Long ttftMillis, String timings, String systemFingerprint,
		int attempts, String logprobs, List<ModelReply> others) {

	public ModelReply {
		others = (others != null) ? List.copyOf(others) : List.of();
	}

	/** A reply whose answer is {@code content}, as the model named {@code model} gave it; the rest is set by name. */
	public static Builder answer(String model, String content) {
		return new Builder(model, content);
	}

	/** An answer stopped before anything of it arrived (Ctrl-C before the first piece), after these attempts. */
	static ModelReply stoppedBeforeAnswer(int attempts) {
		return answer(null, "").finishReason(ChatService.STOPPED).attempts(attempts).build();
	}

	/** The same answer with its call's facts replaced: the choices of a request, or an answer used again. */
	public Builder toBuilder() {
		return answer(this.model, this.content).reasoning(this.reasoning)
			.finishReason(this.finishReason)
			.tokens(this.promptTokens, this.completionTokens)
			.latency(this.latencyMillis)
			.ttft(this.ttftMillis)
			.timings(this.timings)
			.systemFingerprint(this.systemFingerprint)
			.attempts(this.attempts)
			.logprobs(this.logprobs)
			.others(this.others);
	}

	/** How many choices the request gave: this one and the others. */
	public int choices() {
		return 1 + this.others.size();
	}

	/**
	 * The completion tokens of choice {@code index} (from 0) of {@code choices}, when the usage counts
	 * {@code completionTokens} for them all: split evenly, the first ones one more while they do not divide.
	 */
	static long share(long completionTokens, int choices, int index) {
		return completionTokens / choices + ((index < completionTokens % choices) ? 1 : 0);
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

	/** Sets a reply's parts by name; what is not set is empty: no reasoning, no tokens, no timings, no others. */
	public static final class Builder {

		private final String model;

		private final String content;

		private String reasoning;

		private String finishReason;

		private long promptTokens;

		private long completionTokens;

		private long latencyMillis;

		private Long ttftMillis;

		private String timings;

		private String systemFingerprint;

		private int attempts;

		private String logprobs;

		private List<ModelReply> others = List.of();

		private Builder(String model, String content) {
			this.model = model;
			this.content = content;
		}

		public Builder reasoning(String reasoning) {
			this.reasoning = reasoning;
			return this;
		}

		public Builder finishReason(String finishReason) {
			this.finishReason = finishReason;
			return this;
		}

		public Builder tokens(long promptTokens, long completionTokens) {
			this.promptTokens = promptTokens;
			this.completionTokens = completionTokens;
			return this;
		}

		public Builder latency(long latencyMillis) {
			this.latencyMillis = latencyMillis;
			return this;
		}

		public Builder ttft(Long ttftMillis) {
			this.ttftMillis = ttftMillis;
			return this;
		}

		public Builder timings(String timings) {
			this.timings = timings;
			return this;
		}

		public Builder systemFingerprint(String systemFingerprint) {
			this.systemFingerprint = systemFingerprint;
			return this;
		}

		public Builder attempts(int attempts) {
			this.attempts = attempts;
			return this;
		}

		public Builder logprobs(String logprobs) {
			this.logprobs = logprobs;
			return this;
		}

		public Builder others(List<ModelReply> others) {
			this.others = others;
			return this;
		}

		public ModelReply build() {
			return new ModelReply(this.model, this.content, this.reasoning, this.finishReason, this.promptTokens,
					this.completionTokens, this.latencyMillis, this.ttftMillis, this.timings, this.systemFingerprint,
					this.attempts, this.logprobs, this.others);
		}

	}

}
