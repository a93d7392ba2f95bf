package dev.dmrbatch.conversation;

import java.util.List;

/**
 * One input item's conversation with one model: its turns, the facts of each call, and how it ended.
 *
 * @param status {@code ok} when every step was answered, {@code failed} otherwise
 * @param error why it failed, in one sentence naming the culprit; {@code null} when ok
 * @param runner the base URL of the model runner that answered it
 * @param verdicts the job's checks' verdicts on its answers, given as it was answered (stored apart, in the same
 * transaction); empty when the job has no checks, and as read back from the store
 */
public record Conversation(long itemSeq, String itemId, String model, String status, String error,
		List<Turn> turns, List<Call> calls, String runner, List<Verdict> verdicts) {

	public Conversation(long itemSeq, String itemId, String model, String status, String error, List<Turn> turns,
			List<Call> calls, String runner) {
		this(itemSeq, itemId, model, status, error, turns, calls, runner, List.of());
	}

	public Conversation(long itemSeq, String itemId, String model, String status, String error, List<Turn> turns,
			List<Call> calls) {
		this(itemSeq, itemId, model, status, error, turns, calls, null);
	}

	public Conversation withRunner(String url) {
		return new Conversation(itemSeq, itemId, model, status, error, turns, calls, url, verdicts);
	}

	/** This conversation with the verdicts on its answers, and the calls its checks made after its own. */
	public Conversation withVerdicts(List<Verdict> given, List<Call> checkCalls) {
		List<Call> all = calls;
		if (!checkCalls.isEmpty()) {
			all = new java.util.ArrayList<>(calls);
			all.addAll(checkCalls);
		}
		return new Conversation(itemSeq, itemId, model, status, error, turns, all, runner, given);
	}

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

	/**
	 * A turn: {@code system}, {@code user} or {@code assistant}, messages of the conversation with the model; or
	 * {@code plugin}, the output of a plugin's step, which is that step's answer but no message: the model never saw
	 * it as one, so it is left out of the messages the exports show and of a conversation continued in a chat.
	 * The step it belongs to, if any.
	 *
	 * @param content the text; for an assistant turn the answer alone, without the reasoning
	 * @param reasoning what a reasoning model thought before answering ({@code <think>} or {@code reasoning_content}),
	 * or {@code null}
	 * @param json the parsed answer of a step that asked for JSON, as compact JSON text, or {@code null}
	 */
	public record Turn(String role, String step, String content, String reasoning, String json) {

		/** The role of a plugin step's output. */
		public static final String PLUGIN = "plugin";

		public Turn(String role, String step, String content) {
			this(role, step, content, null, null);
		}

		/** Whether this is a step's answer: the model's, or a plugin step's output. */
		public boolean isAnswer() {
			return this.step != null && (this.role.equals("assistant") || this.role.equals(PLUGIN));
		}

		/** Whether this is a message of the conversation with the model (not a plugin step's output). */
		public boolean isMessage() {
			return !this.role.equals(PLUGIN);
		}

	}

	/**
	 * The facts of one request to the model. {@code timings} is llama.cpp's object as JSON, when sent.
	 *
	 * @param skipped the step's {@code when:} was false: nothing was sent
	 * @param requestModel the step's own model when it differs from the conversation's, else {@code null}
	 * @param ttftMillis time to the first streamed token, {@code null} when not streamed
	 * @param httpStatus the runner's HTTP status, where it is kept (OpenAI Batch requests), else {@code null}
	 * @param requestId the runner's request id, where it is kept, else {@code null}
	 * @param reusedFrom where the answer came from when the response cache gave it (nothing was sent; the tokens are
	 * the original call's), else {@code null}
	 * @param logprobs the answer's log probabilities as the runner sent them (JSON), when the step asked for them
	 * @param embedding the vector an {@code embed} step got back, as a JSON array, else {@code null}
	 */
	public record Call(int stepIndex, String step, String finishReason, long promptTokens, long completionTokens,
			long latencyMillis, int attempts, String timings, String systemFingerprint, String error, boolean skipped,
			String requestModel, Long ttftMillis, Integer httpStatus, String requestId, Reuse reusedFrom,
			String logprobs, String embedding) {

		/** A call that was sent (not reused), with what the runner gave beside the answer. */
		public Call(int stepIndex, String step, String finishReason, long promptTokens, long completionTokens,
				long latencyMillis, int attempts, String timings, String systemFingerprint, String error,
				boolean skipped, String requestModel, Long ttftMillis, Integer httpStatus, String requestId,
				String logprobs, String embedding) {
			this(stepIndex, step, finishReason, promptTokens, completionTokens, latencyMillis, attempts, timings,
					systemFingerprint, error, skipped, requestModel, ttftMillis, httpStatus, requestId, null, logprobs,
					embedding);
		}

		/** A call without log probabilities or a vector, reused or not. */
		public Call(int stepIndex, String step, String finishReason, long promptTokens, long completionTokens,
				long latencyMillis, int attempts, String timings, String systemFingerprint, String error,
				boolean skipped, String requestModel, Long ttftMillis, Integer httpStatus, String requestId,
				Reuse reusedFrom) {
			this(stepIndex, step, finishReason, promptTokens, completionTokens, latencyMillis, attempts, timings,
					systemFingerprint, error, skipped, requestModel, ttftMillis, httpStatus, requestId, reusedFrom, null,
					null);
		}

		public Call(int stepIndex, String step, String finishReason, long promptTokens, long completionTokens,
				long latencyMillis, int attempts, String timings, String systemFingerprint, String error,
				boolean skipped, String requestModel, Long ttftMillis, Integer httpStatus, String requestId) {
			this(stepIndex, step, finishReason, promptTokens, completionTokens, latencyMillis, attempts, timings,
					systemFingerprint, error, skipped, requestModel, ttftMillis, httpStatus, requestId, (Reuse) null);
		}

		public Call(int stepIndex, String step, String finishReason, long promptTokens, long completionTokens,
				long latencyMillis, int attempts, String timings, String systemFingerprint, String error) {
			this(stepIndex, step, finishReason, promptTokens, completionTokens, latencyMillis, attempts, timings,
					systemFingerprint, error, false, null, null, null, null);
		}

		/** Whether this call was a judge check's request to its grader: its step is the check's key. */
		public boolean isCheck() {
			return this.step != null && this.step.indexOf('.') >= 0;
		}

		public static Call skipped(int stepIndex, String step) {
			return new Call(stepIndex, step, null, 0, 0, 0, 0, null, null, null, true, null, null, null, null);
		}

		public boolean isReused() {
			return this.reusedFrom != null;
		}

	}

	/**
	 * Where a reused answer was first received.
	 *
	 * @param run the run's label, or its number when it has none
	 * @param item the item's id in that run
	 */
	public record Reuse(String run, String item) {

	}

}
