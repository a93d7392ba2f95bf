package dev.dmrbatch.check;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.conversation.Verdict;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.prompt.PromptException;
import dev.dmrbatch.prompt.PromptTemplates;
import dev.dmrbatch.prompt.StepAnswer;
import dev.dmrbatch.support.Kinds;
import dev.dmrbatch.support.TestProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The evaluators of every check but a judge's, on answers given here. */
class JobChecksTest {

	@TempDir
	Path dir;

	private static JobDefinition.Check check(String type, Map<String, Object> keys) {
		Map<String, Object> k = new HashMap<>(keys);
		return new JobDefinition.Check("c", type, (String) k.get("value"), list(k.get("values")),
				(String) k.get("pattern"), (Integer) k.get("min"), (Integer) k.get("max"), (String) k.get("unit"),
				(String) k.get("path"), k.get("equals"), (Boolean) k.get("exists"), list(k.get("in")),
				(Boolean) k.get("ignore-case"), (Boolean) k.get("trim"), null, null, null, (Double) k.get("min-pass-rate"));
	}

	@SuppressWarnings("unchecked")
	private static <T> List<T> list(Object value) {
		return (List<T>) value;
	}

	private JobChecks compile(JobDefinition.Gate gate, JobDefinition.Check... checks) {
		JobDefinition.Step step = new JobDefinition.Step("s", "p", null).withChecks(List.of(checks));
		JobDefinition.Step other = new JobDefinition.Step("t", "p", null);
		JobDefinition job = new JobDefinition("j", null, null, null, null, null, null, List.of(step, other), null,
				null, null, null, null, null, gate, null);
		return kinds().compile(job, new PromptTemplates(TestProperties.home(this.dir)), (m) -> m);
	}

	private CheckKinds kinds() {
		return Kinds.checkKinds(Kinds.plugins(TestProperties.home(this.dir)));
	}

	/** The verdict of one check on an answer (text, parsed JSON or null), with a label for expected checks. */
	private Verdict verdict(JobDefinition.Check check, String text, Object json) {
		Map<String, Object> model = new LinkedHashMap<>();
		model.put("label", "Billing");
		model.put("steps", Map.of("s", new StepAnswer(text, "thinking about contains and Billing", json, false)));
		List<Verdict> verdicts = compile(null, check).evaluate(model, null).verdicts();
		assertThat(verdicts).hasSize(1);
		assertThat(verdicts.get(0).checkKey()).isEqualTo("s.c");
		assertThat(verdicts.get(0).reason()).isNotBlank();
		return verdicts.get(0);
	}

	private boolean passes(JobDefinition.Check check, String text) {
		return verdict(check, text, null).pass();
	}

	@Test
	void containsAndNotContains() {
		assertThat(passes(check("contains", Map.of("value", "bill")), "a billing question")).isTrue();
		assertThat(passes(check("contains", Map.of("value", "Bill")), "a billing question")).isFalse();
		assertThat(passes(check("contains", Map.of("value", "Bill", "ignore-case", true)), "a billing one")).isTrue();
		assertThat(passes(check("not-contains", Map.of("value", "bill")), "a billing question")).isFalse();
		assertThat(passes(check("not-contains", Map.of("value", "refund")), "a billing question")).isTrue();
		// the reasoning is never part of the answer
		assertThat(passes(check("contains", Map.of("value", "thinking")), "a billing question")).isFalse();
		assertThat(verdict(check("contains", Map.of("value", "bill")), "billing", null).reason())
			.isEqualTo("contains 'bill'");
	}

