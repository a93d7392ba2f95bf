package dev.dmrbatch.plugin;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.dmrbatch.plugin.api.Item;
import dev.dmrbatch.prompt.StepAnswer;

/** An item as checks and step types of plugins see it, from the variables a prompt sees. */
public final class PluginItems {

	private PluginItems() {
	}

	/**
	 * The item of a prompt's variables: {@code item} (its fields), {@code record} (number and id) and {@code steps}
	 * (each step's answer so far, as text).
	 */
	@SuppressWarnings("unchecked")
	public static Item of(Map<String, Object> model) {
		Map<String, Object> record = (Map<String, Object>) model.get("record");
		Map<String, Object> fields = (Map<String, Object>) model.get("item");
		Map<String, String> steps = new LinkedHashMap<>();
		Object answers = model.get("steps");
		if (answers instanceof Map<?, ?> map) {
			map.forEach((name, answer) -> steps.put(String.valueOf(name), (answer instanceof StepAnswer given)
					? ((given.text() != null) ? given.text() : "") : (answer != null) ? answer.toString() : ""));
		}
		long seq = (record != null && record.get("number") instanceof Number n) ? n.longValue() : 0;
		String id = (record != null) ? String.valueOf(record.get("id")) : String.valueOf(seq);
		return new Item(seq, id, (fields != null) ? fields : Map.of(), steps);
	}

}
