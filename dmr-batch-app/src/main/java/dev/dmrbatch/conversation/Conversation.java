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
 * @param earlierErrors how the conversations it replaced had failed ({@code retry=failed}), oldest first; empty when
 * it is the item's first
 * @param repetition which of the item's answers by this model it is, from 1 ({@code repeat=N} asks each item N
 * times); 1 when the run does not repeat
 */
public record Conversation(long itemSeq, String itemId, String model, String status, String error,
		List<Turn> turns, List<Call> calls, String runner, List<Verdict> verdicts, List<String> earlierErrors,
		int repetition) {

	/** An item's conversation with a model that answered every step. */
	public static Conversation answered(long itemSeq, String itemId, String model, List<Turn> turns,
			List<Call> calls) {
		return new Conversation(itemSeq, itemId, model, OK, null, turns, calls, null, List.of(), List.of(), 1);
	}

	/** An item's conversation with a model that failed, {@code error} saying why in one sentence. */
	public static Conversation failed(long itemSeq, String itemId, String model, String error, List<Turn> turns,
			List<Call> calls) {
		return new Conversation(itemSeq, itemId, model, FAILED, error, turns, calls, null, List.of(), List.of(), 1);
	}

	/** An item's conversation with a model: answered when {@code error} is {@code null}, else failed with it. */
	public static Conversation ended(long itemSeq, String itemId, String model, String error, List<Turn> turns,
			List<Call> calls) {
		return (error == null) ? answered(itemSeq, itemId, model, turns, calls)
				: failed(itemSeq, itemId, model, error, turns, calls);
	}

	public Conversation withRunner(String url) {
		return new Conversation(itemSeq, itemId, model, status, error, turns, calls, url, verdicts, earlierErrors,
				repetition);
	}

	/** This conversation as the item's {@code k}th answer by its model. */
	public Conversation withRepetition(int k) {
		return new Conversation(itemSeq, itemId, model, status, error, turns, calls, runner, verdicts, earlierErrors, k);
	}

	/** What tells a conversation apart among an item's: its model and its repetition. */
	public Key key() {
		return new Key(this.model, this.repetition);
	}

	/** A conversation of an item: its model, and which of the model's answers to the item it is (from 1). */
	public record Key(String model, int repetition) {
	}

	/** This conversation with the verdicts on its answers, and the calls its checks made after its own. */
	public Conversation withVerdicts(List<Verdict> given, List<Call> checkCalls) {
		List<Call> all = calls;
		if (!checkCalls.isEmpty()) {
			all = new java.util.ArrayList<>(calls);
			all.addAll(checkCalls);
		}
		return new Conversation(itemSeq, itemId, model, status, error, turns, all, runner, given, earlierErrors,
				repetition);
	}

	public static final String OK = "ok";

	public static final String FAILED = "failed";

	public boolean isOk() {
		return OK.equals(this.status);
	}

	/**
	 * Whether it passed: answered, and passed every check it was given; without checks, answered. The one rule for
	 * an answer's passing: the agreement of a repeated run and a comparison's counts both ask it.
	 */
	public boolean passed() {
		return isOk() && this.verdicts.stream().allMatch(Verdict::pass);
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
	 * @param json the parsed answer of a step that asked for JSON, as compact JSON text; for a user turn that sent
	 * images, what identifies them (a JSON array of objects: {@code file}, {@code bytes}, {@code sha256},
	 * {@code width}, {@code height}, and {@code sent}, the sides as sent, when it was made smaller), never their bytes;
	 * else {@code null}
	 */
	public record Turn(String role, String step, String content, String reasoning, String json) {

		/** The role of a plugin step's output. */
		public static final String PLUGIN = "plugin";

		public Turn(String role, String step, String content) {
			this(role, step, content, null, null);
		}

		/** What identifies the images a user turn sent, as JSON ({@code json}), or {@code null}. */
		public String images() {
			return this.role.equals("user") ? this.json : null;
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

		/**
		 * A call that was answered (or made no request: a plugin's step), its facts given by name; what is not given
		 * is absent (0 tokens, 0 attempts).
		 */
		public static Builder answered(int stepIndex, String step) {
			return new Builder(stepIndex, step);
		}

		/** A call that was refused or not answered: the error, and the model it was sent to where it is known. */
		public static Call failed(int stepIndex, String step, String error, String requestModel) {
			return answered(stepIndex, step).error(error).requestModel(requestModel).build();
		}

		/** Whether this call was a judge check's request to its grader: its step is the check's key. */
		public boolean isCheck() {
			return this.step != null && this.step.indexOf('.') >= 0;
		}

		/** A step that its {@code when:} skipped: nothing was sent. */
		public static Call skipped(int stepIndex, String step) {
			Builder skipped = answered(stepIndex, step);
			skipped.skipped = true;
			return skipped.build();
		}

		public boolean isReused() {
			return this.reusedFrom != null;
		}

		/** This call's facts, to be changed by name. */
		public Builder toBuilder() {
			Builder copy = new Builder(this.stepIndex, this.step).finishReason(this.finishReason)
				.tokens(this.promptTokens, this.completionTokens)
				.latency(this.latencyMillis)
				.attempts(this.attempts)
				.timings(this.timings)
				.systemFingerprint(this.systemFingerprint)
				.error(this.error)
				.requestModel(this.requestModel)
				.ttft(this.ttftMillis)
				.httpStatus(this.httpStatus)
				.requestId(this.requestId)
				.reusedFrom(this.reusedFrom)
				.logprobs(this.logprobs)
				.embedding(this.embedding);
			copy.skipped = this.skipped;
			return copy;
		}

		/** A call's facts by name; see {@link Call} for each. */
		public static final class Builder {

			private final int stepIndex;

			private final String step;

			private String finishReason;

			private long promptTokens;

			private long completionTokens;

			private long latencyMillis;

			private int attempts;

			private String timings;

			private String systemFingerprint;

			private String error;

			private boolean skipped;

			private String requestModel;

			private Long ttftMillis;

			private Integer httpStatus;

			private String requestId;

			private Reuse reusedFrom;

			private String logprobs;

			private String embedding;

			private Builder(int stepIndex, String step) {
				this.stepIndex = stepIndex;
				this.step = step;
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

			public Builder latency(long millis) {
				this.latencyMillis = millis;
				return this;
			}

			public Builder attempts(int attempts) {
				this.attempts = attempts;
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

			public Builder error(String error) {
				this.error = error;
				return this;
			}

			public Builder requestModel(String requestModel) {
				this.requestModel = requestModel;
				return this;
			}

			public Builder ttft(Long millis) {
				this.ttftMillis = millis;
				return this;
			}

			public Builder httpStatus(Integer httpStatus) {
				this.httpStatus = httpStatus;
				return this;
			}

			public Builder requestId(String requestId) {
				this.requestId = requestId;
				return this;
			}

			public Builder reusedFrom(Reuse reusedFrom) {
				this.reusedFrom = reusedFrom;
				return this;
			}

			public Builder logprobs(String logprobs) {
				this.logprobs = logprobs;
				return this;
			}

			public Builder embedding(String embedding) {
				this.embedding = embedding;
				return this;
			}

			public Call build() {
				return new Call(this.stepIndex, this.step, this.finishReason, this.promptTokens, this.completionTokens,
						this.latencyMillis, this.attempts, this.timings, this.systemFingerprint, this.error, this.skipped,
						this.requestModel, this.ttftMillis, this.httpStatus, this.requestId, this.reusedFrom,
						this.logprobs, this.embedding);
			}

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
