package dev.dmrbatch.check;

import java.util.List;

import dev.dmrbatch.jobfile.JobDefinition;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/** {@code type: equals}: the answer is {@code value}, which may be empty. */
@Component
@Order(30)
class EqualsCheck implements CheckKind {

	@Override
	public String name() {
		return "equals";
	}

	@Override
	public List<String> keys() {
		return List.of("value", "ignore-case", "trim");
	}

	@Override
	public void validate(JobDefinition.Check check, Rules rules) {
		if (check.value() == null) {
			rules.problem("a equals check needs a 'value'");
		}
	}

	@Override
	public Evaluator compile(JobDefinition.Check check, Compiling compiling) {
		AnswerText text = new AnswerText(check);
		String value = check.value();
		return (answer, model, grader, calls) -> {
			String given = text.trimmed(AnswerText.of(answer));
			boolean same = text.same(given, value);
			return compiling.verdict(same, same ? "equals " + AnswerText.quote(value)
					: AnswerText.quote(given) + " is not " + AnswerText.quote(value));
		};
	}

}