	@Test
	void equalsAndOneOf() {
		assertThat(passes(check("equals", Map.of("value", "billing")), "billing")).isTrue();
		assertThat(passes(check("equals", Map.of("value", "billing")), " billing\n")).isFalse();
		assertThat(passes(check("equals", Map.of("value", "billing", "trim", true)), " billing\n")).isTrue();
		assertThat(passes(check("equals", Map.of("value", "billing", "ignore-case", true)), "BILLING")).isTrue();
		assertThat(verdict(check("equals", Map.of("value", "billing")), "bug\u001b[2J", null).reason())
			.isEqualTo("'bug␛[2J' is not 'billing'");
		JobDefinition.Check oneOf = check("one-of", Map.of("values", List.of("billing", "bug"), "trim", true));
		assertThat(passes(oneOf, " bug ")).isTrue();
		assertThat(passes(oneOf, "Bug")).isFalse();
		assertThat(verdict(oneOf, "login", null).reason()).isEqualTo("'login' is not one of billing, bug");
	}

	@Test
	void regexFindsAnywhere() {
		assertThat(passes(check("regex", Map.of("pattern", "\\d{3}")), "order 12345 late")).isTrue();
		assertThat(passes(check("regex", Map.of("pattern", "^\\d{3}$")), "order 12345 late")).isFalse();
		assertThat(passes(check("regex", Map.of("pattern", "ORDER", "ignore-case", true)), "order late")).isTrue();
		assertThat(verdict(check("regex", Map.of("pattern", "\\d+")), "order 12345", null).reason())
			.isEqualTo("found '12345' at character 7");
	}

	@Test
	void lengthInCharsOrWords() {
		assertThat(passes(check("length", Map.of("max", 5)), "hello")).isTrue();
		assertThat(passes(check("length", Map.of("max", 5)), "hello!")).isFalse();
		// characters are code points: an emoji is one
		assertThat(passes(check("length", Map.of("max", 1)), "\uD83D\uDE00")).isTrue();
		assertThat(passes(check("length", Map.of("max", 5, "trim", true)), "  hello \n")).isTrue();
		JobDefinition.Check words = check("length", Map.of("min", 2, "max", 3, "unit", "words"));
		assertThat(passes(words, "one two  three")).isTrue();
		assertThat(passes(words, "one")).isFalse();
		assertThat(verdict(words, "one two three four", null).reason()).isEqualTo("4 words, more than 3");
	}

	@Test
	void jsonPathOnTheParsedAnswer() {
		Map<String, Object> json = Map.of("category", "Billing", "total", 12, "tags", List.of("a", "b"));
		assertThat(verdict(check("json-path", Map.of("path", "$.category", "exists", true)), "{}", json).pass()).isTrue();
		assertThat(verdict(check("json-path", Map.of("path", "$.missing", "exists", true)), "{}", json).pass())
			.isFalse();
		assertThat(verdict(check("json-path", Map.of("path", "$.missing", "exists", false)), "{}", json).pass())
			.isTrue();
		assertThat(verdict(check("json-path", Map.of("path", "$.total", "equals", 12.0)), "{}", json).pass()).isTrue();
		assertThat(verdict(check("json-path", Map.of("path", "$.total", "equals", "12")), "{}", json).pass())
			.isFalse();
		assertThat(verdict(check("json-path", Map.of("path", "$.category", "in", List.of("billing", "bug"),
				"ignore-case", true)), "{}", json).pass()).isTrue();
		Verdict missing = verdict(check("json-path", Map.of("path", "$.nope", "equals", 1)), "{}", json);
		assertThat(missing.pass()).isFalse();
		assertThat(missing.reason()).isEqualTo("$.nope is missing");
		// an indefinite path passes when any of its matches does
		assertThat(verdict(check("json-path", Map.of("path", "$.tags[*]", "equals", "b")), "{}", json).pass()).isTrue();
		assertThat(verdict(check("json-path", Map.of("path", "$.tags", "equals", List.of("a", "b"))), "{}", json)
			.pass()).isTrue();
		assertThat(verdict(check("json-path", Map.of("path", "$.total", "equals", 12)), "{}", null).reason())
			.isEqualTo("the answer has no JSON for $.total");
	}

