package dev.dmrbatch.run;

import java.util.List;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.FaultProxy;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code dry-run}: the input read, every prompt that can be rendered before an answer exists rendered, each request
 * written to {@code prompts.jsonl} as the model client would send it and its prompt counted by the runner's
 * {@code /tokenize}, through the real runner behind a counting proxy; no model request sent, no run left behind.
 */
@ExtendWith(WorkspaceExtension.class)
class DryRunIT {

	private static final JsonMapper JSON = JsonMapper.shared();

	Workspace workspace;

	FaultProxy proxy;

	@BeforeEach
	void setUp() throws Exception {
		this.proxy = new FaultProxy(LocalRunner.baseUrl());
		StringBuilder csv = new StringBuilder("id,text\n");
		for (int i = 1; i <= 5; i++) {
			csv.append("t").append(i).append(",text ").append(i).append('\n');
		}
		this.workspace.file("input/items.csv", csv.toString())
			.file("templates/ask.ftl", "Item ${record.id}: ${text}")
			.file("jobs/items.yaml", """
					input: { format: csv, path: input/items.csv, id: id }
					models: [ai/tiny, ai/tiny2]
					model: { max_tokens: 4, temperature: 0 }
					system: "Answer briefly."
					steps:
					  - name: answer
					    template: ask.ftl
					  - name: again
					    prompt: "Item ${record.id}: and then? ${steps.answer}"
					  - name: raw
					    type: complete
					    prompt: "Item ${record.id} raw: ${text}"
					""");
	}

	@AfterEach
	void tearDown() {
		this.proxy.close();
	}

	@Test
	void aDryRunSendsNoModelRequestWritesEveryRenderableRequestAsSentAndLeavesNoRun() {
		// when
		Dmr.Result dry = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "dry-run");

		// then: 5 items x 2 models x the 2 steps that need no earlier answer; the third waits on "answer"'s
		assertThat(dry.exitCode()).as(dry.toString()).isZero();
		assertThat(this.proxy.chatRequests()).isZero();
		assertThat(this.proxy.received()).noneMatch((seen) -> seen.path().endsWith("/completions"));
		assertThat(this.proxy.received()).anyMatch((seen) -> seen.path().equals("/tokenize"));
		List<String> lines = this.workspace.read("output/items/dry-run/prompts.jsonl").lines().toList();
		assertThat(lines).hasSize(5 * 2 * 2);
		assertThat(dry.out()).contains("dry run of items: 5 items, 20 requests")
			.contains("prompt tokens (counted by the runner's /tokenize)")
			.contains("step again uses an earlier step's answer: its requests cannot be rendered before it exists")
			.contains("nothing was sent")
			.contains("prompts.jsonl");
		JsonNode first = JSON.readTree(lines.get(0));
		assertThat(first.path("item").asString()).isEqualTo("t1");
		assertThat(first.path("model").asString()).isEqualTo("ai/tiny");
		assertThat(first.path("step").asString()).isEqualTo("answer");
		assertThat(first.path("endpoint").asString()).isEqualTo("/chat/completions");
		assertThat(JSON.readTree(lines.get(1)).path("step").asString()).isEqualTo("raw");
		assertThat(JSON.readTree(lines.get(1)).path("endpoint").asString()).isEqualTo("/completions");
		long tokens = first.path("prompt_tokens").asLong();
		assertThat(tokens).isPositive();
		// no run in the store
		Dmr.Result runs = Dmr.run(this.workspace, this.proxy.baseUrl(), "runs", "job=items");
		assertThat(runs.out()).as(runs.toString()).contains("no runs of items yet");

		// when: the real run, afterwards
		Dmr.Result real = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items");

		// then: unaffected, and its first request is the dry run's line, byte for byte, of as many tokens
		assertThat(real.exitCode()).as(real.toString()).isZero();
		assertThat(real.out()).contains("COMPLETED: 10 items").doesNotContain("resum");
		String sent = this.proxy.chatBodies().stream()
			.filter((body) -> body.contains("\"model\":\"ai/tiny\"") && body.contains("Item t1: text 1")
					&& !body.contains("and then?"))
			.findFirst()
			.orElseThrow();
		assertThat(body(lines.get(0))).isEqualTo(sent);
		JsonNode result = this.workspace.read("output/items/run-1/results.jsonl").lines().map(JSON::readTree)
			.filter((line) -> line.path("id").asString().equals("t1") && line.path("model").asString().equals("ai/tiny"))
			.findFirst()
			.orElseThrow();
		JsonNode call = result.path("calls").get(0);
		assertThat(call.toString()).contains("\"step\":\"answer\"");
		assertThat(call.path("prompt_tokens").asLong()).as(call.toString()).isEqualTo(tokens);

