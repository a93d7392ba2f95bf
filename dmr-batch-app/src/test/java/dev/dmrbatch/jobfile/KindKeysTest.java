package dev.dmrbatch.jobfile;

import java.util.List;
import java.util.Map;

import dev.dmrbatch.check.CheckKind;
import dev.dmrbatch.step.StepKind;
import dev.dmrbatch.step.StepKinds;
import dev.dmrbatch.support.Kinds;
import dev.dmrbatch.support.TestProperties;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every built-in step type and check type refuses each key of the job file that it does not say it takes: the keys a
 * type lists are the keys the job file holds its steps and checks to. A new type is held to this without a word here.
 */
@ExtendWith(WorkspaceExtension.class)
class KindKeysTest {

	/** A value for each key a step can give, as a job file writes it. */
	static final Map<String, String> STEP_VALUES = Map.ofEntries(entry("name", "a"), entry("prompt", "x"),
			entry("template", "t.ftl"), entry("model", "m"), entry("temperature", "0.5"), entry("top_p", "0.5"),
			entry("max_tokens", "5"), entry("stop", "[s]"), entry("seed", "1"), entry("presence_penalty", "0"),
			entry("frequency_penalty", "0"), entry("stream", "true"), entry("when", "'true'"),
			entry("conversation", "new"), entry("response_format", "json"), entry("schema", "{ type: object }"),
			entry("schema_file", "s.json"), entry("json_retries", "1"), entry("logprobs", "true"),
			entry("top_logprobs", "1"), entry("n", "1"), entry("extra", "{ a: 1 }"), entry("type", "chat"),
			entry("checks", "[ { name: c, type: contains, value: x } ]"), entry("options", "{ k: 1 }"),
			entry("images", "[photo]"), entry("max-image-side", "512"));

	/** A value for each key a check can give beside its name and type, as a job file writes it. */
	static final Map<String, String> CHECK_VALUES = Map.ofEntries(entry("value", "x"), entry("values", "[x]"),
			entry("pattern", "x"), entry("min", "1"), entry("max", "2"), entry("unit", "chars"), entry("path", "$.a"),
			entry("equals", "1"), entry("exists", "true"), entry("in", "[1]"), entry("ignore-case", "true"),
			entry("trim", "true"), entry("rubric", "r"), entry("model", "{ name: m }"), entry("pass-score", "3"),
			entry("options", "{ k: 1 }"));

	Workspace workspace;

	JobFiles jobFiles;

	@BeforeEach
	void setUp() {
		this.jobFiles = TestJobFiles.of(TestProperties.home(this.workspace.root()));
	}

	private JobDefinition load(String step) {
		this.workspace.file("jobs/k.yaml", "steps:\n  - " + step + "\n");
		return this.jobFiles.load("k");
	}

	@Test
	void everyKeyOfAStepHasAValueHere() {
		assertThat(STEP_VALUES).containsOnlyKeys(StepKinds.STEP_KEYS);
	}

	@Test
	void aStepTypeRefusesEachKeyItDoesNotTake() {
		List<StepKind> kinds = Kinds.builtIn(StepKind.class);
		assertThat(kinds).isNotEmpty();
		for (StepKind kind : kinds) {
			String base = "name: a, type: " + kind.name() + (kind.keys().contains("prompt") ? ", prompt: x" : "");
			assertThat(load("{ " + base + " }").steps()).hasSize(1);
			for (String key : StepKinds.STEP_KEYS) {
				if (!kind.keys().contains(key)) {
					assertThatThrownBy(() -> load("{ " + base + ", " + key + ": " + STEP_VALUES.get(key) + " }"))
						.as("%s step with %s", kind.name(), key)
						.isInstanceOf(JobFileException.class);
				}
			}
		}
	}

	@Test
	void aCheckTypeRefusesEachKeyItDoesNotTake() {
		List<CheckKind> kinds = Kinds.builtIn(CheckKind.class);
		assertThat(kinds).isNotEmpty();
		for (CheckKind kind : kinds) {
			for (String key : CHECK_VALUES.keySet()) {
				if (!kind.keys().contains(key)) {
					assertThatThrownBy(() -> load("{ name: a, prompt: x, response_format: json, checks: [ { name: c, "
							+ "type: " + kind.name() + ", " + key + ": " + CHECK_VALUES.get(key) + " } ] }"))
						.as("%s check with %s", kind.name(), key)
						.hasMessageContaining("'" + key + "' does not apply to a " + kind.name() + " check (it takes ");
				}
			}
		}
	}

}
