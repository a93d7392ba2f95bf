package dev.dmrbatch.examples.xlsx;

import dev.dmrbatch.plugin.api.CheckResult;
import dev.dmrbatch.plugin.api.CheckType;
import dev.dmrbatch.plugin.api.Item;
import dev.dmrbatch.plugin.api.Options;
import dev.dmrbatch.plugin.api.PluginException;

/**
 * {@code type: word-count}: the answer has at least {@code min} and at most {@code max} words (options; at least one
 * of them).
 */
class WordCountCheck implements CheckType {

	@Override
	public String name() {
		return "word-count";
	}

	@Override
	public void validate(Options options) {
		if (!options.has("min") && !options.has("max")) {
			throw new PluginException("a word-count check needs the option min, max or both");
		}
		if (options.number("min", 0) > options.number("max", Long.MAX_VALUE)) {
			throw new PluginException("option min is more than max");
		}
	}

	@Override
	public CheckResult check(String answer, Item item, Options options) {
		String text = answer.strip();
		long words = text.isEmpty() ? 0 : text.split("\\s+").length;
		long min = options.number("min", 0);
		long max = options.number("max", Long.MAX_VALUE);
		if (words < min) {
			return CheckResult.failed(words + " words, fewer than " + min);
		}
		if (words > max) {
			return CheckResult.failed(words + " words, more than " + max);
		}
		return new CheckResult(true, words + " words");
	}

}