		// a dry run of the run now complete: the same command would send nothing, and says so
		Dmr.Result after = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "dry-run=true");
		assertThat(after.exitCode()).as(after.toString()).isZero();
		assertThat(after.out()).contains("run 1 of items is already complete: the same command without dry-run sends "
				+ "nothing");
	}

	@Test
	void aStreamedStepThatAsksForJsonIsWrittenAsSentAndARunnerWithoutTokenizeGetsAnEstimateSaidAsSuch() {
		// given: the runner's tokenize not reachable, as through Docker Model Runner
		this.proxy.answer("/tokenize", new FaultProxy.Status(404, ""));
		this.workspace.file("jobs/items.yaml", """
				input: { format: csv, path: input/items.csv, id: id }
				model: { name: ai/tiny, max_tokens: 8, temperature: 0, seed: 3 }
				steps:
				  - name: answer
				    template: ask.ftl
				    stream: true
				    response_format: json_schema
				    schema: { type: object, properties: { word: { type: string } }, required: [word] }
				""");

		// when
		Dmr.Result dry = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "dry-run", "run=streamed");

		// then
		assertThat(dry.exitCode()).as(dry.toString()).isZero();
		assertThat(dry.out()).contains("dry run of items: 5 items, 5 requests")
			.contains("(estimated as characters / 4: the runner does not count them)");
		List<String> lines = this.workspace.read("output/items/streamed/prompts.jsonl").lines().toList();
		assertThat(lines).hasSize(5).allMatch((line) -> line.contains("\"estimated\":true"));
		assertThat(JSON.readTree(lines.get(0)).path("prompt_tokens").asLong()).isEqualTo(("Item t1: text 1".length() + 3) / 4);
		assertThat(this.proxy.chatRequests()).isZero();

		// when: the real run
		Dmr.Result real = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "run=streamed");

		// then: each body the dry run wrote is one the run sent, "stream": true and the schema as sent
		assertThat(real.exitCode()).as(real.toString()).isIn(0, 3);
		assertThat(body(lines.get(0))).contains("\"stream\":true", "\"json_schema\"");
		// (an answer that breaks the schema is asked for again with the same body)
		assertThat(lines.stream().map(DryRunIT::body).toList())
			.containsExactlyInAnyOrderElementsOf(this.proxy.chatBodies().stream().distinct().toList());
	}

	@Test
	void aDryRunWithAFieldTheInputLacksStopsNamingItAndAsARunWouldWithABadTemplate() {
		// given
		this.workspace.file("templates/ask.ftl", "Item ${record.id}: ${txet}");

		// when
		Dmr.Result dry = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "dry-run");

		// then
		assertThat(dry.exitCode()).as(dry.toString()).isEqualTo(2);
		assertThat(dry.err()).contains("variable 'txet' is missing in template ask.ftl line 1")
			.contains("record 1 (t1)")
			.doesNotContain("Exception")
			.doesNotContain("\tat ");
		assertThat(this.proxy.chatRequests()).isZero();
		assertThat(this.workspace.path("output/items/dry-run/prompts.jsonl")).doesNotExist();

		// given: a template that does not parse, which a run refuses the same way
		this.workspace.file("templates/ask.ftl", "Item ${record.id}: <#if>");
		Dmr.Result run = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items");
		Dmr.Result broken = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "dry-run");
		assertThat(broken.exitCode()).isEqualTo(2).isEqualTo(run.exitCode());
		assertThat(broken.err()).contains("ask.ftl").isEqualTo(run.err());
		assertThat(this.proxy.chatRequests()).isZero();
		Dmr.Result runs = Dmr.run(this.workspace, this.proxy.baseUrl(), "runs", "job=items");
		assertThat(runs.out()).as(runs.toString()).contains("no runs of items yet");
	}

	@Test
	void aDryRunOfARunThatFailedShowsWhatResumingItWouldSendWithoutTheItemsItStored() {
		// given: a run whose runner stops answering after a chunk of four requests
		this.workspace.file("jobs/items.yaml", """
				input: { format: csv, path: input/items.csv, id: id }
				model: { name: ai/tiny, max_tokens: 4, temperature: 0 }
				concurrency: 1
				retry: { attempts: 1 }
				steps:
				  - name: answer
				    template: ask.ftl
				""");
		this.proxy.faults((n) -> (n > 4) ? new FaultProxy.Drop() : FaultProxy.FORWARD);
		Dmr.Result failed = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items");
		assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(5);
		int sent = this.proxy.chatRequests();

		// when
		Dmr.Result dry = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "dry-run");

		// then: into the run's own folder, the items it has not stored
		assertThat(dry.exitCode()).as(dry.toString()).isZero();
		assertThat(this.proxy.chatRequests()).isEqualTo(sent);
		List<String> lines = this.workspace.read("output/items/run-1/prompts.jsonl").lines().toList();
		java.util.regex.Matcher stored = java.util.regex.Pattern.compile("run 1 goes on: (\\d+) items it stored are "
				+ "not sent again").matcher(dry.out());
		assertThat(stored.find()).as(dry.out()).isTrue();
		assertThat(Integer.parseInt(stored.group(1))).isPositive();
		assertThat(lines.size() + Integer.parseInt(stored.group(1))).isEqualTo(5);
		assertThat(dry.out()).contains("dry run of items: " + lines.size() + " items");
		assertThat(JSON.readTree(lines.get(lines.size() - 1)).path("item").asString()).isEqualTo("t5");
	}

	/** A line's request body, as written: the last field, byte for byte. */
	private static String body(String line) {
		return line.substring(line.indexOf(",\"body\":") + ",\"body\":".length(), line.length() - 1);
	}

}
