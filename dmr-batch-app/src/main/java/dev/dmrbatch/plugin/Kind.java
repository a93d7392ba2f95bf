package dev.dmrbatch.plugin;

import java.util.List;

/**
 * One of the things a job file names and a plugin may provide too: an input format, an export, a step type, a check
 * type. Each built-in one is a bean of its own (a new one is one class), found by its kind's registry; a plugin's is
 * adapted into the same registry when a job file names it. No plugin may take the name of a built-in bean of the
 * same kind.
 */
public interface Kind {

	/** The name a job file gives it, unique in its kind. */
	String name();

	/** The plugin API's interface of this kind ({@code InputFormat}, {@code Export}, {@code StepType}, {@code CheckType}): whose names it takes. */
	Class<?> api();

	/**
	 * Names as a sentence lists them: {@code csv, jsonl, json or text}.
	 * @param last the word before the last name, {@code or} or {@code and}
	 */
	static String sentence(List<String> names, String last) {
		if (names.size() < 2) {
			return String.join("", names);
		}
		return String.join(", ", names.subList(0, names.size() - 1)) + " " + last + " " + names.get(names.size() - 1);
	}

}
