package dev.dmrbatch.examples.xlsx;

import dev.dmrbatch.plugin.api.Item;
import dev.dmrbatch.plugin.api.Options;
import dev.dmrbatch.plugin.api.PluginException;
import dev.dmrbatch.plugin.api.StepType;

/**
 * {@code type: tidy}: a field of the item, or an earlier step's answer, with its white space collapsed and cut to a
 * length, for the steps after it. Options: {@code field} (a field of the item) or {@code step} (an earlier step),
 * {@code max-chars} (no limit by default) and {@code required} (an empty text fails the item; false by default).
 */
class TidyStep implements StepType {

	@Override
	public String name() {
		return "tidy";
	}

	@Override
	public void validate(Options options) {
		if (options.has("field") == options.has("step")) {
			throw new PluginException("give exactly one of the options field and step");
		}
		options.flag("required", false);
		if (options.number("max-chars", 1) < 1) {
			throw new PluginException("option max-chars must be at least 1");
		}
	}

	@Override
	public String apply(Item item, Options options) {
		String text;
		if (options.has("field")) {
			String field = options.text("field", null);
			if (!item.fields().containsKey(field)) {
				throw new PluginException("item " + item.id() + " has no field '" + field + "'");
			}
			Object value = item.fields().get(field);
			text = (value != null) ? String.valueOf(value) : "";
		}
		else {
			text = item.steps().getOrDefault(options.text("step", null), "");
		}
		String tidy = text.replaceAll("\\s+", " ").strip();
		if (tidy.isEmpty() && options.flag("required", false)) {
			throw new PluginException("item " + item.id() + " has no text in "
					+ (options.has("field") ? "field '" + options.text("field", null) + "'" : "that step's answer"));
		}
		long max = options.number("max-chars", Long.MAX_VALUE);
		return (tidy.length() > max) ? tidy.substring(0, (int) max) : tidy;
	}

}
