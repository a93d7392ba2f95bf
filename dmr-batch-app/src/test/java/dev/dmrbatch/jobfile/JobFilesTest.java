package dev.dmrbatch.jobfile;

import java.util.List;
import java.util.Map;

import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.support.TestProperties;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(WorkspaceExtension.class)
class JobFilesTest {

	Workspace workspace;

	JobFiles jobFiles;

	@BeforeEach
	void setUp() {
		this.jobFiles = TestJobFiles.of(TestProperties.home(this.workspace.root()));
	}

	@Test
	void readsAValidJobFile() {
		this.workspace.file("jobs/ok.yaml", """
				name: ok
				description: fine
				input: { format: csv, path: input/a.csv, id: id }
				model: { name: ai/tiny, temperature: 0.5, max_tokens: 32, stop: "END", seed: 7 }
				vars: { language: French }
				steps:
				  - name: first
				    prompt: "Hello ${title}"
				  - name: second
				    template: second.ftl
				concurrency: 3
				export: [jsonl, csv]
				""");
		JobDefinition job = this.jobFiles.load("ok");
		assertThat(job.steps()).extracting(JobDefinition.Step::name).containsExactly("first", "second");
		assertThat(job.model().maxTokens()).isEqualTo(32);
		assertThat(job.model().stop()).containsExactly("END");
		assertThat(job.concurrency()).isEqualTo("3");
		assertThat(job.varsOrEmpty()).containsEntry("language", "French");
	}

	/** A step's request settings are given among its keys, as the job's model block gives them. */
	@Test
	void aStepsRequestSettingsAreReadWithItsModelAsTheirName() {
		this.workspace.file("jobs/own.yaml", """
				steps:
				  - name: first
				    prompt: hi
				    model: ai/tiny2
				    temperature: 0.25
				    top_p: 0.5
				    max_tokens: 9
				    stop: END
				    seed: 3
				    presence_penalty: 0.5
				    frequency_penalty: -0.5
				    stream: true
				    logprobs: true
				    top_logprobs: 2
				    n: 1
				    extra: { top_k: 4 }
				    when: "true"
				  - { name: second, prompt: hi, temperature: }
				""");
		JobDefinition job = this.jobFiles.load("own");
		assertThat(job.steps().get(0).settings()).isEqualTo(new ModelSettings("ai/tiny2", 0.25, 0.5, 9, List.of("END"),
				3L, 0.5, -0.5, true, true, 2, 1, Map.of("top_k", 4)));
		assertThat(job.steps().get(0).when()).isEqualTo("true");
		assertThat(job.steps().get(1).settings()).isEqualTo(ModelSettings.NONE);
		this.workspace.file("jobs/nested.yaml", "steps:\n  - name: a\n    prompt: hi\n    settings: { seed: 1 }\n");
		assertThatThrownBy(() -> this.jobFiles.load("nested"))
			.hasMessageContaining("line 4: unknown key 'steps[0].settings'");
	}

	@Test
	void unknownKeyIsNamedWithItsLine() {
		this.workspace.file("jobs/bad.yaml", """
				name: bad
				model:
				  name: ai/tiny
				  temprature: 0.5
				steps:
				  - name: a
				    prompt: hi
				""");
		assertThatThrownBy(() -> this.jobFiles.load("bad")).isInstanceOf(JobFileException.class)
			.hasMessageContaining("jobs/bad.yaml line 4")
			.hasMessageContaining("unknown key 'model.temprature'")
			.hasMessageContaining("temperature");
	}

	@Test
	void wrongTypeIsNamed() {
		this.workspace.file("jobs/bad.yaml", """
				steps:
				  - name: a
				    prompt: hi
				model:
				  max_tokens: lots
				""");
		assertThatThrownBy(() -> this.jobFiles.load("bad")).hasMessageContaining("jobs/bad.yaml line 5")
			.hasMessageContaining("'model.max_tokens' must be a whole number, found text");
	}

	@Test
	void stepsAreChecked() {
		this.workspace.file("jobs/bad.yaml", """
				steps:
				  - name: a
				  - name: a
				    prompt: x
				    template: y.ftl
				  - name: has space
				    prompt: x
				""");
		assertThatThrownBy(() -> this.jobFiles.load("bad")).hasMessageContaining("steps[0] needs exactly one of")
			.hasMessageContaining("steps[1].name 'a' is used by an earlier step")
			.hasMessageContaining("steps[1] needs exactly one of")
			.hasMessageContaining("steps[2].name 'has space'");
	}

	@Test
	void anEmbedStepTakesNoChecks() {
		this.workspace.file("jobs/vec.yaml", """
				steps:
				  - name: vec
				    type: embed
				    prompt: x
				    checks:
				      - { name: long, type: length, min: 3 }
				""");
		assertThatThrownBy(() -> this.jobFiles.load("vec"))
			.hasMessageContaining("steps[0] has type embed: checks are for steps that answer in text");
	}

	@Test
	void eachStepTypeRefusesTheKeysItDoesNotTake() {
		this.workspace.file("jobs/types.yaml", """
				steps:
				  - { name: a, type: chatty, prompt: x }
				  - { name: b, prompt: x, options: { k: 1 } }
				  - { name: c, type: complete, prompt: x, response_format: json }
				  - { name: d, type: embed, prompt: x, stream: true }
				  - { name: e, type: complete }
				  - { name: f, type: chat, prompt: x, response_format: text }
				  - { name: g, type: embed, prompt: x, response_format: text, options: { k: 1 } }
				  - { name: h, type: complete, prompt: x, logprobs: true, json_retries: 1 }
				""");
		assertThatThrownBy(() -> this.jobFiles.load("types")).hasMessage("job file jobs/types.yaml: "
				+ "steps[0].type 'chatty' is not one of chat, complete, embed; "
				+ "steps[1].options is for steps of a type that a plugin provides; "
				+ "steps[2] has type complete: response_format is for chat steps; "
				+ "steps[3] has type embed: stream, logprobs and top_logprobs are for steps that answer in text; "
				+ "steps[4] needs exactly one of 'prompt' or 'template'; "
				+ "steps[6].options is for steps of a type that a plugin provides");
	}

	@Test
	void invalidValuesAreNamed() {
		this.workspace.file("jobs/bad.yaml", """
				input: { format: xml }
				model: { temperature: 7 }
				concurrency: many
				export: [docx]
				steps: [ { name: a, prompt: x } ]
				""");
		assertThatThrownBy(() -> this.jobFiles.load("bad")).hasMessageContaining("input.format 'xml'")
			.hasMessageContaining("model.temperature must be less than or equal to 2")
			.hasMessageContaining("concurrency 'many'")
			.hasMessageContaining("export 'docx'");
	}

	@Test
	void brokenYamlIsNamedWithItsLine() {
		this.workspace.file("jobs/bad.yaml", "steps:\n  - name: a\n    prompt: \"unclosed\n");
		assertThatThrownBy(() -> this.jobFiles.load("bad")).hasMessageStartingWith("job file jobs/bad.yaml line")
			.hasMessageContaining("not valid YAML");
	}

	@Test
	void unknownJobListsTheJobs() {
		this.workspace.file("jobs/one.yaml", "steps: [ { name: a, prompt: x } ]\n");
		assertThatThrownBy(() -> this.jobFiles.load("two")).hasMessage(
				"unknown job 'two': there is no jobs/two.yaml (jobs: one)");
	}

	@Test
	void missingStepsAreNamed() {
		this.workspace.file("jobs/empty.yaml", "name: empty\n");
		assertThatThrownBy(() -> this.jobFiles.load("empty")).hasMessageContaining("'steps' is missing");
	}

}
