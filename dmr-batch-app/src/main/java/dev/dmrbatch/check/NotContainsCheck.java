package dev.dmrbatch.check;

import dev.dmrbatch.jobfile.JobDefinition;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/** {@code type: not-contains}: the answer does not contain {@code value} anywhere. */
@Component
@Order(20)
class NotContainsCheck extends ValueCheck {

	@Override
	public String name() {
		return "not-contains";
	}

	@Override
	public Evaluator compile(JobDefinition.Check check, Compiling compiling) {
		AnswerText text = new AnswerText(check);
		return (answer, model, grader, calls) -> {
			boolean found = ContainsCheck.found(text, AnswerText.of(answer), check.value());
			return compiling.verdict(!found, ContainsCheck.reason(found, check.value()));
		};
	}

}
