package dev.dmrbatch.cache;

import java.util.List;

import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.model.ChatMessage;
import dev.dmrbatch.model.ChatService;
import dev.dmrbatch.model.ModelReply;
import dev.dmrbatch.model.StructuredOutput;

import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;

/**
 * The response cache as one step of a run sees it: looks each call up by its fingerprint before it is sent, and
 * stores each answer as it arrives. With {@link CacheMode#ON} any run's answer is reused, the newest first; with
 * {@link CacheMode#REFRESH} only this run's own (answers received before a crash), so every call is asked again
 * once and the new answers are the ones later runs reuse. An answer this run received for the same item before a
 * crash is taken back as the run's own call, not as a reused one. A listener of the step, to learn the run.
 */
public final class CachedCalls implements StepExecutionListener {

	private final ResponseCache cache;

	private final CacheMode mode;

	/** The API key the calls are sent with: part of each fingerprint, never stored. */
	private final String apiKey;

	private volatile long runId;

	CachedCalls(ResponseCache cache, CacheMode mode, String apiKey) {
		this.cache = cache;
		this.mode = mode;
		this.apiKey = apiKey;
	}

	/**
	 * The calls of a run in this mode; {@code null} when the cache is off, so nothing is looked up.
	 * @param apiKey the API key the run's calls are sent with
	 */
	public static CachedCalls of(ResponseCache cache, CacheMode mode, String apiKey) {
		return (mode == null || mode == CacheMode.OFF) ? null : new CachedCalls(cache, mode, apiKey);
	}

	@Override
	public void beforeStep(StepExecution stepExecution) {
		this.runId = stepExecution.getJobExecution().getJobInstanceId();
	}

	/**
	 * Looks up the answer to the request {@code chat} would send for these arguments.
	 * @param repetition which of the item's repeated answers the request is for ({@code repeat=N}), from 1: a second
	 * one is another sample, never the first one's answer
	 */
	public Lookup lookup(ChatService chat, ModelSettings settings, List<ChatMessage> messages,
			StructuredOutput format, long itemSeq, String model, int stepIndex, int repetition) {
		String fingerprint = Fingerprint.of(chat.baseUrl(), this.apiKey, chat.requestBody(settings, messages, format),
				repetition);
		ResponseCache.Entry entry = this.cache.find(fingerprint, (this.mode == CacheMode.REFRESH) ? this.runId : null)
			.orElse(null);
		if (entry == null) {
			return new Lookup(fingerprint, null, null);
		}
		ModelReply stored = entry.reply();
		if (entry.runId() == this.runId && entry.itemSeq() == itemSeq && entry.model().equals(model)
				&& entry.stepIndex() == stepIndex) {
			// this run's own answer, received before a crash and not committed: its call, as it was
			return new Lookup(fingerprint, stored, null);
		}
		ModelReply reused = ModelReply.answer(stored.model(), stored.content()).reasoning(stored.reasoning())
			.finishReason(stored.finishReason())
			.tokens(stored.promptTokens(), stored.completionTokens())
			.systemFingerprint(stored.systemFingerprint())
			.build();
		return new Lookup(fingerprint, reused, new Conversation.Reuse(entry.runName(), entry.itemId()));
	}

	/** Stores an answer that was sent for and holds (a failed call or an invalid answer is never stored). */
	public void keep(Lookup lookup, long itemSeq, String itemId, String model, int stepIndex, ModelReply reply) {
		if (lookup.reply() == null) {
			this.cache.keep(lookup.fingerprint(), this.runId, itemSeq, itemId, model, stepIndex, reply);
		}
	}

	/**
	 * @param reply the stored answer, or {@code null} when the call must be sent
	 * @param reusedFrom where a reused answer came from; {@code null} when sent, or this run's own
	 */
	public record Lookup(String fingerprint, ModelReply reply, Conversation.Reuse reusedFrom) {

		public boolean found() {
			return this.reply != null;
		}

		/** The same request, to be sent whatever is stored (and its answer stored when it holds). */
		public Lookup askedAgain() {
			return new Lookup(this.fingerprint, null, null);
		}

	}

}
