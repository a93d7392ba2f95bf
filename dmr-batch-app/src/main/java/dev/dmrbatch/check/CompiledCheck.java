package dev.dmrbatch.check;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.PathNotFoundException;
import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.conversation.Verdict;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.plugin.PluginItems;
import dev.dmrbatch.plugin.Plugins;
import dev.dmrbatch.plugin.Provided;
import dev.dmrbatch.plugin.api.CheckResult;
import dev.dmrbatch.plugin.api.CheckType;
import dev.dmrbatch.plugin.api.Options;
import dev.dmrbatch.prompt.PromptException;
import dev.dmrbatch.prompt.StepAnswer;
import dev.dmrbatch.prompt.TextTemplate;
import dev.dmrbatch.text.SafeText;

/**
 * One check of a job, ready to evaluate: its regular expression, JSONPath and templates compiled once. Every
 * evaluation but a judge's is a few string operations on the answer. Thread-safe.
 *
 * @param key {@code <step>.<check>}
 * @param stepIndex the step's place in the job
 * @param position the check's place among all of the job's checks
 * @param pattern a regex check's compiled pattern, else {@code null}
 * @param path a json-path check's compiled path, else {@code null}
 * @param template an expected check's value or a judge's rubric, compiled, else {@code null}
 * @param grader a judge's model settings, over the profile's for that model, else {@code null}
 */
