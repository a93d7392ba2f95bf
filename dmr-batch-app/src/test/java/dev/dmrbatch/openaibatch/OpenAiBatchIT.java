package dev.dmrbatch.openaibatch;

import java.nio.file.Files;
import java.util.ArrayList;
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

/** The built-in openai-batch job against the real local runner: OpenAI's request file in, its two result files out. */
@ExtendWith(WorkspaceExtension.class)
class OpenAiBatchIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	Workspace workspace;

	private static String chat(String id, String model) {
		return "{\"custom_id\": \"" + id + "\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\", \"body\": "
				+ "{\"model\": \"" + model + "\", \"max_tokens\": 5, \"messages\": [{\"role\": \"user\", \"content\": "
				+ "\"Item " + id + ": hello\"}]}}";
	}

	@SuppressWarnings("unchecked")
	private List<Map<String, Object>> lines(String file) throws Exception {
		List<Map<String, Object>> lines = new ArrayList<>();
		for (String line : Files.readAllLines(this.workspace.path(file))) {
			if (!line.isBlank()) {
				lines.add(JSON.readValue(line, Map.class));
			}
		}
		return lines;
	}

	@Test
	@SuppressWarnings("unchecked")
	void everyCustomIdEndsInExactlyOneOfTheTwoFilesInOpenAisFormats() throws Exception {
		this.workspace.file("input/requests.jsonl", String.join("\n", chat("a", "ai/tiny"),
				"{\"custom_id\": \"b\", \"method\": \"POST\", \"url\": \"/v1/completions\", \"body\": "
						+ "{\"model\": \"ai/tiny\", \"prompt\": \"Hi\", \"max_tokens\": 4}}",
				"{\"custom_id\": \"c\", \"method\": \"POST\", \"url\": \"/v1/chat/com",
				"{\"custom_id\": \"d\", \"method\": \"POST\", \"url\": \"/v1/responses\", \"body\": {\"model\": \"ai/tiny\"}}",
				"",
				"{\"custom_id\": \"e\", \"method\": \"POST\", \"url\": \"/v1/embeddings\", \"body\": "
						+ "{\"model\": \"ai/tiny\", \"input\": \"hi\"}}",
				chat("f", "ai/nope"), chat("g", "ai/tiny2")) + "\n");
		Dmr.Result result = this.workspace.dmr("job=openai-batch",
				"input=input/requests.jsonl", "output=out");
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
		assertThat(result.out()).contains("exports: ").contains("output.jsonl").contains("errors.jsonl");

		List<Map<String, Object>> output = lines("out/output.jsonl");
		List<Map<String, Object>> errors = lines("out/errors.jsonl");
		assertThat(output).extracting((o) -> o.get("custom_id")).containsExactly("a", "b", "g");
		assertThat(errors).extracting((o) -> o.get("custom_id")).containsExactly("c", "d", "e", "f");
		for (Map<String, Object> line : output) {
			assertThat(line).containsOnlyKeys("id", "custom_id", "response", "error").containsEntry("error", null);
			Map<String, Object> response = (Map<String, Object>) line.get("response");
			assertThat(response).containsEntry("status_code", 200).containsKey("request_id");
			assertThat((Map<String, Object>) response.get("body")).containsKey("usage");
		}
		assertThat((String) output.get(0).get("id")).startsWith("batch_req_");
		assertThat(((Map<String, Object>) ((Map<String, Object>) output.get(2).get("response")).get("body")))
			.containsEntry("model", "ai/tiny2");
		Map<String, Map<String, Object>> byId = new java.util.HashMap<>();
		errors.forEach((e) -> byId.put((String) e.get("custom_id"), e));
		assertThat(byId.get("c")).containsEntry("response", null);
		assertThat((Map<String, Object>) byId.get("c").get("error")).containsEntry("code", "invalid_json");
		assertThat((String) ((Map<String, Object>) byId.get("c").get("error")).get("message")).startsWith("line 3 ");
		assertThat((Map<String, Object>) byId.get("d").get("error")).containsEntry("code", "invalid_url");
		// the runner's own answers to e and f are kept with their status
		for (String id : List.of("e", "f")) {
			Map<String, Object> response = (Map<String, Object>) byId.get(id).get("response");
			assertThat(((Number) response.get("status_code")).intValue()).as(id).isBetween(400, 599);
			assertThat(((Map<String, Object>) byId.get(id).get("error")).get("message")).as(id).isNotNull();
		}

		// a second command finds the run complete and sends nothing
		Dmr.Result again = this.workspace.dmr("job=openai-batch",
				"input=input/requests.jsonl", "output=out");
		assertThat(again.exitCode()).isZero();
		assertThat(again.out()).contains("already complete");
	}

	@Test
	void aFileWithACustomIdTwiceIsRefusedBeforeAnythingIsSent() throws Exception {
		this.workspace.file("input/dup.jsonl", String.join("\n", chat("x", "ai/tiny"), chat("y", "ai/tiny"),
				chat("x", "ai/tiny")) + "\n");
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			Dmr.Result result = Dmr.run(this.workspace, proxy.baseUrl(), "job=openai-batch", "input=input/dup.jsonl");
			assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
			assertThat(result.err()).contains("custom_id \"x\" is on line 1 and line 3").doesNotContain("\tat ");
			assertThat(proxy.chatRequests()).isZero();
		}
	}

	@Test
	@SuppressWarnings("unchecked")
	void aLineStartingWithHashIsARequestLineAndEveryLineKeepsItsNumber() throws Exception {
		this.workspace.file("input/hash.jsonl", String.join("\n", chat("a", "ai/tiny"), "#" + chat("h", "ai/tiny"),
				"{\"custom_id\": \"c\", \"method\": \"POST\", \"url\": \"/v1/chat/com", chat("d", "ai/tiny")) + "\n");
		Dmr.Result result = this.workspace.dmr("job=openai-batch",
				"input=input/hash.jsonl", "output=out");
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
		assertThat(lines("out/output.jsonl")).extracting((o) -> o.get("custom_id")).containsExactly("a", "d");
		List<Map<String, Object>> errors = lines("out/errors.jsonl");
		assertThat(errors).extracting((e) -> ((Map<String, Object>) e.get("error")).get("message"))
			.satisfiesExactly((m) -> assertThat((String) m).startsWith("line 2 is not valid JSON"),
					(m) -> assertThat((String) m).startsWith("line 3 is not valid JSON"));
	}

}
