package dev.dmrbatch.export;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.conversation.Conversation;
import tools.jackson.core.JsonGenerator;

/** A conversation as exports show it: the same fields in JSON Lines, JSON and the layouts' data. */
final class ConversationData {

	private ConversationData() {
	}

	/** Each step's answer by step name, in step order. */
	static Map<String, String> answers(Conversation c) {
		Map<String, String> answers = new LinkedHashMap<>();
		for (Conversation.Turn turn : c.turns()) {
			if (turn.role().equals("assistant") && turn.step() != null) {
				answers.put(turn.step(), turn.content());
			}
		}
		return answers;
	}

	static void write(JsonGenerator g, Conversation c) {
		g.writeStartObject();
		g.writeStringProperty("id", c.itemId());
		g.writeStringProperty("status", c.status());
		g.writeStringProperty("error", c.error());
		g.writeStringProperty("model", c.model());
		g.writeArrayPropertyStart("messages");
		for (Conversation.Turn turn : c.turns()) {
			g.writeStartObject();
			g.writeStringProperty("role", turn.role());
			g.writeStringProperty("content", turn.content());
			g.writeEndObject();
		}
		g.writeEndArray();
		g.writeObjectPropertyStart("steps");
		answers(c).forEach(g::writeStringProperty);
		g.writeEndObject();
		g.writeObjectPropertyStart("usage");
		g.writeNumberProperty("prompt_tokens", c.promptTokens());
		g.writeNumberProperty("completion_tokens", c.completionTokens());
		g.writeNumberProperty("total_tokens", c.promptTokens() + c.completionTokens());
		g.writeEndObject();
		g.writeEndObject();
	}

	/** Plain data for a FreeMarker layout: maps, lists, strings and numbers only. */
	static Map<String, Object> model(Conversation c) {
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("id", c.itemId());
		data.put("status", c.status());
		if (c.error() != null) {
			data.put("error", c.error());
		}
		data.put("model", c.model());
		List<Map<String, Object>> turns = new ArrayList<>();
		for (Conversation.Turn turn : c.turns()) {
			Map<String, Object> t = new LinkedHashMap<>();
			t.put("role", turn.role());
			if (turn.step() != null) {
				t.put("step", turn.step());
			}
			t.put("content", turn.content());
			turns.add(t);
		}
		data.put("turns", turns);
		data.put("steps", answers(c));
		data.put("prompt_tokens", c.promptTokens());
		data.put("completion_tokens", c.completionTokens());
		return data;
	}

}
