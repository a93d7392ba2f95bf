package dev.dmrbatch.check;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.PathNotFoundException;
import dev.dmrbatch.conversation.Verdict;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.text.SafeText;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code type: json-path}: what the JSONPath {@code path} finds in a JSON answer {@code equals} a value, is one of
 * those {@code in} a list, or {@code exists} (or not). An indefinite path passes when any of its matches does.
 */
@Component
@Order(70)
class JsonPathCheck implements CheckKind {

	/** Where json-path reads: the answer as parsed maps and lists; a missing leaf is an exception, told apart. */
	private static final Configuration PATHS = Configuration.defaultConfiguration();

	@Override
	public String name() {
		return "json-path";
	}

	@Override
	public List<String> keys() {
		return List.of("path", "equals", "exists", "in", "ignore-case");
	}

	@Override
	public void validate(JobDefinition.Check check, Rules rules) {
		if (check.path() == null || check.path().isBlank()) {
			rules.problem("a json-path check needs a 'path', such as $.category");
			return;
		}
		if (!validPath(check, rules)) {
			return;
		}
		int wants = ((check.jsonEquals() != null) ? 1 : 0) + ((check.exists() != null) ? 1 : 0)
				+ ((check.among() != null) ? 1 : 0);
		if (wants != 1) {
			rules.problem("a json-path check needs exactly one of 'equals', 'exists' or 'in'");
		}
		else if (check.among() != null && check.among().isEmpty()) {
			rules.problem("'in' lists no value");
		}
		if (!rules.answersJson()) {
			rules.problem("the step answers text: a json-path check needs response_format json or json_schema");
		}
	}

	/**
	 * Whether the check's {@code path} is a JSONPath, on a step that answers JSON; each problem told.
	 */
	static boolean validPath(JobDefinition.Check check, Rules rules) {
		try {
			JsonPath.compile(check.path());
		}
		catch (InvalidPathException | IllegalArgumentException ex) {
			rules.problem("path '" + SafeText.excerpt(check.path(), 80) + "' is not a JSONPath: "
					+ SafeText.excerpt(SafeText.firstLine(String.valueOf(ex.getMessage())), 100));
			return false;
		}
		return true;
	}

	/** What a JSONPath finds in a parsed JSON answer: its value, or an indefinite path's matches; empty for none. */
	static List<Object> found(JsonPath compiled, Object json) {
		List<Object> found = new ArrayList<>();
		try {
			Object value = compiled.read(json, PATHS);
			if (compiled.isDefinite()) {
				found.add(value);
			}
			else if (value instanceof List<?> list) {
				found.addAll(list);
			}
		}
		catch (PathNotFoundException ex) {
			// nothing there
		}
		return found;
	}

	@Override
	public Evaluator compile(JobDefinition.Check check, Compiling compiling) {
		JsonPath path = JsonPath.compile(check.path());
		AnswerText text = new AnswerText(check);
		return (answer, model, grader, calls) -> evaluate(check, path, text, answer.json(), compiling);
	}

	private static Verdict evaluate(JobDefinition.Check check, JsonPath compiled, AnswerText text, Object json,
			Compiling compiling) {
		String path = SafeText.excerpt(check.path(), AnswerText.QUOTE);
		if (json == null) {
			return compiling.verdict(false, "the answer has no JSON for " + path);
		}
		List<Object> found = found(compiled, json);
		boolean definite = compiled.isDefinite();
		if (check.exists() != null) {
			boolean there = !found.isEmpty();
			return compiling.verdict(there == check.exists(), path + (there ? " is there" : " is missing"));
		}
		if (found.isEmpty()) {
			return compiling.verdict(false, path + " is missing");
		}
		List<Object> wanted = (check.among() != null) ? check.among() : List.of(check.jsonEquals());
		for (Object value : found) {
			if (wanted.stream().anyMatch((w) -> sameValue(text, value, w))) {
				return compiling.verdict(true, path + " is " + show(value));
			}
		}
		String shown = show(definite ? found.get(0) : found);
		return compiling.verdict(false, path + " is " + shown + ", not "
				+ ((check.among() != null) ? "one of " + show(check.among()) : show(check.jsonEquals())));
	}

	static boolean sameValue(AnswerText text, Object value, Object wanted) {
		if (value instanceof Number a && wanted instanceof Number b) {
			return new BigDecimal(a.toString()).compareTo(new BigDecimal(b.toString())) == 0;
		}
		if (value instanceof String a && wanted instanceof String b) {
			return text.same(a, b);
		}
		if (value instanceof List<?> a && wanted instanceof List<?> b) {
			if (a.size() != b.size()) {
				return false;
			}
			for (int i = 0; i < a.size(); i++) {
				if (!sameValue(text, a.get(i), b.get(i))) {
					return false;
				}
			}
			return true;
		}
		if (value instanceof Map<?, ?> a && wanted instanceof Map<?, ?> b) {
			if (!a.keySet().equals(b.keySet())) {
				return false;
			}
			return a.keySet().stream().allMatch((k) -> sameValue(text, a.get(k), b.get(k)));
		}
		return Objects.equals(value, wanted);
	}

	static String show(Object value) {
		if (value instanceof String text) {
			return AnswerText.quote(text);
		}
		return SafeText.excerpt(String.valueOf(value), AnswerText.QUOTE);
	}

}
