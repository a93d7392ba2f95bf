package dev.dmrbatch.check;

import dev.dmrbatch.jobfile.JobDefinition;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/** {@code type: contains}: the answer contains {@code value}, anywhere. */
@Component
@Order(10)
class ContainsCheck extends ValueCheck {

	@Override
	public String name() {
		return "contains";
	}

	@Override
	public Evaluator compile(JobDefinition.Check check, Compiling compiling) {
		AnswerText text = new AnswerText(check);
		return (answer, model, grader, calls) -> {
			boolean found = found(text, AnswerText.of(answer), check.value());
			return compiling.verdict(found, reason(found, check.value()));
		};
	}

	static boolean found(AnswerText text, String answer, String value) {
		return text.fold(answer).contains(text.fold(value));
	}

	static String reason(boolean found, String value) {
		return (found ? "contains " : "does not contain ") + AnswerText.quote(value);
	}

}
