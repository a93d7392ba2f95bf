package dev.dmrbatch.export;

import java.io.StringWriter;

import dev.dmrbatch.conversation.Conversation;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

/** A conversation as a line of {@code results.jsonl}, for those who serve items one at a time (the web API). */
public final class ResultLines {

	private static final JsonMapper JSON = JsonMapper.shared();

	private ResultLines() {
	}

	/** The conversation as {@code results.jsonl} writes it, without the line break. */
	public static String line(Conversation conversation) {
		StringWriter out = new StringWriter();
		try (JsonGenerator generator = JSON.createGenerator(out)) {
			ConversationData.write(generator, conversation, conversation.repetition() > 1);
		}
		return out.toString();
	}

}
