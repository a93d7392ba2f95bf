package dev.dmrbatch.jobfile;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.dmrbatch.support.TestProperties;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Malformed job files of every kind, each refused with one sentence that names the file and line and says what was
 * expected, never quoting more of the file than a short excerpt, never Jackson's own wording.
 */
@ExtendWith(WorkspaceExtension.class)
class JobFileMessagesTest {

	static final String SECRET = "hunter2-very-secret-value";

	Workspace workspace;

	JobFiles jobFiles;

	@BeforeEach
	void setUp() {
		this.jobFiles = TestJobFiles.of(TestProperties.home(this.workspace.root()));
	}

	private String message(String name) {
		JobFileException ex = catchThrowableOfType(JobFileException.class, () -> this.jobFiles.load(name));
		assertThat(ex).as(name).isNotNull();
		String message = ex.getMessage();
		assertThat(message).as(name)
			.startsWith("job file jobs/" + name + ".yaml")
			.doesNotContain("\n", "\r", "\u001b", SECRET, "sk-abcdef", "root:x:0", "daemon")
			.doesNotContain("Source", "REDACTED", "Creator", "construct", "(token", "Array value", "`", "jackson",
					"java.", "Exception", "deserialize", "end-of-input");
		assertThat(message.length()).as(name).isLessThan(200);
		return message;
	}

	@Test
	void eachMalformedFileIsOneCleanSentence() {
		Map<String, String> expected = new LinkedHashMap<>();
		expected.put("DB_PASSWORD=" + SECRET + "\nAPI_KEY=sk-abcdefghijklmnopqrstuvwxyz0123456789\nOTHER=1\n",
				"line 1: a job file must be a mapping of keys such as name, model and steps, found text");
		expected.put("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n",
				"line 1: a job file must be a mapping of keys such as name, model and steps, found text");
		expected.put("just some text\n", "found text");
		expected.put("42\n", "line 1: a job file must be a mapping of keys such as name, model and steps, found a number");
		expected.put("- a\n- b\n", "line 1: a job file must be a mapping of keys such as name, model and steps, found a list");
		expected.put("", " is empty: it needs at least 'steps'");
		expected.put("# nothing here\n", " is empty");
		expected.put("name: x\nsteps: hello there\n", "line 2: 'steps' must be a list of steps, found text");
		expected.put("name: x\nsteps:\n  name: a\n  prompt: b\n", "'steps' must be a list of steps, found a mapping");
		expected.put("steps:\n  - hello\n", "line 2: 'steps[0]' must be a step (a mapping with name and prompt or template), found text");
		expected.put("steps:\n  - [a, b]\n", "'steps[0]' must be a step");
		expected.put("steps:\n  - name: a\n    prompt: {x: y}\n", "line 3: 'steps[0].prompt' must be text, found a mapping");
		String step = "steps: [ {name: a, prompt: b} ]\n";
		expected.put("model: [a, b]\n" + step, "line 1: 'model' must be a mapping of keys to values, found a list");
		expected.put("model: ai/tiny\n" + step, "'model' must be a mapping of keys to values, found text");
		expected.put(step + "model:\n  max_tokens: [1]\n", "line 3: 'model.max_tokens' must be a whole number, found a list");
		expected.put("input: input/x.csv\n" + step, "'input' must be a mapping of keys to values, found text");
		expected.put("input: [a]\n" + step, "'input' must be a mapping of keys to values, found a list");
		expected.put("name: [a, b]\n" + step, "'name' must be text, found a list");
		expected.put("description: {a: b}\n" + step, "'description' must be text, found a mapping");
		expected.put("vars: [a]\n" + step, "'vars' must be a mapping of keys to values, found a list");
		expected.put("export: {a: b}\n" + step, "'export' must be a list of export formats, found a mapping");
		expected.put("retry: 3\n" + step, "'retry' must be a mapping of keys to values, found a number");
		expected.put("runners: 3\n" + step, "'runners' must be a list of runners, found a number");
		expected.put("skip-limit: many\n" + step, "'skip-limit' must be a whole number, found text");
		expected.put("concurrency: [1]\n" + step, "'concurrency' must be text, found a list");
		expected.put("concurrency: 65\n" + step, "concurrency '65' must be 'auto' or a number from 1 to 64");
		expected.put("runners: [{url: \"http://h:1/v1\", concurrency: 0}]\n" + step,
				"concurrency of runner http://h:1/v1 '0' must be 'auto' or a number from 1 to 64");
		expected.put("layouts: [a]\n" + step, "'layouts' must be a mapping of keys to values, found a list");
		expected.put("steps:\n\t- name: a\n", "line 2: not valid YAML, found character");
		expected.put(step + "model: { name: \"" + "x".repeat(300) + SECRET + "\" , temperature: hot }\n",
				"line 2: 'model.temperature' must be a number, found text");
		expected.put(step + "system: \"" + SECRET + " " + "y".repeat(200) + "\n", "not valid YAML");
		int i = 0;
		for (Map.Entry<String, String> file : expected.entrySet()) {
			String name = "bad" + (i++);
			this.workspace.file("jobs/" + name + ".yaml", file.getKey());
			assertThat(message(name)).as(file.getKey()).contains(file.getValue());
		}
	}

