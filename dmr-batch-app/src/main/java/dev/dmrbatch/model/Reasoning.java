package dev.dmrbatch.model;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reasoning models (ai/qwen3, DeepSeek-R1 …) write their thinking in {@code <think>…</think>} before the answer when
 * the runner does not move it to {@code reasoning_content} itself. It is kept, but apart: later steps and exports
 * that want the answer get the answer alone.
 */
final class Reasoning {

	/** A leading think block; an unclosed one (the answer was cut by max_tokens) is all reasoning. */
	private static final Pattern THINK = Pattern.compile("^\\s*<think>(.*?)(?:</think>|\\z)(.*)\\z", Pattern.DOTALL);

	private Reasoning() {
	}

	static Split split(String content) {
		Matcher think = THINK.matcher(content);
		if (!think.matches()) {
			return new Split(content, null);
		}
		return new Split(think.group(2).strip(), think.group(1).strip());
	}

	record Split(String answer, String reasoning) {
	}

}