record CompiledCheck(String key, int stepIndex, int position, JobDefinition.Check definition, Pattern pattern,
		JsonPath path, TextTemplate template, ModelSettings grader, Provided<CheckType> plugin) {

	CompiledCheck(String key, int stepIndex, int position, JobDefinition.Check definition, Pattern pattern,
			JsonPath path, TextTemplate template, ModelSettings grader) {
		this(key, stepIndex, position, definition, pattern, path, template, grader, null);
	}

	/** Where json-path reads: the answer as parsed maps and lists; a missing leaf is an exception, told apart. */
	private static final Configuration PATHS = Configuration.defaultConfiguration();

	/** How much of an answer or a value a reason quotes. */
	private static final int QUOTE = 60;

	String type() {
		return this.definition.type();
	}

	boolean isJudge() {
		return "judge".equals(type());
	}

	/**
	 * The verdict on an answer; not for a judge ({@link JobChecks} asks its grader).
	 * @param model the variables a prompt sees, for an expected check's value
	 */
	Verdict evaluate(StepAnswer answer, Map<String, Object> model) {
		JobDefinition.Check check = this.definition;
		String text = (answer.text() != null) ? answer.text() : "";
		if (this.plugin != null) {
			return plugin(text, model);
		}
		return switch (type()) {
			case "contains" -> {
				boolean found = fold(text).contains(fold(check.value()));
				yield verdict(found, (found ? "contains " : "does not contain ") + quote(check.value()));
			}
			case "not-contains" -> {
				boolean found = fold(text).contains(fold(check.value()));
				yield verdict(!found, (found ? "contains " : "does not contain ") + quote(check.value()));
			}
			case "equals" -> {
				String given = trimmed(text);
				boolean same = same(given, check.value());
				yield verdict(same, same ? "equals " + quote(check.value())
						: quote(given) + " is not " + quote(check.value()));
			}
			case "one-of" -> {
				String given = trimmed(text);
				boolean among = check.values().stream().anyMatch((v) -> same(given, v));
				yield verdict(among, quote(given) + (among ? " is one of " : " is not one of ")
						+ SafeText.excerpt(String.join(", ", check.values()), 120));
			}
			case "regex" -> {
				Matcher matcher = this.pattern.matcher(text);
				boolean found = matcher.find();
				yield verdict(found, found
						? "found " + quote(matcher.group()) + " at character " + (matcher.start() + 1)
						: "no match for /" + SafeText.excerpt(check.pattern(), QUOTE) + "/");
			}
			case "length" -> length(trimmed(text));
			case "json-path" -> jsonPath(answer.json());
			case "expected" -> {
				String expected;
				try {
					expected = this.template.render(model).strip();
				}
				catch (PromptException ex) {
					yield verdict(false, "the expected value cannot be rendered: " + SafeText.excerpt(ex.getMessage(),
							200));
				}
				String given = text.strip();
				boolean same = same(given, expected);
				yield verdict(same, same ? "is the expected " + quote(expected)
						: quote(given) + " is not the expected " + quote(expected));
			}
			default -> throw new IllegalStateException("not evaluated here: " + type());
		};
	}

	/** A plugin's check: what it throws fails the check, with the message as the reason. */
	private Verdict plugin(String text, Map<String, Object> model) {
		CheckResult result;
		try {
			result = this.plugin.extension()
				.check(text, PluginItems.of(model), Options.of(this.definition.options()));
		}
		catch (Throwable ex) {
			Plugins.rethrowFatal(ex);
			return verdict(false, Plugins.describe("check type " + type() + " (" + this.plugin.jar() + ")", ex));
		}
		if (result == null) {
			return verdict(false, "check type " + type() + " (" + this.plugin.jar() + ") gave no verdict");
		}
		return verdict(result.pass(), (result.reason() != null)
				? SafeText.excerpt(SafeText.firstLine(result.reason()), 300) : (result.pass() ? "passed" : "failed"));
	}

	private Verdict length(String text) {
		JobDefinition.Check check = this.definition;
		boolean words = "words".equals(check.unit());
		long n = words ? (text.isBlank() ? 0 : text.strip().split("\\s+").length)
				: text.codePointCount(0, text.length());
		String unit = words ? ((n == 1) ? " word" : " words") : ((n == 1) ? " char" : " chars");
		if (check.min() != null && n < check.min()) {
			return verdict(false, n + unit + ", fewer than " + check.min());
		}
		if (check.max() != null && n > check.max()) {
			return verdict(false, n + unit + ", more than " + check.max());
		}
		return verdict(true, n + unit + ", within " + ((check.min() != null) ? check.min() : 0) + "-"
				+ ((check.max() != null) ? check.max() : "any"));
	}

	private Verdict jsonPath(Object json) {
		JobDefinition.Check check = this.definition;
		String path = SafeText.excerpt(check.path(), QUOTE);
		if (json == null) {
			return verdict(false, "the answer has no JSON for " + path);
		}
		List<Object> found = new ArrayList<>();
		boolean definite = this.path.isDefinite();
		try {
			Object value = this.path.read(json, PATHS);
			if (definite) {
				found.add(value);
			}
			else if (value instanceof List<?> list) {
				found.addAll(list);
			}
		}
		catch (PathNotFoundException ex) {
			// nothing there
		}
		if (check.exists() != null) {
			boolean there = !found.isEmpty();
			return verdict(there == check.exists(), path + (there ? " is there" : " is missing"));
		}
		if (found.isEmpty()) {
			return verdict(false, path + " is missing");
		}
		List<Object> wanted = (check.among() != null) ? check.among() : List.of(check.jsonEquals());
		for (Object value : found) {
			if (wanted.stream().anyMatch((w) -> sameValue(value, w))) {
				return verdict(true, path + " is " + show(value));
			}
		}
		String shown = show(definite ? found.get(0) : found);
		return verdict(false, path + " is " + shown + ", not "
				+ ((check.among() != null) ? "one of " + show(check.among()) : show(check.jsonEquals())));
	}

	private boolean sameValue(Object value, Object wanted) {
		if (value instanceof Number a && wanted instanceof Number b) {
			return new BigDecimal(a.toString()).compareTo(new BigDecimal(b.toString())) == 0;
		}
		if (value instanceof String a && wanted instanceof String b) {
			return same(a, b);
		}
		if (value instanceof List<?> a && wanted instanceof List<?> b) {
			if (a.size() != b.size()) {
				return false;
			}
			for (int i = 0; i < a.size(); i++) {
				if (!sameValue(a.get(i), b.get(i))) {
					return false;
				}
			}
			return true;
		}
		if (value instanceof Map<?, ?> a && wanted instanceof Map<?, ?> b) {
			if (!a.keySet().equals(b.keySet())) {
				return false;
			}
			return a.keySet().stream().allMatch((k) -> sameValue(a.get(k), b.get(k)));
		}
		return Objects.equals(value, wanted);
	}

	private static String show(Object value) {
		if (value instanceof String text) {
			return quote(text);
		}
		return SafeText.excerpt(String.valueOf(value), QUOTE);
	}

	private String trimmed(String text) {
		return this.definition.trims() ? text.strip() : text;
	}

	private boolean same(String a, String b) {
		return this.definition.ignoresCase() ? fold(a).equals(fold(b)) : a.equals(b);
	}

	private String fold(String text) {
		return this.definition.ignoresCase() ? text.toLowerCase(Locale.ROOT) : text;
	}

	private Verdict verdict(boolean pass, String reason) {
		return new Verdict(this.key, pass, reason);
	}

	static String quote(String text) {
		return "'" + SafeText.excerpt(text, QUOTE) + "'";
	}

}
