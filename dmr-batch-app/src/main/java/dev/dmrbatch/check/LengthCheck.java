package dev.dmrbatch.check;

import java.util.List;

import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.text.SafeText;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code type: length}: the answer is at least {@code min} and at most {@code max} long, in characters (code points,
 * the default) or in words ({@code unit: words}).
 */
@Component
@Order(60)
class LengthCheck implements CheckKind {

	@Override
	public String name() {
		return "length";
	}

	@Override
	public List<String> keys() {
		return List.of("min", "max", "unit", "trim");
	}

	@Override
	public void validate(JobDefinition.Check check, Rules rules) {
		if (check.min() == null && check.max() == null) {
			rules.problem("a length check needs 'min', 'max' or both");
		}
		else if (check.min() != null && check.min().doubleValue() != Math.rint(check.min().doubleValue())) {
			rules.problem("min and max must be whole numbers");
		}
		else if ((check.min() != null && check.min().doubleValue() < 0) || (check.max() != null && check.max() < 0)) {
			rules.problem("min and max must be 0 or more");
		}
		else if (check.min() != null && check.max() != null && check.min().doubleValue() > check.max()) {
			rules.problem("min " + check.min() + " is more than max " + check.max());
		}
		if (check.unit() != null && !List.of("chars", "words").contains(check.unit())) {
			rules.problem("unit '" + SafeText.excerpt(check.unit(), 40) + "' must be chars or words");
		}
	}

	@Override
	public Evaluator compile(JobDefinition.Check check, Compiling compiling) {
		AnswerText text = new AnswerText(check);
		boolean words = "words".equals(check.unit());
		Integer min = (check.min() != null) ? check.min().intValue() : null;
		Integer max = check.max();
		return (answer, model, grader, calls) -> {
			String given = text.trimmed(AnswerText.of(answer));
			long n = words ? (given.isBlank() ? 0 : given.strip().split("\\s+").length)
					: given.codePointCount(0, given.length());
			String unit = words ? ((n == 1) ? " word" : " words") : ((n == 1) ? " char" : " chars");
			if (min != null && n < min) {
				return compiling.verdict(false, n + unit + ", fewer than " + min);
			}
			if (max != null && n > max) {
				return compiling.verdict(false, n + unit + ", more than " + max);
			}
			return compiling.verdict(true, n + unit + ", within " + ((min != null) ? min : 0) + "-"
					+ ((max != null) ? max : "any"));
		};
	}

}
