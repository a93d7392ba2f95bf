package dev.dmrbatch.check;

import java.math.BigDecimal;
import java.util.List;

import com.jayway.jsonpath.JsonPath;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.prompt.PromptException;
import dev.dmrbatch.prompt.TextTemplate;
import dev.dmrbatch.text.SafeText;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code type: expected}: the answer, without its leading and trailing white space, is {@code value}: a FreeMarker
 * template rendered with the item, such as {@code ${label}}. With a {@code path}, what that JSONPath finds in the JSON
 * answer is the value instead (a number as a number, {@code 12} is {@code 12.0}; an indefinite path passes when any of
 * its matches is): the JSON answer's field equals the item's.
 */
@Component
@Order(80)
class ExpectedCheck extends ValueCheck {

	@Override
	public String name() {
		return "expected";
	}

	@Override
	public List<String> keys() {
		return List.of("value", "ignore-case", "path");
	}

	@Override
	public void validate(JobDefinition.Check check, Rules rules) {
		super.validate(check, rules);
		if (check.path() != null && JsonPathCheck.validPath(check, rules) && !rules.answersJson()) {
			rules.problem("the step answers text: an expected check with a 'path' needs response_format json or "
					+ "json_schema");
		}
	}

	@Override
	public Evaluator compile(JobDefinition.Check check, Compiling compiling) {
		TextTemplate template = compiling.templates().text(compiling.where() + ".value", check.value());
		AnswerText text = new AnswerText(check);
		JsonPath path = (check.path() != null) ? JsonPath.compile(check.path()) : null;
		return (answer, model, grader, calls) -> {
			String expected;
			try {
				expected = template.render(model).strip();
			}
			catch (PromptException ex) {
				return compiling.verdict(false, "the expected value cannot be rendered: "
						+ SafeText.excerpt(ex.getMessage(), 200));
			}
			if (path != null) {
				return atPath(check, path, text, answer.json(), expected, compiling);
			}
			String given = AnswerText.of(answer).strip();
			boolean same = text.same(given, expected);
			return compiling.verdict(same, same ? "is the expected " + AnswerText.quote(expected)
					: AnswerText.quote(given) + " is not the expected " + AnswerText.quote(expected));
		};
	}

	private static dev.dmrbatch.conversation.Verdict atPath(JobDefinition.Check check, JsonPath compiled,
			AnswerText text, Object json, String expected, Compiling compiling) {
		String path = SafeText.excerpt(check.path(), AnswerText.QUOTE);
		if (json == null) {
			return compiling.verdict(false, "the answer has no JSON for " + path);
		}
		List<Object> found = JsonPathCheck.found(compiled, json);
		if (found.isEmpty()) {
			return compiling.verdict(false, path + " is missing");
		}
		for (Object value : found) {
			if (same(text, value, expected)) {
				return compiling.verdict(true, path + " is the expected " + AnswerText.quote(expected));
			}
		}
		return compiling.verdict(false, path + " is " + JsonPathCheck.show(compiled.isDefinite() ? found.get(0) : found)
				+ ", not the expected " + AnswerText.quote(expected));
	}

	/** Whether a value found in the answer is the rendered value: a number as a number, text trimmed. */
	private static boolean same(AnswerText text, Object value, String expected) {
		if (value instanceof Number) {
			try {
				return JsonPathCheck.sameValue(text, value, new BigDecimal(expected));
			}
			catch (NumberFormatException ex) {
				return false;
			}
		}
		if (value instanceof String given) {
			return text.same(given.strip(), expected);
		}
		return value instanceof Boolean && text.same(String.valueOf(value), expected);
	}

}
