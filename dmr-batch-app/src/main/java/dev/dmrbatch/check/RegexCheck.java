package dev.dmrbatch.check;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.text.SafeText;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/** {@code type: regex}: the regular expression {@code pattern} is found anywhere in the answer. */
@Component
@Order(50)
class RegexCheck implements CheckKind {

	@Override
	public String name() {
		return "regex";
	}

	@Override
	public List<String> keys() {
		return List.of("pattern", "ignore-case");
	}

	@Override
	public void validate(JobDefinition.Check check, Rules rules) {
		if (check.pattern() == null || check.pattern().isEmpty()) {
			rules.problem("a regex check needs a 'pattern'");
			return;
		}
		try {
			Pattern.compile(check.pattern());
		}
		catch (PatternSyntaxException ex) {
			rules.problem("pattern is not a regular expression: " + SafeText.excerpt(ex.getDescription(), 100)
					+ ((ex.getIndex() < 0) ? "" : (ex.getIndex() >= check.pattern().length()) ? " at its end"
							: " at character " + (ex.getIndex() + 1)));
		}
	}

	@Override
	public Evaluator compile(JobDefinition.Check check, Compiling compiling) {
		Pattern pattern = Pattern.compile(check.pattern(),
				check.ignoresCase() ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0);
		String shown = "no match for /" + SafeText.excerpt(check.pattern(), AnswerText.QUOTE) + "/";
		return (answer, model, grader, calls) -> {
			Matcher matcher = pattern.matcher(AnswerText.of(answer));
			boolean found = matcher.find();
			return compiling.verdict(found, found
					? "found " + AnswerText.quote(matcher.group()) + " at character " + (matcher.start() + 1) : shown);
		};
	}

}
