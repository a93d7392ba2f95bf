package dev.dmrbatch.plugin.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One item's conversation with one model, as the store holds it: read-only.
 *
 * @param seq the item's record number in the input, from 1
 * @param id what identifies the item: its {@code input.id} field, or the record number
 * @param model the model that answered
 * @param ok whether every step was answered
 * @param error why it failed, one sentence; {@code null} when ok
 * @param answers each step's answer (or output) by step name, in step order; a failed or skipped step is absent
 * @param messages the conversation's turns in order
 * @param checks each check's verdict by {@code <step>.<check>}, from the run's latest evaluation; empty without checks
 * @param promptTokens the tokens sent, all calls together
 * @param completionTokens the tokens received, all calls together
 */
public record StoredConversation(long seq, String id, String model, boolean ok, String error,
		Map<String, String> answers, List<Message> messages, Map<String, CheckResult> checks, long promptTokens,
		long completionTokens) {

	/**
	 * A conversation, its collections copied and read-only.
	 * @param seq the record number
	 * @param id the item's id
	 * @param model the model
	 * @param ok whether it was answered
	 * @param error why it failed
	 * @param answers the answers by step
	 * @param messages the turns
	 * @param checks the verdicts
	 * @param promptTokens tokens sent
	 * @param completionTokens tokens received
	 */
	public StoredConversation {
		answers = Collections.unmodifiableMap(new LinkedHashMap<>(answers));
		messages = List.copyOf(messages);
		checks = Collections.unmodifiableMap(new LinkedHashMap<>(checks));
	}

	/**
	 * One turn of a conversation.
	 *
	 * @param role {@code system}, {@code user} or {@code assistant}
	 * @param step the step it belongs to, or {@code null} for the system prompt
	 * @param content its text
	 */
	public record Message(String role, String step, String content) {
	}

}
