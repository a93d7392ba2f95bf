package dev.dmrbatch.check;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.conversation.Verdict;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.plugin.Provided;
import dev.dmrbatch.plugin.api.CheckResult;
import dev.dmrbatch.plugin.api.CheckType;
import dev.dmrbatch.plugin.api.Item;
import dev.dmrbatch.plugin.api.Options;
import dev.dmrbatch.plugin.api.PluginException;
import dev.dmrbatch.prompt.StepAnswer;
import dev.dmrbatch.support.Kinds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** A plugin's check type: options, which the plugin checks; its verdicts; what it throws fails the check. */
class PluginCheckTest {

	/** Passes an answer of at most {@code max} words; fails to judge an empty one; gives no verdict on "?". */
	static final CheckType WORDS = new CheckType() {

		@Override
		public String name() {
			return "words";
		}

		@Override
		public void validate(Options options) {
			options.number("max", 0);
		}

		@Override
		public CheckResult check(String answer, Item item, Options options) {
			if (answer.isEmpty()) {
				throw new PluginException("nothing to count in item " + item.id());
			}
			if (answer.equals("?")) {
				return null;
			}
			long words = answer.split(" ").length;
			return (words <= options.number("max", 0)) ? CheckResult.passed()
					: CheckResult.failed(words + " words\nand more");
		}

	};

	@TempDir
	Path dir;

	final PluginCheck kind = new PluginCheck(new Provided<>(WORDS, "plugins/words.jar"));

	@Test
	void itTakesOptionsWhichThePluginChecks() {
		List<String> problems = new ArrayList<>();
		this.kind.validate(Kinds.check("{ name: c, type: words, options: { max: many } }"),
				new CheckKind.Rules(false, null, problems::add));
		assertThat(problems).containsExactly("options (check type words from plugins/words.jar): option 'max' must be "
				+ "a whole number");
		assertThat(this.kind.keys()).containsExactly("options");
		assertThat(this.kind.takes()).isEqualTo("a plugin's check takes options");
	}

	@Test
	void itsVerdictsAndItsFailures() {
		JobDefinition.Check check = Kinds.check("{ name: c, type: words, options: { max: 2 } }");
		Evaluator evaluator = this.kind.compile(check, new CheckKind.Compiling("s.c", "j.yaml steps.s.checks.c", null,
				null, 1));
		Map<String, Object> model = Map.of("record", Map.of("number", 1, "id", "r1"), "item", Map.of());
		assertThat(evaluator.evaluate(answer("two words"), model, null, null))
			.isEqualTo(new Verdict("s.c", true, "passed"));
		assertThat(evaluator.evaluate(answer("one two three"), model, null, null))
			.isEqualTo(new Verdict("s.c", false, "3 words"));
		assertThat(evaluator.evaluate(answer(""), model, null, null)).isEqualTo(new Verdict("s.c", false,
				"check type words (plugins/words.jar): nothing to count in item r1"));
		assertThat(evaluator.evaluate(answer("?"), model, null, null))
			.isEqualTo(new Verdict("s.c", false, "check type words (plugins/words.jar) gave no verdict"));
		assertThat(evaluator.grader()).isNull();
	}

	private static StepAnswer answer(String text) {
		return new StepAnswer(text, null, null, false);
	}

}
