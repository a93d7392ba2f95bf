package dev.dmrbatch.model;

import java.util.List;
import java.util.Map;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.FaultProxy;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The advanced request fields of job files: {@code logprobs}/{@code top_logprobs} sent and the log probabilities
 * kept with each call and exported, {@code extra:} fields sent as they are (merged key by key from the model block
 * and the step), {@code n} other than 1 refused, and {@code job=probe}'s verdicts on {@code store} and
 * {@code metadata}.
 */
@ExtendWith(WorkspaceExtension.class)
class AdvancedRequestIT {

	private static final JsonMapper JSON = JsonMapper.shared();

	Workspace workspace;

	@Test
	@SuppressWarnings("unchecked")
	void logprobsAndExtraFieldsAreSentAndTheLogprobsKept() throws Exception {
		this.workspace.file("input/items.jsonl", "{\"id\": \"a\", \"text\": \"one\"}\n");
		this.workspace.file("jobs/adv.yaml", """
				input: { path: input/items.jsonl }
				model:
				  name: ai/tiny
				  max_tokens: 3
				  temperature: 0
				  logprobs: true
				  top_logprobs: 2
				  n: 1
				  extra: { store: false, metadata: { team: docs }, top_k: 5 }
				steps:
				  - { name: first, prompt: "Item ${record.id}: ${text}" }
				  - name: second
				    prompt: "Item ${record.id}: again"
				    logprobs: false
				    extra: { top_k: 1, vendor_flag: on }
				export: [jsonl, json]
				""");
		Dmr.Result config = this.workspace.dmr("config", "job=adv");
		assertThat(config.exitCode()).as(config.toString()).isZero();
		assertThat(config.out()).containsPattern("top_logprobs +2 +job file jobs/adv.yaml \\(model.top_logprobs\\)")
			.containsPattern("logprobs +false +job file jobs/adv.yaml \\(steps.second.logprobs\\)")
			.containsPattern("extra +\\{store=false, metadata=\\{team=docs\\}, top_k=1, vendor_flag=on\\} +job file "
					+ "jobs/adv.yaml \\(steps.second.extra\\) over job file jobs/adv.yaml \\(model.extra\\)");
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			Dmr.Result result = this.workspace.dmrAt(proxy.baseUrl(), "job=adv");
			assertThat(result.exitCode()).as(result.toString()).isZero();
			List<String> bodies = proxy.chatBodies();
			assertThat(bodies).hasSize(2);
			Map<String, Object> first = JSON.readValue(bodies.get(0), Map.class);
			assertThat(first).containsEntry("logprobs", true).containsEntry("top_logprobs", 2).containsEntry("n", 1)
				.containsEntry("store", false).containsEntry("metadata", Map.of("team", "docs"))
				.containsEntry("top_k", 5);
			Map<String, Object> second = JSON.readValue(bodies.get(1), Map.class);
			assertThat(second).doesNotContainKey("logprobs").containsEntry("top_k", 1)
				.containsEntry("vendor_flag", "on").containsEntry("metadata", Map.of("team", "docs"));
		}
		Map<String, Object> line = JSON.readValue(this.workspace.read("output/adv/run-1/results.jsonl").strip(),
				Map.class);
		List<Map<String, Object>> calls = (List<Map<String, Object>>) line.get("calls");
		Map<String, Object> logprobs = (Map<String, Object>) calls.get(0).get("logprobs");
		List<Map<String, Object>> tokens = (List<Map<String, Object>>) logprobs.get("content");
		assertThat(tokens).isNotEmpty().allSatisfy((token) -> {
			assertThat(token.get("logprob")).isInstanceOf(Number.class);
			assertThat((List<?>) token.get("top_logprobs")).hasSize(2);
		});
		assertThat(calls.get(1)).doesNotContainKey("logprobs");
		Map<String, Object> json = JSON.readValue(this.workspace.path("output/adv/run-1/results.json").toFile(),
				Map.class);
		Map<String, Object> item = ((List<Map<String, Object>>) json.get("items")).get(0);
		assertThat(((List<Map<String, Object>>) item.get("calls")).get(0).get("logprobs")).isEqualTo(logprobs);

		// the store kept them: exported again from it, they are the same
		Dmr.Result export = this.workspace.dmr("job=export", "run=1", "export=jsonl", "output=again");
		assertThat(export.exitCode()).as(export.toString()).isZero();
		Map<String, Object> again = JSON.readValue(this.workspace.read("again/results.jsonl").strip(), Map.class);
		assertThat(((List<Map<String, Object>>) again.get("calls")).get(0).get("logprobs")).isEqualTo(logprobs);
	}

	@Test
	void severalAnswersAndOwnFieldsInExtraAreRefused() {
		this.workspace.file("input/items.jsonl", "{\"id\": \"a\", \"text\": \"one\"}\n");
		this.workspace.file("jobs/n.yaml", """
				input: { path: input/items.jsonl }
				model: { name: ai/tiny, max_tokens: 3, n: 2 }
				steps:
				  - { name: first, prompt: "${text}", extra: { temperature: 1 } }
				""");
		Dmr.Result result = this.workspace.dmr("job=n");
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
		assertThat(result.err()).contains("model.n must be 1: a conversation goes on from one answer")
			.contains("steps[0].extra.temperature: give it as steps[0].temperature, not in extra")
			.doesNotContain("Exception");
	}

	@Test
	@SuppressWarnings("unchecked")
	void probeSaysWhetherStoreAndMetadataAreHonoured() throws Exception {
		Dmr.Result result = this.workspace.dmr("job=probe", "model=ai/tiny", "output=probe");
		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.out()).contains("store").contains("metadata");
		Map<String, Object> probe = JSON.readValue(this.workspace.path("probe/probe.json").toFile(), Map.class);
		Map<String, Map<String, Object>> results = (Map<String, Map<String, Object>>) probe.get("results");
		// llama-server takes both fields and keeps no completion to read back
		assertThat(results.get("store")).containsEntry("supported", false)
			.containsEntry("detail", "accepted, but not kept: GET /chat/completions/{id} answered 404");
		assertThat(results.get("metadata")).containsEntry("supported", false);
	}

}
