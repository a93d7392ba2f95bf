package dev.dmrbatch.check;

import java.util.Locale;

import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.prompt.StepAnswer;
import dev.dmrbatch.text.SafeText;

/**
 * How a check compares an answer's text: with or without regard to case ({@code ignore-case}), with or without its
 * leading and trailing white space ({@code trim}); and how a reason quotes it.
 */
record AnswerText(boolean ignoresCase, boolean trims) {

	/** How much of an answer or a value a reason quotes. */
	static final int QUOTE = 60;

	AnswerText(JobDefinition.Check check) {
		this(check.ignoresCase(), check.trims());
	}

	/** An answer's text; empty for one without (an embedding's). */
	static String of(StepAnswer answer) {
		return (answer.text() != null) ? answer.text() : "";
	}

	String trimmed(String text) {
		return this.trims ? text.strip() : text;
	}

	boolean same(String a, String b) {
		return this.ignoresCase ? fold(a).equals(fold(b)) : a.equals(b);
	}

	String fold(String text) {
		return this.ignoresCase ? text.toLowerCase(Locale.ROOT) : text;
	}

	static String quote(String text) {
		return "'" + SafeText.excerpt(text, QUOTE) + "'";
	}

}
