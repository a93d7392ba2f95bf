package dev.dmrbatch.check;

import java.util.List;

import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.text.SafeText;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/** {@code type: one-of}: the answer is one of {@code values}. */
@Component
@Order(40)
class OneOfCheck implements CheckKind {

	@Override
	public String name() {
		return "one-of";
	}

	@Override
	public List<String> keys() {
		return List.of("values", "ignore-case", "trim");
	}

	@Override
	public void validate(JobDefinition.Check check, Rules rules) {
		if (check.values() == null || check.values().isEmpty() || check.values().contains(null)) {
			rules.problem("a one-of check needs 'values', a list of the answers it allows");
		}
	}

	@Override
	public Evaluator compile(JobDefinition.Check check, Compiling compiling) {
		AnswerText text = new AnswerText(check);
		List<String> values = check.values();
		String listed = SafeText.excerpt(String.join(", ", values), 120);
		return (answer, model, grader, calls) -> {
			String given = text.trimmed(AnswerText.of(answer));
			boolean among = values.stream().anyMatch((v) -> text.same(given, v));
			return compiling.verdict(among, AnswerText.quote(given) + (among ? " is one of " : " is not one of ")
					+ listed);
		};
	}

}
