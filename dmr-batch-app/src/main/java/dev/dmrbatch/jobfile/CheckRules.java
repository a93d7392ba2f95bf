package dev.dmrbatch.jobfile;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import dev.dmrbatch.plugin.Plugins;
import dev.dmrbatch.plugin.Provided;
import dev.dmrbatch.plugin.api.CheckType;
import dev.dmrbatch.plugin.api.Options;
import dev.dmrbatch.text.SafeText;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;

/**
 * The job file's rules for a step's {@code checks:} and the job's {@code gate:}: each check that could not be
 * evaluated (an unknown type, a key its type does not take, a missing value, a bad regular expression or JSONPath, a
 * name used twice) is a problem named by step and check, found when the job file is read.
 */
final class CheckRules {

	/** A check's name is half of its key {@code <step>.<check>}: no dot, nothing a column or an id would mangle. */
	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_-]{0,99}");

	private CheckRules() {
	}

	/** The problems of one step's checks; {@code answersJson} tells whether the step asks for JSON. */
	static void checkStep(List<String> problems, String at, JobDefinition.Step step, boolean answersJson,
			Validator validator) {
		checkStep(problems, at, step, answersJson, validator, java.util.Map::of);
	}

	/**
	 * The problems of one step's checks, the check types of plugins among them: {@code plugins} gives them by name,
	 * and is asked only for a type that is not built in.
	 */
	static void checkStep(List<String> problems, String at, JobDefinition.Step step, boolean answersJson,
			Validator validator, java.util.function.Supplier<java.util.Map<String, Provided<CheckType>>> plugins) {
		List<JobDefinition.Check> checks = step.checksOrEmpty();
		String stepName = (step.name() != null) ? "step " + step.name() : at;
		Set<String> names = new HashSet<>();
		for (int j = 0; j < checks.size(); j++) {
			JobDefinition.Check check = checks.get(j);
			if (check == null) {
				problems.add(stepName + ": checks[" + j + "] is empty");
				continue;
			}
			if (check.name() == null || check.name().isBlank()) {
				problems.add(stepName + ": checks[" + j + "] has no name");
				continue;
			}
			String where = stepName + ", check " + SafeText.excerpt(check.name(), 60);
			Consumer<String> problem = (text) -> problems.add(where + ": " + text);
			if (!NAME.matcher(check.name()).matches()) {
				problem.accept("a check's name must be letters, digits, '_' and '-' (it is used as <step>.<check>)");
				continue;
			}
			if (!names.add(check.name())) {
				problem.accept("the name is used by an earlier check of the step too");
				continue;
			}
			checkOne(problem, check, answersJson, validator, plugins);
		}
	}

	private static void checkOne(Consumer<String> problem, JobDefinition.Check check, boolean answersJson,
			Validator validator, java.util.function.Supplier<java.util.Map<String, Provided<CheckType>>> plugins) {
		if (check.minPassRate() != null && (check.minPassRate() < 0 || check.minPassRate() > 1)) {
			problem.accept("min-pass-rate must be a share between 0 and 1, such as 0.9");
		}
		if (check.type() == null) {
			problem.accept("'type' is missing (one of " + String.join(", ", JobDefinition.Check.TYPES.keySet()) + ")");
			return;
		}
		List<String> takes = JobDefinition.Check.TYPES.get(check.type());
		Provided<CheckType> plugin = (takes == null) ? plugins.get().get(check.type()) : null;
		if (plugin != null) {
			List<String> stray = check.keysGiven().stream().filter((key) -> !key.equals("options")).toList();
			if (!stray.isEmpty()) {
				problem.accept("'" + String.join("', '", stray) + "' " + ((stray.size() == 1) ? "does" : "do")
						+ " not apply to a " + check.type() + " check (a plugin's check takes options)");
				return;
			}
			try {
				plugin.extension().validate(Options.of(check.options()));
			}
			catch (Throwable ex) {
				Plugins.rethrowFatal(ex);
				problem.accept(Plugins.describe("options (check type " + check.type() + " from " + plugin.jar() + ")",
						ex));
			}
			return;
		}
		if (takes == null) {
			List<String> known = new java.util.ArrayList<>(JobDefinition.Check.TYPES.keySet());
			plugins.get().keySet().stream().sorted().forEach(known::add);
			problem.accept("type '" + SafeText.excerpt(check.type(), 40) + "' is not one of " + String.join(", ", known));
			return;
		}
		List<String> stray = check.keysGiven().stream().filter((key) -> !takes.contains(key)).toList();
		if (!stray.isEmpty()) {
			problem.accept("'" + String.join("', '", stray) + "' " + ((stray.size() == 1) ? "does" : "do")
					+ " not apply to a " + check.type() + " check (it takes " + String.join(", ", takes) + ")");
			return;
		}
		switch (check.type()) {
			case "contains", "not-contains", "equals", "expected" -> {
				if (check.value() == null || (!check.type().equals("equals") && check.value().isEmpty())) {
					problem.accept("a " + check.type() + " check needs a 'value'");
				}
			}
			case "one-of" -> {
				if (check.values() == null || check.values().isEmpty() || check.values().contains(null)) {
					problem.accept("a one-of check needs 'values', a list of the answers it allows");
				}
			}
			case "regex" -> regex(problem, check);
			case "length" -> length(problem, check);
			case "json-path" -> jsonPath(problem, check, answersJson);
			case "judge" -> judge(problem, check, validator);
			default -> throw new IllegalStateException(check.type());
		}
	}

	private static void regex(Consumer<String> problem, JobDefinition.Check check) {
		if (check.pattern() == null || check.pattern().isEmpty()) {
			problem.accept("a regex check needs a 'pattern'");
			return;
		}
		try {
			Pattern.compile(check.pattern());
		}
		catch (PatternSyntaxException ex) {
			problem.accept("pattern is not a regular expression: " + SafeText.excerpt(ex.getDescription(), 100)
					+ ((ex.getIndex() < 0) ? "" : (ex.getIndex() >= check.pattern().length()) ? " at its end"
							: " at character " + (ex.getIndex() + 1)));
		}
	}

	private static void length(Consumer<String> problem, JobDefinition.Check check) {
		if (check.min() == null && check.max() == null) {
			problem.accept("a length check needs 'min', 'max' or both");
		}
		else if ((check.min() != null && check.min() < 0) || (check.max() != null && check.max() < 0)) {
			problem.accept("min and max must be 0 or more");
		}
		else if (check.min() != null && check.max() != null && check.min() > check.max()) {
			problem.accept("min " + check.min() + " is more than max " + check.max());
		}
		if (check.unit() != null && !List.of("chars", "words").contains(check.unit())) {
			problem.accept("unit '" + SafeText.excerpt(check.unit(), 40) + "' must be chars or words");
		}
	}

	private static void jsonPath(Consumer<String> problem, JobDefinition.Check check, boolean answersJson) {
		if (check.path() == null || check.path().isBlank()) {
			problem.accept("a json-path check needs a 'path', such as $.category");
			return;
		}
		try {
			JsonPath.compile(check.path());
		}
		catch (InvalidPathException | IllegalArgumentException ex) {
			problem.accept("path '" + SafeText.excerpt(check.path(), 80) + "' is not a JSONPath: "
					+ SafeText.excerpt(SafeText.firstLine(String.valueOf(ex.getMessage())), 100));
			return;
		}
		int wants = ((check.jsonEquals() != null) ? 1 : 0) + ((check.exists() != null) ? 1 : 0)
				+ ((check.among() != null) ? 1 : 0);
		if (wants != 1) {
			problem.accept("a json-path check needs exactly one of 'equals', 'exists' or 'in'");
		}
		else if (check.among() != null && check.among().isEmpty()) {
			problem.accept("'in' lists no value");
		}
		if (!answersJson) {
			problem.accept("the step answers text: a json-path check needs response_format json or json_schema");
		}
	}

	private static void judge(Consumer<String> problem, JobDefinition.Check check, Validator validator) {
		if (check.rubric() == null || check.rubric().isBlank()) {
			problem.accept("a judge check needs a 'rubric', the question its grader answers");
		}
		if (check.model() == null || check.model().name() == null || check.model().name().isBlank()) {
			problem.accept("a judge check needs 'model' with the grader's name, such as { name: ai/tiny2 }");
		}
		else {
			for (ConstraintViolation<?> violation : validator.validate(check.model())) {
				problem.accept("model." + violation.getPropertyPath() + " " + violation.getMessage());
			}
		}
		if (check.passScore() != null && (check.passScore() < 1 || check.passScore() > 5)) {
			problem.accept("pass-score must be from 1 to 5");
		}
	}

	/** The problems of the job's {@code gate:}. */
	static void checkGate(List<String> problems, JobDefinition job) {
		if (job.gate() == null) {
			return;
		}
		Double rate = job.gate().minPassRate();
		if (rate == null) {
			problems.add("gate needs min-pass-rate, a share between 0 and 1 such as 0.9");
		}
		else if (rate < 0 || rate > 1) {
			problems.add("gate.min-pass-rate must be a share between 0 and 1, such as 0.9");
		}
		if (!job.hasChecks()) {
			problems.add("gate is given but no step has checks for it to count");
		}
	}

}
