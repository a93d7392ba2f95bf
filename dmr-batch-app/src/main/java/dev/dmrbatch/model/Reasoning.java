package dev.dmrbatch.model;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reasoning models (ai/qwen3, DeepSeek-R1 …) write their thinking in {@code <think>…</think>} before the answer when
 * the runner does not move it to {@code reasoning_content} itself. A model whose chat template opens the block itself
 * (DeepSeek-R1 distills, qwen3 with thinking forced) writes only its end: {@code reasoning…</think>answer}. Either is
 * kept, but apart: later steps and exports that want the answer get the answer alone. Tags after an opening tag in
 * the text are the answer's own.
 */
final class Reasoning {

	/** A leading think block; an unclosed one (the answer was cut by max_tokens) is all reasoning. */
	private static final Pattern THINK = Pattern.compile("^\\s*<think>(.*?)(?:</think>|\\z)(.*)\\z", Pattern.DOTALL);

	static final String OPEN = "<think>";

	static final String CLOSE = "</think>";

	private Reasoning() {
	}

	static Split split(String content) {
		Matcher think = THINK.matcher(content);
		if (think.matches()) {
			return new Split(think.group(2).strip(), think.group(1).strip());
		}
		int close = content.indexOf(CLOSE);
		if (close >= 0 && !content.substring(0, close).contains(OPEN)) {
			// the template opened the block: the answer begins with the reasoning
			return new Split(content.substring(close + CLOSE.length()).strip(), content.substring(0, close).strip());
		}
		return new Split(content, null);
	}

	record Split(String answer, String reasoning) {
	}

}
