package dev.dmrbatch.check;

import java.util.List;
import java.util.Map;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.model.ChatMessage;
import dev.dmrbatch.model.ChatService;
import dev.dmrbatch.model.LoadGate;
import dev.dmrbatch.model.ModelCallException;
import dev.dmrbatch.model.ModelReply;
import dev.dmrbatch.model.StructuredOutput;

/**
 * Asks a judge check's grader, or a similar check's embedding model: one request through the run's model client, its
 * load gate and its retries, as a step is asked. Thread-safe.
 */
public final class Grader {

	/**
	 * What a grader is asked for: a score from 1 to 5 and a short reason. In a holder, so that the schema validator's
	 * classes load only for a job with a judge (every run makes a grader).
	 */
	static final class Grade {

		static final StructuredOutput FORMAT = StructuredOutput.schema("grade", Map.of("type", "object", "properties",
				Map.of("score", Map.of("type", "integer", "minimum", 1, "maximum", 5), "reason",
						Map.of("type", "string", "maxLength", 160)),
				"required", List.of("score", "reason"), "additionalProperties", false), null);

		private Grade() {
		}

	}

	private final ChatService chat;

	private final LoadGate gate;

	private final DmrProperties.Retry retry;

	public Grader(ChatService chat, LoadGate gate, DmrProperties.Retry retry) {
		this.chat = chat;
		this.gate = gate;
		this.retry = retry;
	}

	/**
	 * The grader's reply to a rubric, asked for as JSON by {@link Grade#FORMAT}.
	 * @throws ModelCallException when the runner did not answer, after the retries
	 */
	ModelReply ask(ModelSettings settings, String rubric) {
		return this.chat.complete(settings, List.of(ChatMessage.user(rubric)), Grade.FORMAT, this.retry, this.gate);
	}

	/**
	 * A text's embedding from a similar check's embedding model, asked as an {@code embed} step asks.
	 * @throws ModelCallException when the runner did not answer, after the retries
	 */
	ChatService.Embedded embed(ModelSettings settings, String text) {
		return this.chat.embed(settings, text, this.retry, this.gate);
	}

}
