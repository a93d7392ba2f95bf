package dev.dmrbatch.export;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.conversation.Verdict;
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
			if (turn.isAnswer()) {
				answers.put(turn.step(), turn.content());
			}
		}
		return answers;
	}

	/** Each JSON step's parsed answer by step name, as compact JSON text. */
	static Map<String, String> json(Conversation c) {
		Map<String, String> json = new LinkedHashMap<>();
		for (Conversation.Turn turn : c.turns()) {
			if (turn.isAnswer() && turn.json() != null) {
				json.put(turn.step(), turn.json());
			}
		}
		return json;
	}

	/** Each embed step's vector by step name, as a JSON array. */
	static Map<String, String> embeddings(Conversation c) {
		Map<String, String> embeddings = new LinkedHashMap<>();
		for (Conversation.Call call : c.calls()) {
			if (call.embedding() != null) {
				embeddings.put(call.step(), call.embedding());
			}
		}
		return embeddings;
	}

	/** The number of values of each embed step's vector, by step name. */
	static Map<String, Integer> dimensions(Conversation c) {
		Map<String, Integer> dimensions = new LinkedHashMap<>();
		embeddings(c).forEach((step, vector) -> dimensions.put(step,
				vector.isBlank() || vector.replaceAll("[\\[\\]\\s]", "").isEmpty() ? 0
						: vector.split(",").length));
		return dimensions;
	}

	/** The steps a {@code when:} skipped. */
	static List<String> skipped(Conversation c) {
		return c.calls().stream().filter(Conversation.Call::skipped).map(Conversation.Call::step).toList();
	}

	/** @param repeats whether the run asked each item more than once: then {@code repeat} says which answer it is */
	static void write(JsonGenerator g, Conversation c, boolean repeats) {
		g.writeStartObject();
		g.writeStringProperty("id", c.itemId());
		g.writeStringProperty("status", c.status());
		g.writeStringProperty("error", c.error());
		if (!c.earlierErrors().isEmpty()) {
			// retry=failed replaced failed conversations of the item: how each had failed, oldest first
			g.writeArrayPropertyStart("earlier_errors");
			c.earlierErrors().forEach(g::writeString);
			g.writeEndArray();
		}
		g.writeStringProperty("model", c.model());
		if (repeats) {
			g.writeNumberProperty("repeat", c.repetition());
		}
		if (c.runner() != null) {
			g.writeStringProperty("runner", c.runner());
		}
		g.writeArrayPropertyStart("messages");
		for (Conversation.Turn turn : c.turns()) {
			if (!turn.isMessage()) {
				continue;
			}
			g.writeStartObject();
			g.writeStringProperty("role", turn.role());
			g.writeStringProperty("content", turn.content());
			if (turn.reasoning() != null) {
				g.writeStringProperty("reasoning", turn.reasoning());
			}
			if (turn.images() != null) {
				// the images the turn sent, by reference: never their bytes
				g.writeName("images");
				g.writeRawValue(turn.images());
			}
			g.writeEndObject();
		}
		g.writeEndArray();
		g.writeObjectPropertyStart("steps");
		answers(c).forEach(g::writeStringProperty);
		g.writeEndObject();
		Map<String, String> json = json(c);
		if (!json.isEmpty()) {
			// the parsed answers beside the text, as data
			g.writeObjectPropertyStart("json");
			json.forEach((step, value) -> {
				g.writeName(step);
				g.writeRawValue(value);
			});
			g.writeEndObject();
		}
		Map<String, String> reasoning = reasoning(c);
		if (!reasoning.isEmpty()) {
			g.writeObjectPropertyStart("reasoning");
			reasoning.forEach(g::writeStringProperty);
			g.writeEndObject();
		}
		Map<String, String> embeddings = embeddings(c);
		if (!embeddings.isEmpty()) {
			// each embed step's vector, as an array of numbers
			g.writeObjectPropertyStart("embeddings");
			embeddings.forEach((step, vector) -> {
				g.writeName(step);
				g.writeRawValue(vector);
			});
			g.writeEndObject();
		}
		List<String> skipped = skipped(c);
		if (!skipped.isEmpty()) {
			g.writeArrayPropertyStart("skipped");
			skipped.forEach(g::writeString);
			g.writeEndArray();
		}
		if (!c.verdicts().isEmpty()) {
			// the verdicts of the run's latest evaluation: {"<step>.<check>": {"pass": true, "reason": "..."}}
			g.writeObjectPropertyStart("checks");
			for (Verdict verdict : c.verdicts()) {
				g.writeObjectPropertyStart(verdict.checkKey());
				g.writeBooleanProperty("pass", verdict.pass());
				g.writeStringProperty("reason", verdict.reason());
				g.writeEndObject();
			}
			g.writeEndObject();
		}
		g.writeArrayPropertyStart("calls");
		for (Conversation.Call call : c.calls()) {
			g.writeStartObject();
			g.writeStringProperty("step", call.step());
			if (call.skipped()) {
				g.writeBooleanProperty("skipped", true);
				g.writeEndObject();
				continue;
			}
			g.writeStringProperty("model", (call.requestModel() != null) ? call.requestModel() : c.model());
			g.writeStringProperty("finish_reason", call.finishReason());
			g.writeNumberProperty("prompt_tokens", call.promptTokens());
			g.writeNumberProperty("completion_tokens", call.completionTokens());
			g.writeNumberProperty("latency_ms", call.latencyMillis());
			if (call.ttftMillis() != null) {
				g.writeNumberProperty("ttft_ms", call.ttftMillis());
			}
			g.writeNumberProperty("attempts", call.attempts());
			if (call.isReused()) {
				g.writeObjectPropertyStart("reused_from");
				g.writeStringProperty("run", call.reusedFrom().run());
				g.writeStringProperty("item", call.reusedFrom().item());
				g.writeEndObject();
			}
			if (call.error() != null) {
				g.writeStringProperty("error", call.error());
			}
			if (call.logprobs() != null) {
				g.writeName("logprobs");
				g.writeRawValue(call.logprobs());
			}
			g.writeEndObject();
		}
		g.writeEndArray();
		g.writeObjectPropertyStart("usage");
		g.writeNumberProperty("prompt_tokens", c.promptTokens());
		g.writeNumberProperty("completion_tokens", c.completionTokens());
		g.writeNumberProperty("total_tokens", c.promptTokens() + c.completionTokens());
		g.writeEndObject();
		g.writeEndObject();
	}

	/** Each step's reasoning by step name, for the steps that have one. */
	static Map<String, String> reasoning(Conversation c) {
		Map<String, String> reasoning = new LinkedHashMap<>();
		for (Conversation.Turn turn : c.turns()) {
			if (turn.role().equals("assistant") && turn.step() != null && turn.reasoning() != null) {
				reasoning.put(turn.step(), turn.reasoning());
			}
		}
		return reasoning;
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
		if (c.runner() != null) {
			data.put("runner", c.runner());
		}
		List<Map<String, Object>> turns = new ArrayList<>();
		for (Conversation.Turn turn : c.turns()) {
			if (!turn.isMessage()) {
				continue;
			}
			Map<String, Object> t = new LinkedHashMap<>();
			t.put("role", turn.role());
			if (turn.step() != null) {
				t.put("step", turn.step());
			}
			t.put("content", turn.content());
			if (turn.reasoning() != null) {
				t.put("reasoning", turn.reasoning());
			}
			if (turn.images() != null) {
				t.put("images", tools.jackson.databind.json.JsonMapper.shared().readValue(turn.images(), List.class));
			}
			turns.add(t);
		}
		data.put("turns", turns);
		data.put("steps", answers(c));
		data.put("json", json(c));
		data.put("skipped", skipped(c));
		List<Map<String, Object>> checks = new ArrayList<>();
		for (Verdict verdict : c.verdicts()) {
			Map<String, Object> v = new LinkedHashMap<>();
			v.put("key", verdict.checkKey());
			v.put("pass", verdict.pass());
			v.put("reason", (verdict.reason() != null) ? verdict.reason() : "");
			checks.add(v);
		}
		data.put("checks", checks);
		data.put("prompt_tokens", c.promptTokens());
		data.put("completion_tokens", c.completionTokens());
		return data;
	}

}
