package dev.dmrbatch.check;

import java.util.List;

import dev.dmrbatch.jobfile.JobDefinition;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/** {@code type: contains}: the answer contains {@code value}, anywhere. */
@Component
@Order(10)
class ContainsCheck implements CheckKind {

	@Override
	public String name() {
		return "contains";
	}

	@Override
	public List<String> keys() {
		return List.of("value", "ignore-case");
	}

	@Override
	public void validate(JobDefinition.Check check, Rules rules) {
		needsValue(check, rules);
	}

	@Override
	public Evaluator compile(JobDefinition.Check check, Compiling compiling) {
		AnswerText text = new AnswerText(check);
		return (answer, model, grader, calls) -> {
			boolean found = found(text, AnswerText.of(answer), check.value());
			return compiling.verdict(found, reason(found, check.value()));
		};
	}

	/** A contains or not-contains check needs a value that is not empty. */
	static void needsValue(JobDefinition.Check check, Rules rules) {
		if (check.value() == null || check.value().isEmpty()) {
			rules.problem("a " + check.type() + " check needs a 'value'");
		}
	}

	static boolean found(AnswerText text, String answer, String value) {
		return text.fold(answer).contains(text.fold(value));
	}

	static String reason(boolean found, String value) {
		return (found ? "contains " : "does not contain ") + AnswerText.quote(value);
	}

}