	@Test
	void expectedRendersItsValueWithTheItem() {
		JobDefinition.Check expected = check("expected", Map.of("value", "${label}"));
		assertThat(passes(expected, " Billing\n")).isTrue();
		assertThat(passes(expected, "billing")).isFalse();
		assertThat(passes(check("expected", Map.of("value", "${label}", "ignore-case", true)), "billing")).isTrue();
		assertThat(verdict(expected, "bug", null).reason()).isEqualTo("'bug' is not the expected 'Billing'");
		Verdict missing = verdict(check("expected", Map.of("value", "${category}")), "bug", null);
		assertThat(missing.pass()).isFalse();
		assertThat(missing.reason()).startsWith("the expected value cannot be rendered: variable 'category' is missing");
	}

	@Test
	void expectedWithAPathComparesAFieldOfTheJsonAnswerWithTheItemsField() {
		// the JSON answer's field category equals the input's field label; total equals the input's count
		Map<String, Object> json = Map.of("category", "Billing", "total", 12, "tags", List.of("a", "b"));
		String text = "{\"category\": \"Billing\", \"total\": 12, \"tags\": [\"a\", \"b\"]}";
		assertThat(verdict(check("expected", Map.of("path", "$.category", "value", "${label}")), text, json).pass())
			.isTrue();
		Verdict other = verdict(check("expected", Map.of("path", "$.category", "value", "Bug")), text, json);
		assertThat(other.pass()).isFalse();
		assertThat(other.reason()).isEqualTo("$.category is 'Billing', not the expected 'Bug'");
		assertThat(verdict(check("expected", Map.of("path", "$.total", "value", "12")), text, json).pass()).isTrue();
		assertThat(verdict(check("expected", Map.of("path", "$.total", "value", "12.0")), text, json).pass()).isTrue();
		assertThat(verdict(check("expected", Map.of("path", "$.tags[*]", "value", "b")), text, json).pass()).isTrue();
		assertThat(verdict(check("expected", Map.of("path", "$.nope", "value", "${label}")), text, json).reason())
			.isEqualTo("$.nope is missing");
		assertThat(verdict(check("expected", Map.of("path", "$.category", "value", "x")), "Billing", null).reason())
			.isEqualTo("the answer has no JSON for $.category");
	}

	@Test
	void anExpectedValueThatIsNotATemplateIsRefusedWhenCompiled() {
		assertThatThrownBy(() -> compile(null, check("expected", Map.of("value", "${label"))))
			.isInstanceOf(PromptException.class)
			.hasMessageStartingWith("template j steps.s.checks.c.value line 1: syntax error");
	}

	@Test
	void aSkippedStepHasNoVerdictAndNoChecksCostNothing() {
		JobChecks checks = compile(null, check("contains", Map.of("value", "x")));
		Map<String, Object> model = Map.of("steps", Map.of("s", StepAnswer.skippedStep()));
		assertThat(checks.evaluate(model, null).verdicts()).isEmpty();
		JobDefinition none = new JobDefinition("j", null, null, null, null, null,
				List.of(new JobDefinition.Step("s", "p", null)), null, null, null, null, null, null);
		assertThat(kinds().compile(none, null, null)).isSameAs(JobChecks.NONE);
	}

	@Test
	void theGateAppliesToEveryCheckWithoutARateOfItsOwn() {
		JobDefinition.Check own = new JobDefinition.Check("own", "contains", "x", null, null, null, null, null, null,
				null, null, null, null, null, null, null, null, 0.5);
		JobChecks checks = compile(new JobDefinition.Gate(0.9), check("contains", Map.of("value", "x")), own);
		assertThat(checks.keys()).containsExactly("s.c", "s.own");
		assertThat(checks.minPassRates()).containsExactly(Map.entry("s.c", 0.9), Map.entry("s.own", 0.5));
		assertThat(checks.definitions()).startsWith("[{\"key\":\"s.c\",\"name\":\"c\",\"type\":\"contains\"");
	}

}
