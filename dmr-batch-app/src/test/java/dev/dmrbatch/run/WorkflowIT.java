package dev.dmrbatch.run;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.FaultProxy;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Structured output, steps as a workflow and several models side by side, against the real local runner, which
 * constrains JSON answers with a grammar built from the schema (llama.cpp's json-schema-to-grammar).
 */
@ExtendWith(WorkspaceExtension.class)
class WorkflowIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** A schema the runner's grammar can hold a tiny model to within a few dozen tokens. */
	private static final String SCHEMA = """
			{ "type": "object",
			  "properties": {
			    "name": { "type": "string", "pattern": "^[a-z]{1,8}$" },
			    "total": { "type": "integer", "minimum": 0, "maximum": 999 } },
			  "required": ["name", "total"], "additionalProperties": false }
			""";

	Workspace workspace;

	@BeforeEach
	void setUp() {
		StringBuilder csv = new StringBuilder("id,lang,text\n");
		for (int i = 1; i <= 6; i++) {
			csv.append("r").append(i).append(',').append((i % 2 == 0) ? "de" : "en").append(",Invoice ").append(i)
				.append(" for ").append(i * 10).append(" EUR\n");
		}
		this.workspace.file("input/items.csv", csv.toString());
		this.workspace.file("schemas/invoice.json", SCHEMA);
	}

	@Test
	@SuppressWarnings("unchecked")
	void schemaValidAnswersAreParsedIntoTheExportsAndLaterSteps() throws Exception {
		this.workspace.file("jobs/extract.yaml", """
				name: extract
				input: { format: csv, path: input/items.csv, id: id }
				model: { name: ai/tiny, max_tokens: 80, temperature: 0.8 }
				steps:
				  - name: extract
				    prompt: "Extract name and total as JSON: ${text}"
				    response_format: json_schema
				    schema_file: schemas/invoice.json
				  - name: check
				    prompt: "Is ${steps.extract.json.total} right for ${steps.extract.json.name}?"
				    max_tokens: 4
				export: [jsonl, json, csv, markdown]
				""");
		Dmr.Result result = this.workspace.dmr("job=extract", "output=out");
		assertThat(result.exitCode()).as(result.toString()).isZero();

		List<Map<String, Object>> items = this.workspace.results("out");
		assertThat(items).hasSize(6);
		List<String> csv = Files.readAllLines(this.workspace.path("out/results.csv"), StandardCharsets.UTF_8);
		assertThat(csv.get(0)).isEqualTo("\uFEFFid,status,error,model,extract,extract.name,extract.total,check,"
				+ "prompt_tokens,completion_tokens,runner");
		for (int i = 0; i < items.size(); i++) {
			Map<String, Object> item = items.get(i);
			Map<String, Object> extracted = (Map<String, Object>) ((Map<String, Object>) item.get("json"))
				.get("extract");
			assertThat(extracted).containsOnlyKeys("name", "total");
			assertThat((String) extracted.get("name")).matches("[a-z]{1,8}");
			// the parsed object is the answer's text, parsed
			String text = ((Map<String, String>) item.get("steps")).get("extract");
			assertThat(JSON.readValue(text, Map.class)).isEqualTo(extracted);
			// the next step saw the parsed fields
			List<Map<String, String>> messages = (List<Map<String, String>>) item.get("messages");
			assertThat(messages.get(2).get("content"))
				.isEqualTo("Is " + extracted.get("total") + " right for " + extracted.get("name") + "?");
			// and the CSV has them as columns (names are letters only: no quoting)
			assertThat(csv.get(i + 1)).contains("," + extracted.get("name") + "," + extracted.get("total") + ",");
		}
		Map<String, Object> json = JSON.readValue(this.workspace.path("out/results.json").toFile(), Map.class);
		List<Map<String, Object>> jsonItems = (List<Map<String, Object>>) json.get("items");
		assertThat(((Map<String, Object>) jsonItems.get(0).get("json")).get("extract"))
			.isEqualTo(((Map<String, Object>) items.get(0).get("json")).get("extract"));
	}

	@Test
	@SuppressWarnings("unchecked")
	void anAnswerThatDoesNotValidateIsAskedForAgainThenFailsTheItemWithTheReason() throws Exception {
		// the grammar cannot express maxProperties, so the runner's answers have two properties and never validate
		this.workspace.file("jobs/strict.yaml", """
				name: strict
				input: { format: csv, path: input/items.csv, id: id }
				model: { name: ai/tiny, max_tokens: 80 }
				steps:
				  - name: extract
				    prompt: "Item ${record.id}: ${text}"
				    response_format: json_schema
				    json_retries: 1
				    schema:
				      type: object
				      properties:
				        name: { type: string, pattern: "^[a-z]{1,8}$" }
				        total: { type: integer, minimum: 0, maximum: 999 }
				      required: [name, total]
				      additionalProperties: false
				      maxProperties: 1
				  - name: never
				    prompt: "not reached"
				export: [jsonl]
				""");
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			Dmr.Result result = Dmr.run(this.workspace, proxy.baseUrl(), "job=strict", "output=out");
			assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
			// each item asked twice (json_retries 1), never for the step after
			assertThat(proxy.forwarded()).isEqualTo(12);
		}
		List<Map<String, Object>> items = this.workspace.results("out");
		assertThat(items).hasSize(6).allSatisfy((item) -> {
			assertThat(item.get("status")).isEqualTo("failed");
			assertThat((String) item.get("error")).startsWith("step extract: the answer does not match the schema: ")
				.contains("(after 2 answers)");
			List<Map<String, Object>> calls = (List<Map<String, Object>>) item.get("calls");
			assertThat(calls).hasSize(2).allSatisfy((call) -> assertThat((String) call.get("error")).isNotBlank());
		});

		// cut short by max_tokens: not JSON at all (the smallest valid answer takes about 22 tokens of the tiny model;
		// a plain json object could be "{}" in 3)
		this.workspace.file("jobs/short.yaml", """
				name: short
				input: { format: csv, path: input/items.csv, id: id }
				model: { name: ai/tiny, max_tokens: 4 }
				steps:
				  - name: extract
				    prompt: "${text}"
				    response_format: json_schema
				    schema_file: schemas/invoice.json
				    json_retries: 0
				export: [jsonl]
				""");
		Dmr.Result result = this.workspace.dmr("job=short", "output=short");
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
		assertThat(this.workspace.results("short")).allSatisfy((item) -> assertThat((String) item.get("error"))
			.startsWith("step extract: the answer is not valid JSON: "));
	}

	@Test
	@SuppressWarnings("unchecked")
	void whenSkipsStepsAStepUsesItsOwnModelAndANewConversationStartsFresh() throws Exception {
		this.workspace.file("templates/fragments.ftl", """
				<#macro tag id>[Item ${id}:]</#macro>
				""");
		this.workspace.file("templates/lang.ftl", """
				<#import "fragments.ftl" as f><@f.tag record.id/> Which language is "${text}"?""");
		this.workspace.file("jobs/flow.yaml", """
				name: flow
				input: { format: csv, path: input/items.csv, id: id }
				model: { name: ai/tiny, max_tokens: 6 }
				system: Be brief.
				steps:
				  - name: detect
				    template: lang.ftl
				  - name: translate
				    when: item.lang != "en"
				    model: ai/tiny2
				    max_tokens: 5
				    prompt: "Item ${record.id}: translate to English: ${text}"
				  - name: fresh
				    conversation: new
				    prompt: "Item ${record.id}: was it skipped? ${steps.translate.skipped?c}"
				export: [jsonl]
				""");
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			Dmr.Result result = Dmr.run(this.workspace, proxy.baseUrl(), "job=flow", "output=out");
			assertThat(result.exitCode()).as(result.toString()).isZero();
			// 6 detect + 3 translate (the "de" items) + 6 fresh
			assertThat(proxy.forwarded()).isEqualTo(15);
			List<Map<String, Object>> bodies = proxy.chatBodies()
				.stream()
				.map((body) -> (Map<String, Object>) JSON.readValue(body, Map.class))
				.toList();
			for (Map<String, Object> body : bodies) {
				List<Map<String, String>> messages = (List<Map<String, String>>) body.get("messages");
				String last = messages.get(messages.size() - 1).get("content");
				if (last.contains("translate to English")) {
					assertThat(body).containsEntry("model", "ai/tiny2").containsEntry("max_tokens", 5);
					assertThat(messages).hasSize(4); // system, detect's exchange, this prompt
				}
				else if (last.contains("was it skipped")) {
					assertThat(body).containsEntry("model", "ai/tiny");
					// a new conversation: the system prompt and this step only
					assertThat(messages).extracting((m) -> m.get("role")).containsExactly("system", "user");
				}
				else {
					assertThat(last).startsWith("[Item r").endsWith("?");
				}
			}
		}
		for (Map<String, Object> item : this.workspace.results("out")) {
			boolean english = Integer.parseInt(((String) item.get("id")).substring(1)) % 2 == 1;
			List<Map<String, Object>> calls = (List<Map<String, Object>>) item.get("calls");
			assertThat(calls).extracting((c) -> c.get("step")).containsExactly("detect", "translate", "fresh");
			if (english) {
				assertThat((List<String>) item.get("skipped")).containsExactly("translate");
				assertThat(calls.get(1)).containsEntry("skipped", true);
			}
			else {
				assertThat(item).doesNotContainKey("skipped");
				// the runner says which model answered: the step's own
				assertThat(calls.get(1)).containsEntry("model", "ai/tiny2");
			}
			List<Map<String, String>> messages = (List<Map<String, String>>) item.get("messages");
			assertThat(messages.get(messages.size() - 2).get("content")).endsWith("skipped? " + english);
		}
	}

	@Test
	@SuppressWarnings("unchecked")
	void everyItemGoesThroughEachModelAndTheExportsPutThemSideBySide() throws Exception {
		this.workspace.file("jobs/side-by-side.yaml", """
				name: side-by-side
				input: { format: csv, path: input/items.csv, id: id }
				models: [ai/tiny, ai/tiny2]
				model: { max_tokens: 6, temperature: 0 }
				steps:
				  - name: answer
				    prompt: "Item ${record.id}: ${text}"
				export: [jsonl, json, csv, markdown]
				""");
		Dmr.Result result = this.workspace.dmr("job=side-by-side", "output=out");
		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.out()).contains("  model ai/tiny: 6 ok, 0 failed").contains("  model ai/tiny2: 6 ok, 0 failed");

		List<Map<String, Object>> items = this.workspace.results("out");
		assertThat(items).hasSize(12);
		for (int i = 0; i < 6; i++) {
			assertThat(items.get(2 * i)).containsEntry("id", "r" + (i + 1)).containsEntry("model", "ai/tiny");
			assertThat(items.get(2 * i + 1)).containsEntry("id", "r" + (i + 1)).containsEntry("model", "ai/tiny2");
		}
		List<String> csv = Files.readAllLines(this.workspace.path("out/results.csv"));
		assertThat(csv).hasSize(13);
		assertThat(csv.get(1)).startsWith("r1,ok,,ai/tiny,");
		assertThat(csv.get(2)).startsWith("r1,ok,,ai/tiny2,");
		String markdown = this.workspace.read("out/results.md");
		assertThat(markdown).containsOnlyOnce("## r1\n").contains("### ai/tiny\n").contains("### ai/tiny2\n")
			.contains("| ai/tiny2 | 6 | 6 | 0 |");
		Map<String, Object> json = JSON.readValue(this.workspace.path("out/results.json").toFile(), Map.class);
		List<Map<String, Object>> models = (List<Map<String, Object>>) ((Map<String, Object>) json.get("run"))
			.get("models");
		assertThat(models).extracting((m) -> m.get("model")).containsExactly("ai/tiny", "ai/tiny2");
		assertThat(models).allSatisfy((m) -> assertThat(m).containsEntry("items", 6).containsEntry("failed", 0));

		// model= on the command line names the models too, and makes another run
		Dmr.Result again = this.workspace.dmr("job=side-by-side", "model=ai/tiny2,ai/tiny",
				"output=again");
		assertThat(again.exitCode()).as(again.toString()).isZero();
		assertThat(this.workspace.results("again")).hasSize(12).extracting((item) -> item.get("id") + " " + item.get("model"))
			.contains("r6 ai/tiny", "r6 ai/tiny2");
		Dmr.Result one = this.workspace.dmr("job=side-by-side", "model=ai/tiny2",
				"output=one");
		assertThat(one.exitCode()).as(one.toString()).isZero();
		assertThat(this.workspace.results("one")).hasSize(6).extracting((item) -> item.get("model")).containsOnly("ai/tiny2");
	}

	@Test
	@SuppressWarnings("unchecked")
	void aStreamedAnswerIsStoredAsTheSameAnswerWithItsTimeToFirstToken() throws Exception {
		this.workspace.file("jobs/plain.yaml", """
				name: plain
				input: { format: csv, path: input/items.csv, id: id }
				model: { name: ai/tiny, max_tokens: 12, temperature: 0, seed: 7 }
				steps:
				  - name: answer
				    prompt: "${text}"
				export: [jsonl]
				""");
		this.workspace.file("jobs/streamed.yaml", this.workspace.read("jobs/plain.yaml")
			.replace("name: plain", "name: streamed")
			.replace("seed: 7 }", "seed: 7, stream: true }"));
		assertThat(this.workspace.dmr("job=plain", "output=plain").exitCode()).isZero();
		assertThat(this.workspace.dmr("job=streamed", "output=streamed").exitCode())
			.isZero();
		List<Map<String, Object>> plain = this.workspace.results("plain");
		List<Map<String, Object>> streamed = this.workspace.results("streamed");
		for (int i = 0; i < plain.size(); i++) {
			assertThat(streamed.get(i).get("steps")).isEqualTo(plain.get(i).get("steps"));
			assertThat(streamed.get(i).get("usage")).isEqualTo(plain.get(i).get("usage"));
			Map<String, Object> call = ((List<Map<String, Object>>) streamed.get(i).get("calls")).get(0);
			assertThat(((Number) call.get("ttft_ms")).longValue()).isBetween(0L, ((Number) call.get("latency_ms")).longValue());
			assertThat(((List<Map<String, Object>>) plain.get(i).get("calls")).get(0)).doesNotContainKey("ttft_ms");
		}
	}

}