	@Test
	void aSyntaxErrorNamesLineAndColumnNeverTheLinesText() {
		String longKey = "k".repeat(30) + "-the-rest-of-a-long-line-stays-out";
		this.workspace.file("jobs/bad.yaml", "steps: [ {name: a, prompt: b} ]\nmodel: { name: ai/x\n  " + longKey
				+ ": [ \n");
		JobFileException ex = catchThrowableOfType(JobFileException.class, () -> this.jobFiles.load("bad"));
		assertThat(ex.getMessage()).startsWith("job file jobs/bad.yaml line 3: not valid YAML, expected ',' or '}', "
				+ "but got : (column ").doesNotContain("kkk");
		// a file given as a job by mistake, whose YAML breaks on the line that holds a secret
		this.workspace.file("jobs/credentials.yaml", "user: me\ntoken: " + SECRET + ": more\n");
		assertThat(message("credentials")).contains("jobs/credentials.yaml line 2: not valid YAML")
			.doesNotContain("hunter2").doesNotContain("token");
	}

	@Test
	void aBinaryFileIsNamedAsSuch() {
		this.workspace.bytes("jobs/binary.yaml", new byte[] { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, (byte) 0xff,
				(byte) 0xfe, 0x1b, '[', '3', '1', 'm', 10, 0, 0 });
		assertThat(message("binary")).isEqualTo("job file jobs/binary.yaml is not UTF-8 text: a job file is YAML");
		this.workspace.file("jobs/escape.yaml", "steps: [ {name: a, prompt: b} ]\nsystem: \u001b[31m" + SECRET + "\n");
		assertThat(message("escape"))
			.isEqualTo("job file jobs/escape.yaml holds a character YAML does not allow (U+001B): a job file is YAML text");
	}

	@Test
	void aKeyGivenTwiceIsRefusedNamingItAndItsLine() {
		this.workspace.file("jobs/twice.yaml", """
				name: twice
				steps:
				  - name: a
				    prompt: first
				model: { name: ai/x }
				steps:
				  - name: b
				    prompt: second
				""");
		assertThat(message("twice")).isEqualTo(
				"job file jobs/twice.yaml line 6: key 'steps' is given twice (the second would replace the first)");
		this.workspace.file("jobs/nested.yaml", """
				steps:
				  - name: a
				    prompt: first
				    prompt: second
				""");
		assertThat(message("nested")).isEqualTo(
				"job file jobs/nested.yaml line 4: key 'prompt' is given twice (the second would replace the first)");
	}

	/**
	 * A step's request settings are read and refused as the job's {@code model:} block's are: each by its key as
	 * written, with its line; an unknown key among them lists every key a step takes.
	 */
	@Test
	void aStepsRequestSettingsAreNamedAsWrittenWithTheirLine() {
		Map<String, String> expected = new LinkedHashMap<>();
		expected.put("steps:\n  - name: a\n    prompt: x\n    max_tokens: lots\n    when: \"true\"\n",
				" line 4: 'steps[0].max_tokens' must be a whole number, found text");
		expected.put("steps:\n  - name: a\n    stop: {a: b}\n    prompt: x\n",
				" line 3: 'steps[0].stop' must be text, found a mapping");
		expected.put("steps:\n  - { name: a, prompt: x, temperature: [1] }\n",
				" line 2: 'steps[0].temperature' must be a number, found a list");
		expected.put("steps:\n  - name: a\n    prompt: x\n    stream: maybe\n",
				" line 4: 'steps[0].stream' must be true or false, found text");
		expected.put("steps:\n  - name: a\n    temprature: 1\n    prompt: x\n",
				" line 3: unknown key 'steps[0].temprature' (known here: checks, conversation, extra, "
						+ "frequency_penalty, images, json_retries, logprobs, max-image-side, max_tokens, model, n, name, "
						+ "options, "
						+ "presence_penalty, prompt, response_format, schema, schema_file, seed, stop, stream, "
						+ "temperature, template, top_logprobs, top_p, type, when)");
		expected.put("steps:\n  - name: a\n    prompt: x\n    model: [a]\n",
				" line 4: 'steps[0].model' must be text, found a list");
		expected.put("steps:\n  - name: a\n    prompt: x\n    top_logprobs: 30\n",
				": steps[0].top_logprobs must be less than or equal to 20");
		expected.put("steps:\n  - name: a\n    prompt: x\n    top_p: 2\n",
				": steps[0].top_p must be less than or equal to 1");
		expected.put("steps:\n  - name: a\n    prompt: x\n    extra: { max_tokens: 2, model: b }\n",
				": steps[0].extra.max_tokens: give it as steps[0].max_tokens, not in extra; "
						+ "steps[0].extra.model: dmr-batch sends it itself");
		expected.put("steps:\n  - name: a\n    prompt: x\n    n: 2\n",
				": steps[0].n must be 1: a conversation goes on from one answer, so each request asks for one "
						+ "(for several answers, list several models, repeat the step, or give repeat=<n>)");
		int i = 0;
		for (Map.Entry<String, String> file : expected.entrySet()) {
			String name = "step" + (i++);
			this.workspace.file("jobs/" + name + ".yaml", file.getKey());
			JobFileException ex = catchThrowableOfType(JobFileException.class, () -> this.jobFiles.load(name));
			assertThat(ex).as(file.getKey()).hasMessage("job file jobs/" + name + ".yaml" + file.getValue());
		}
	}

}
