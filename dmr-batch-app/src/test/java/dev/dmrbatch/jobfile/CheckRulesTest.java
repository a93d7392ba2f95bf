package dev.dmrbatch.jobfile;

import java.nio.file.Path;

import dev.dmrbatch.support.TestProperties;
import dev.dmrbatch.support.Workspace;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A check that could not be evaluated is refused when the job file is read, named by job file, step and check. */
class CheckRulesTest {

	@TempDir
	Path dir;

	Workspace workspace;

	JobFiles jobFiles;

	@BeforeEach
	void setUp() {
		this.workspace = new Workspace(this.dir);
		this.jobFiles = TestJobFiles.of(TestProperties.home(this.dir));
	}

	private JobDefinition job(String checks) {
		this.workspace.file("jobs/j.yaml", """
				steps:
				  - name: answer
				    prompt: "Hello"
				    checks:
				%s
				  - name: extract
				    prompt: "JSON"
				    response_format: json
				""".formatted(checks.indent(6).stripTrailing()));
		return this.jobFiles.load("j");
	}

	private void refused(String checks, String message) {
		assertThatThrownBy(() -> job(checks)).isInstanceOf(JobFileException.class)
			.hasMessage("job file jobs/j.yaml: " + message);
	}

	@Test
	void readsEveryTypeOfCheck() {
		JobDefinition job = job("""
				- { name: a, type: contains, value: x, ignore-case: true }
				- { name: b, type: not-contains, value: x }
				- { name: c, type: equals, value: "", trim: true }
				- { name: d, type: one-of, values: [x, y] }
				- { name: e, type: regex, pattern: "^a+$", ignore-case: true }
				- { name: f, type: length, min: 1, max: 9, unit: words, min-pass-rate: 0.5 }
				- { name: g, type: expected, value: "${label}" }
				- { name: h, type: judge, rubric: "Good?", model: { name: ai/tiny2, max_tokens: 80 }, pass-score: 4 }
				- { name: i, type: similar, value: "${reference}", min: 0.8, model: { name: ai/tiny-embed } }
				""");
		assertThat(job.steps().get(0).checksOrEmpty()).extracting(JobDefinition.Check::type)
			.containsExactly("contains", "not-contains", "equals", "one-of", "regex", "length", "expected", "judge",
					"similar");
		assertThat(job.steps().get(0).checksOrEmpty().get(7).model().maxTokens()).isEqualTo(80);
		assertThat(job.steps().get(0).checksOrEmpty().get(8).min().doubleValue()).isEqualTo(0.8);
		assertThat(job.hasChecks()).isTrue();
	}

	@Test
	void unknownType() {
		refused("- { name: a, type: contain, value: x }", "step answer, check a: type 'contain' is not one of contains, "
				+ "not-contains, equals, one-of, regex, length, json-path, expected, judge, latency, tokens, similar");
	}

	@Test
	void badRegularExpression() {
		refused("- { name: a, type: regex, pattern: \"(ab\" }",
				"step answer, check a: pattern is not a regular expression: Unclosed group at its end");
		refused("- { name: a, type: regex, pattern: \"a{2,1}\" }",
				"step answer, check a: pattern is not a regular expression: Illegal repetition range at character 6");
	}

	@Test
	void badJsonPath() {
		assertThatThrownBy(() -> this.jobFiles.load(jsonPathJob("$.[", "exists: true")))
			.hasMessageStartingWith("job file jobs/p.yaml: step extract, check p: path '$.[' is not a JSONPath: ");
	}

	@Test
	void jsonPathNeedsOneWantAndAJsonStep() {
		assertThatThrownBy(() -> this.jobFiles.load(jsonPathJob("$.a", "exists: true, equals: 1")))
			.hasMessage("job file jobs/p.yaml: step extract, check p: a json-path check needs exactly one of 'equals', "
					+ "'exists' or 'in'");
		refused("- { name: a, type: json-path, path: $.a, exists: true }", "step answer, check a: the step answers "
				+ "text: a json-path check needs response_format json or json_schema");
	}

	private String jsonPathJob(String path, String wants) {
		this.workspace.file("jobs/p.yaml", """
				steps:
				  - name: extract
				    prompt: "JSON"
				    response_format: json
				    checks: [ { name: p, type: json-path, path: "%s", %s } ]
				""".formatted(path, wants));
		return "p";
	}

	@Test
	void missingValues() {
		refused("- { name: a, type: contains }", "step answer, check a: a contains check needs a 'value'");
		refused("- { name: a, type: one-of, values: [] }",
				"step answer, check a: a one-of check needs 'values', a list of the answers it allows");
		refused("- { name: a, type: length, unit: chars }", "step answer, check a: a length check needs 'min', 'max' "
				+ "or both");
		refused("- { name: a, type: judge, rubric: Good? }", "step answer, check a: a judge check needs 'model' with "
				+ "the grader's name, such as { name: ai/tiny2 }");
		refused("- { name: a, type: similar, value: r, model: { name: m } }", "step answer, check a: a similar check "
				+ "needs 'min', the least cosine similarity from 0 to 1 it passes at, such as 0.8");
		refused("- { name: a, type: similar, min: 0.5, model: { name: m } }", "step answer, check a: a similar check "
				+ "needs a 'value', the reference its answer is compared with");
		refused("- { name: a }", "step answer, check a: 'type' is missing (one of contains, not-contains, equals, "
				+ "one-of, regex, length, json-path, expected, judge, latency, tokens, similar)");
	}

	@Test
	void duplicateAndBadNames() {
		refused("""
				- { name: a, type: contains, value: x }
				- { name: a, type: contains, value: y }
				""", "step answer, check a: the name is used by an earlier check of the step too");
		refused("- { name: a.b, type: contains, value: x }", "step answer, check a.b: a check's name must be letters, "
				+ "digits, '_' and '-' (it is used as <step>.<check>)");
		refused("- { type: contains, value: x }", "step answer: checks[0] has no name");
	}

	@Test
	void keysOfAnotherType() {
		refused("- { name: a, type: contains, value: x, pattern: y, trim: true }", "step answer, check a: 'pattern', "
				+ "'trim' do not apply to a contains check (it takes value, ignore-case)");
	}

	@Test
	void outOfRange() {
		refused("- { name: a, type: length, min: 5, max: 2 }", "step answer, check a: min 5 is more than max 2");
		refused("- { name: a, type: contains, value: x, min-pass-rate: 90 }",
				"step answer, check a: min-pass-rate must be a share between 0 and 1, such as 0.9");
		refused("- { name: a, type: judge, rubric: r, model: { name: m }, pass-score: 6 }",
				"step answer, check a: pass-score must be from 1 to 5");
		refused("- { name: a, type: similar, value: r, model: { name: m }, min: 80 }",
				"step answer, check a: min must be a similarity from 0 to 1, such as 0.8");
		refused("- { name: a, type: length, min: 2.5 }", "step answer, check a: min and max must be whole numbers");
	}

	@Test
	void gateNeedsChecksAndARate() {
		this.workspace.file("jobs/g.yaml", """
				gate: { min-pass-rate: 1.5 }
				steps: [ { name: answer, prompt: "Hello" } ]
				""");
		assertThatThrownBy(() -> this.jobFiles.load("g")).hasMessage("job file jobs/g.yaml: gate.min-pass-rate must be "
				+ "a share between 0 and 1, such as 0.9; gate is given but no step has checks for it to count");
	}

}
