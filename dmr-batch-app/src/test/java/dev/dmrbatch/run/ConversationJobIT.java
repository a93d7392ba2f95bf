package dev.dmrbatch.run;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs whole jobs, as {@code java -jar} does, against the real local model runner (llama-server serving tiny
 * generated models under Docker Model Runner's URL layout).
 */
@ExtendWith(WorkspaceExtension.class)
class ConversationJobIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	Workspace workspace;

	String runner;

	@BeforeEach
	void setUp() {
		this.runner = LocalRunner.baseUrl();
		this.workspace.file("templates/first.ftl", """
				<#-- a comment that never reaches the model -->
				Summarize "${title}" (item ${record.id}) in ${vars.language}:
				${text}
				""");
		this.workspace.file("jobs/twostep.yaml", """
				name: twostep
				description: Two steps, the second sees the first.
				input: { format: csv, path: input/articles.csv, id: id }
				model: { name: ai/tiny, max_tokens: 12, temperature: 0.5 }
				system: You are terse.
				vars: { language: English }
				steps:
				  - name: first
				    template: first.ftl
				  - name: second
				    prompt: "Keywords for: ${steps.first}"
				concurrency: 4
				""");
	}

	private Dmr.Result dmr(String... args) {
		return Dmr.run(this.workspace, this.runner, args);
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, String>> messages(Map<String, Object> result) {
		return (List<Map<String, String>>) result.get("messages");
	}

	@Test
	void controlCharactersFromTheInputReachNeitherTheTerminalNorTheTextExports() throws Exception {
		// given: an item whose id holds ESC and BEL, and a line that is not JSON with ESC, BEL and NUL in it
		this.workspace.file("input/items.jsonl", "{\"id\": \"ok\\u001b[2J\\u0007\", \"text\": \"hi\"}\n"
				+ "{\"id\": \"bad\", \"text\": nope\u001b[31m\u0007\u0000}\n");
		this.workspace.file("jobs/controls.yaml", """
				input: { format: jsonl, path: input/items.jsonl, id: id }
				model: { name: ai/tiny, max_tokens: 4 }
				steps: [ { name: answer, prompt: "Say hi: ${text}" } ]
				export: [jsonl, markdown, text, csv]
				""");

		// when
		Dmr.Result result = dmr("job=controls", "run=c", "--verbose");

		// then: one item answered, one failed, and every control character shown as an escape
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
		assertThat(result.err()).contains("ok␛[2J␇");
		List<String> texts = List.of(result.out(), result.err(), this.workspace.read("output/controls/c/dmr-batch.log"),
				this.workspace.read("output/controls/c/results.txt"), this.workspace.read("output/controls/c/results.md"));
		for (String text : texts) {
			assertThat(text).doesNotContain("\u001b", "\u0007", "\u0000");
		}
		assertThat(this.workspace.read("output/controls/c/results.txt")).contains("ok␛[2J␇")
			.contains("Unrecognized token 'nope␛'");
		assertThat(this.workspace.results("output/controls/c")).extracting((r) -> r.get("id")).containsExactly("ok\u001b[2J\u0007", "2");
		// the log may quote the runner: its owner's only
		if (java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
			assertThat(java.nio.file.attribute.PosixFilePermissions
				.toString(Files.getPosixFilePermissions(this.workspace.path("output/controls/c/dmr-batch.log"))))
				.isEqualTo("rw-------");
		}
	}

	private static String csv(int rows) {
		StringBuilder csv = new StringBuilder("id,title,text\n");
		for (int i = 1; i <= rows; i++) {
			String text = ("Paragraph " + i + ", with commas, \"\"quotes\"\" and a line break\nthat goes on. ").repeat(1 + i % 7);
			csv.append("r").append(i).append(",\"Title ").append(i).append(", \"\"quoted\"\"\",\"").append(text).append("\"\n");
		}
		return csv.toString();
	}

	@Test
	void twoStepJobOverAQuotedCsvAnswersEveryItemTwice() throws Exception {
		// given: 300 rows with commas, quotes, line breaks and long fields
		this.workspace.file("input/articles.csv", csv(300));

		// when
		Dmr.Result result = dmr("job=twostep", "var.language=French");

		// then
		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.out()).contains("twostep run 1 COMPLETED: 300 items, 300 ok, 0 failed");
		List<Map<String, Object>> lines = this.workspace.results("output/twostep/run-1");
		assertThat(lines).hasSize(300);
		assertThat(lines).extracting((line) -> line.get("id")).startsWith("r1", "r2", "r3").endsWith("r300");
		for (Map<String, Object> line : lines) {
			assertThat(line).containsEntry("status", "ok").containsEntry("model", "ai/tiny");
			List<Map<String, String>> messages = messages(line);
			assertThat(messages).extracting((m) -> m.get("role"))
				.containsExactly("system", "user", "assistant", "user", "assistant");
			assertThat(messages.get(1).get("content")).contains("(item " + line.get("id") + ") in French:")
				.contains("with commas, \"quotes\" and a line break\nthat goes on.")
				.doesNotContain("a comment that never reaches");
			// step two's prompt carries step one's answer
			assertThat(messages.get(3).get("content")).isEqualTo("Keywords for: " + messages.get(2).get("content"));
			Map<String, Object> usage = (Map<String, Object>) line.get("usage");
			assertThat(((Number) usage.get("completion_tokens")).intValue()).isBetween(1, 24);
			assertThat(((Number) usage.get("prompt_tokens")).intValue()).isPositive();
		}
	}

	@Test
	void everyInputFormatRuns() throws Exception {
		this.workspace.file("input/items.jsonl", """
				{"id": "a", "title": "Alpha", "text": "first"}
				{"id": "b", "title": "Beta", "text": "second"}
				""");
		this.workspace.file("input/items.json", """
				[{"id": "c", "title": "Gamma", "text": "third"}, {"id": "d", "title": "Delta", "text": "fourth"},
				 {"id": "e", "title": "Epsilon", "text": "fifth"}]
				""");
		this.workspace.file("input/notes/one.txt", "Note one.").file("input/notes/two.md", "# Note two");
		this.workspace.file("jobs/notes.yaml", """
				input: { format: text, path: input/notes }
				model: { name: ai/tiny2, max_tokens: 8 }
				steps:
				  - name: gist
				    prompt: "Gist of ${name} (${record.id}): ${text}"
				""");

		assertThat(dmr("job=twostep", "input=input/items.jsonl").exitCode()).isZero();
		assertThat(this.workspace.results("output/twostep/run-1")).extracting((r) -> r.get("id")).containsExactly("a", "b");

		Dmr.Result json = dmr("job=twostep", "input=input/items.json", "output=out/json");
		assertThat(json.exitCode()).as(json.toString()).isZero();
		assertThat(this.workspace.results("out/json")).extracting((r) -> r.get("id")).containsExactly("c", "d", "e");

		Dmr.Result notes = dmr("job=notes");
		assertThat(notes.exitCode()).as(notes.toString()).isZero();
		// no concurrency in the job: auto, from the runner's own slot count
		assertThat(notes.err()).contains("concurrency auto: 4, the runner's parallel slots for ai/tiny2");
		List<Map<String, Object>> lines = this.workspace.results("output/notes/run-3");
		assertThat(lines).extracting((r) -> r.get("id")).containsExactly("one.txt", "two.md");
		assertThat(lines).extracting((r) -> r.get("model")).containsOnly("ai/tiny2");
		assertThat(messages(lines.get(1)).get(0).get("content")).isEqualTo("Gist of two (two.md): # Note two");
	}

	@Test
	void missingVariableFailsThatItemAndNamesIt() throws Exception {
		this.workspace.file("input/items.jsonl", """
				{"id": "a", "title": "Alpha", "text": "ok"}
				{"id": "b", "text": "no title here"}
				{"id": "c", "title": "Gamma", "text": "ok"}
				""");

		Dmr.Result result = dmr("job=twostep", "input=input/items.jsonl");

		assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
		assertThat(result.out()).contains("3 items, 2 ok, 1 failed");
		List<Map<String, Object>> lines = this.workspace.results("output/twostep/run-1");
		assertThat(lines).extracting((r) -> r.get("status")).containsExactly("ok", "failed", "ok");
		assertThat(lines.get(1).get("error")).isEqualTo("variable 'title' is missing in template first.ftl line 2");
	}

	@Test
	void malformedInputLinesAreFailedItemsWithTheirLocation() throws Exception {
		this.workspace.file("input/items.jsonl", "{\"id\": \"a\", \"title\": \"A\", \"text\": \"x\"}\n{oops\n");
		Dmr.Result result = dmr("job=twostep", "input=input/items.jsonl");
		assertThat(result.exitCode()).isEqualTo(3);
		assertThat(this.workspace.results("output/twostep/run-1").get(1).get("error"))
			.asString()
			.startsWith("input/items.jsonl line 2: not valid JSON");
	}

	@Test
	void aCompletedRunIsNotRepeatedUnlessANewLabelAsksForIt() throws Exception {
		this.workspace.file("input/articles.csv", csv(3));
		assertThat(dmr("job=twostep").exitCode()).isZero();

		Dmr.Result again = dmr("job=twostep");
		assertThat(again.exitCode()).isZero();
		assertThat(again.out()).contains("twostep run 1 is already complete (3 ok, 0 failed); nothing was sent");

		Dmr.Result labelled = dmr("job=twostep", "run=second");
		assertThat(labelled.exitCode()).as(labelled.toString()).isZero();
		assertThat(labelled.out()).contains("twostep run second COMPLETED: 3 items");
		assertThat(this.workspace.results("output/twostep/second")).hasSize(3);
	}

	@Test
	void exportWritesAPastRunAgainFromTheStoreWithoutTheRunner() throws Exception {
		this.workspace.file("input/articles.csv", csv(5));
		assertThat(dmr("job=twostep", "run=first").exitCode()).isZero();
		String original = this.workspace.read("output/twostep/first/results.jsonl");
		Files.delete(this.workspace.path("output/twostep/first/results.jsonl"));

		Dmr.Result again = Dmr.run(this.workspace, "http://127.0.0.1:9/v1", "job=export", "run=first", "export=jsonl");
		assertThat(again.exitCode()).as(again.toString()).isZero();
		assertThat(again.out()).contains("twostep run first exported again: 5 items, 5 ok, 0 failed");
		assertThat(this.workspace.read("output/twostep/first/results.jsonl")).isEqualTo(original);

		Dmr.Result elsewhere = Dmr.run(this.workspace, "http://127.0.0.1:9/v1", "job=export", "run=1", "export=jsonl",
				"output=copy");
		assertThat(elsewhere.exitCode()).isZero();
		assertThat(this.workspace.read("copy/results.jsonl")).isEqualTo(original);

		// without export=, the job file's own list (twostep has none: jsonl)
		Dmr.Result asTheJobSays = Dmr.run(this.workspace, "http://127.0.0.1:9/v1", "job=export", "run=first");
		assertThat(asTheJobSays.out()).contains("results.jsonl").doesNotContain("results.pdf");

		Dmr.Result unknown = Dmr.run(this.workspace, null, "job=export", "run=nope");
		assertThat(unknown.exitCode()).isEqualTo(2);
		assertThat(unknown.err()).contains("error: there is no run labelled 'nope'");
	}

	@Test
	void aJobChoosesItsOwnExportLayout() throws Exception {
		this.workspace.file("input/items.jsonl", "{\"id\": \"a\", \"title\": \"A\", \"text\": \"x\"}\n");
		this.workspace.file("templates/brief.md.ftl", """
				<#macro header run># ${run.job}
				</#macro>
				<#macro item c>- ${c.id}: ${c.status}, ${c.turns?size} turns
				</#macro>
				<#macro footer run></#macro>
				""");
		this.workspace.file("jobs/brief.yaml", """
				input: { format: jsonl, path: input/items.jsonl, id: id }
				model: { name: ai/tiny, max_tokens: 4 }
				steps: [ { name: a, prompt: "Hi ${title}" } ]
				export: [markdown]
				layouts: { markdown: brief.md.ftl }
				""");
		assertThat(dmr("job=brief").exitCode()).isZero();
		assertThat(this.workspace.read("output/brief/run-1/results.md")).isEqualTo("# brief\n- a: ok, 2 turns\n");

		Files.delete(this.workspace.path("output/brief/run-1/results.md"));
		assertThat(Dmr.run(this.workspace, null, "job=export", "run=1", "export=markdown").exitCode()).isZero();
		assertThat(this.workspace.read("output/brief/run-1/results.md")).isEqualTo("# brief\n- a: ok, 2 turns\n");

		this.workspace.file("jobs/broken.yaml", """
				steps: [ { name: a, prompt: x } ]
				layouts: { markdown: nope.ftl, pdf: x.ftl }
				""");
		Dmr.Result broken = dmr("job=broken");
		assertThat(broken.exitCode()).isEqualTo(2);
		assertThat(broken.err()).contains("layouts.markdown: template nope.ftl not found in templates/")
			.contains("layouts.pdf: only markdown and text exports have layouts");
	}

	@Test
	void unknownModelIsRefusedBeforeAnythingIsSentAndTheRunnersModelsAreNamed() {
		this.workspace.file("input/articles.csv", csv(3));
		Dmr.Result result = dmr("job=twostep", "model=ai/nope");
		assertThat(result.exitCode()).isEqualTo(2);
		assertThat(result.err()).contains("error: model 'ai/nope' is not available; the runner has: ")
			.contains("ai/tiny, ai/tiny-embed, ai/tiny-vision, ai/tiny2")
			.contains("docker model pull ai/nope")
			.doesNotContain("Exception");
		assertThat(this.workspace.path("output/twostep")).doesNotExist();
	}

}
