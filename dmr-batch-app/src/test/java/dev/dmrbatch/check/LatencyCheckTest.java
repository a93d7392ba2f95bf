package dev.dmrbatch.check;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.Verdict;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.prompt.PromptTemplates;
import dev.dmrbatch.prompt.StepAnswer;
import dev.dmrbatch.support.Kinds;
import dev.dmrbatch.support.TestProperties;
import jakarta.validation.Validation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code type: latency}: each of the step's stored calls took at most {@code max-ms}. */
class LatencyCheckTest {

	@TempDir
	Path dir;

	/** The verdict of a check of step {@code s} on a conversation whose calls took these milliseconds. */
	static Verdict verdict(Path dir, String check, List<Conversation.Call> calls) {
		CheckKinds kinds = Kinds.checkKinds(Kinds.plugins(TestProperties.home(dir)));
		JobDefinition.Step step = Kinds.step("{ name: s, prompt: p, checks: [ " + check + " ] }");
		JobDefinition job = new JobDefinition("j", null, null, null, null, null, null, List.of(step), null, null, null,
				null, null, null, null, null);
		JobChecks checks = kinds.compile(job, new PromptTemplates(TestProperties.home(dir)), (m) -> m);
		Map<String, Object> model = new LinkedHashMap<>();
		model.put("steps", Map.of("s", new StepAnswer("an answer", null, null, false)));
		List<Verdict> verdicts = checks.evaluate(model, calls, null).verdicts();
		assertThat(verdicts).hasSize(1);
		return verdicts.get(0);
	}

	static List<String> problems(Path dir, String check) {
		List<String> problems = new ArrayList<>();
		Kinds.checkKinds(Kinds.plugins(TestProperties.home(dir))).checkStep(problems, "steps[0]",
				Kinds.step("{ name: s, prompt: x, checks: [ " + check + " ] }"), false,
				Validation.buildDefaultValidatorFactory().getValidator());
		return problems;
	}

	private static Conversation.Call call(String step, long millis, long tokens) {
		return Conversation.Call.answered(0, step).tokens(3, tokens).latency(millis).attempts(1).build();
	}

	@Test
	void eachCallOfTheStepIsHeldToTheMaximumAndTheReasonNamesTheLongest() {
		String check = "{ name: fast, type: latency, max-ms: 1000 }";
		Verdict quick = verdict(this.dir, check, List.of(call("s", 812, 5), call("other", 5000, 5)));
		assertThat(quick.pass()).isTrue();
		assertThat(quick.reason()).isEqualTo("812 ms, within 1000");
		Verdict slow = verdict(this.dir, check, List.of(call("s", 300, 5), call("s", 1001, 5)));
		assertThat(slow.pass()).isFalse();
		assertThat(slow.reason()).isEqualTo("1001 ms, more than 1000");
		assertThat(slow.checkKey()).isEqualTo("s.fast");
	}

	@Test
	void aLatencyCheckNeedsMaxMsAndTakesNothingElse() {
		assertThat(problems(this.dir, "{ name: c, type: latency }"))
			.containsExactly("step s, check c: a latency check needs 'max-ms'");
		assertThat(problems(this.dir, "{ name: c, type: latency, max-ms: -1 }"))
			.containsExactly("step s, check c: max-ms must be 0 or more");
		assertThat(problems(this.dir, "{ name: c, type: latency, max: 10 }"))
			.containsExactly("step s, check c: 'max' does not apply to a latency check (it takes max-ms)");
	}

}
