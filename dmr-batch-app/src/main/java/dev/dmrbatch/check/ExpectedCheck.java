package dev.dmrbatch.check;

import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.prompt.PromptException;
import dev.dmrbatch.prompt.TextTemplate;
import dev.dmrbatch.text.SafeText;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code type: expected}: the answer, without its leading and trailing white space, is {@code value}: a FreeMarker
 * template rendered with the item, such as {@code ${label}}.
 */
@Component
@Order(80)
class ExpectedCheck extends ValueCheck {

	@Override
	public String name() {
		return "expected";
	}

	@Override
	public Evaluator compile(JobDefinition.Check check, Compiling compiling) {
		TextTemplate template = compiling.templates().text(compiling.where() + ".value", check.value());
		AnswerText text = new AnswerText(check);
		return (answer, model, grader, calls) -> {
			String expected;
			try {
				expected = template.render(model).strip();
			}
			catch (PromptException ex) {
				return compiling.verdict(false, "the expected value cannot be rendered: "
						+ SafeText.excerpt(ex.getMessage(), 200));
			}
			String given = AnswerText.of(answer).strip();
			boolean same = text.same(given, expected);
			return compiling.verdict(same, same ? "is the expected " + AnswerText.quote(expected)
					: AnswerText.quote(given) + " is not the expected " + AnswerText.quote(expected));
		};
	}

}
