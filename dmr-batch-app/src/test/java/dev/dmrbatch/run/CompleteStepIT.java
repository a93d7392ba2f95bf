package dev.dmrbatch.run;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * A step {@code type: complete} sends its rendered prompt, raw, to the legacy {@code /completions} endpoint; the
 * text that follows is the step's answer, seen by later steps and exported; it does not join the conversation.
 */
@ExtendWith(WorkspaceExtension.class)
class CompleteStepIT {

	private static final JsonMapper JSON = JsonMapper.shared();

	// HTTP/1.1: llama-server's router drops some h2c upgrade requests unanswered
	private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	Workspace workspace;

	@Test
	@SuppressWarnings("unchecked")
	void aCompleteStepSendsItsRawPromptToCompletions() throws Exception {
		this.workspace.file("input/items.jsonl", "{\"id\": \"a\", \"text\": \"Once upon a time\"}\n");
		this.workspace.file("jobs/raw.yaml", """
				input: { path: input/items.jsonl }
				model: { name: ai/tiny, max_tokens: 6, temperature: 0, seed: 7 }
				steps:
				  - { name: story, type: complete, prompt: "${text}" }
				  - { name: chat, prompt: "Item ${record.id}: go on from ${steps.story}" }
				export: [jsonl, csv]
				""");
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			Dmr.Result result = this.workspace.dmrAt(proxy.baseUrl(), "job=raw");
			assertThat(result.exitCode()).as(result.toString()).isZero();
			assertThat(proxy.received()).map(FaultProxy.Received::path)
				.filteredOn((path) -> path.contains("completions"))
				.containsExactly("/v1/completions", "/v1/chat/completions");
			// the chat request holds the chat step alone: the raw prompt is not a turn of the conversation
			Map<String, Object> chat = JSON.readValue(proxy.chatBodies().get(0), Map.class);
			assertThat((List<Map<String, Object>>) chat.get("messages")).hasSize(1);
		}
		Map<String, Object> line = JSON.readValue(this.workspace.read("output/raw/run-1/results.jsonl").strip(),
				Map.class);
		String story = ((Map<String, String>) line.get("steps")).get("story");

		// the same request sent directly answers the same text
		HttpResponse<String> direct = HTTP.send(HttpRequest.newBuilder(URI.create(LocalRunner.baseUrl() + "/completions"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"ai/tiny\", \"prompt\": \"Once upon a time\", "
					+ "\"max_tokens\": 6, \"temperature\": 0, \"seed\": 7}"))
			.build(), HttpResponse.BodyHandlers.ofString());
		Map<String, Object> answer = JSON.readValue(direct.body(), Map.class);
		String text = (String) ((List<Map<String, Object>>) answer.get("choices")).get(0).get("text");
		assertThat(story).isNotEmpty().isEqualTo(text);
		List<Map<String, Object>> calls = (List<Map<String, Object>>) line.get("calls");
		assertThat(calls.get(0)).containsEntry("step", "story").containsEntry("completion_tokens", 6);
		assertThat((List<Map<String, Object>>) line.get("messages")).extracting((m) -> m.get("content"))
			.contains("Once upon a time", story);
	}

	@Test
	void aCompletionWithoutItsTextFailsTheItemNotTheRun() throws Exception {
		this.workspace.file("input/items.jsonl", "{\"id\": \"a\", \"text\": \"Once\"}\n{\"id\": \"b\", \"text\": \"Twice\"}\n");
		this.workspace.file("jobs/raw.yaml", """
				input: { path: input/items.jsonl }
				model: { name: ai/tiny, max_tokens: 6, temperature: 0 }
				steps:
				  - { name: story, type: complete, prompt: "${text}" }
				""");
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			// a 200 whose choice has no text, as a runner that is not quite OpenAI-compatible may send
			proxy.answer("/completions", new FaultProxy.Status(200, "{\"id\": \"c\", \"object\": \"text_completion\", "
					+ "\"created\": 1, \"model\": \"ai/tiny\", \"choices\": [{\"index\": 0, \"finish_reason\": \"stop\"}]}"));
			Dmr.Result result = this.workspace.dmrAt(proxy.baseUrl(), "job=raw");

			// then: both items recorded as failed, naming the model and the runner; the run finished (exit 3)
			assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
			assertThat(result.all()).contains("2 failed").contains("not OpenAI-compatible").doesNotContain("\tat ");
		}
	}

	@Test
	@SuppressWarnings("unchecked")
	void aCompleteStepsTextIsCheckedAsAChatStepsAnswerIs() throws Exception {
		// given: the text the completions endpoint answers the prompt with
		HttpResponse<String> direct = HTTP.send(HttpRequest.newBuilder(URI.create(LocalRunner.baseUrl() + "/completions"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"ai/tiny\", \"prompt\": \"Once upon a time\", "
					+ "\"max_tokens\": 6, \"temperature\": 0, \"seed\": 7}"))
			.build(), HttpResponse.BodyHandlers.ofString());
		Map<String, Object> answer = JSON.readValue(direct.body(), Map.class);
		String text = (String) ((List<Map<String, Object>>) answer.get("choices")).get(0).get("text");
		assertThat(text).isNotEmpty();
		this.workspace.file("input/items.jsonl", "{\"id\": \"a\", \"text\": \"Once upon a time\"}\n");
		this.workspace.file("jobs/checked.yaml", """
				input: { path: input/items.jsonl }
				model: { name: ai/tiny, max_tokens: 6, temperature: 0, seed: 7 }
				steps:
				  - name: story
				    type: complete
				    prompt: "${text}"
				    checks:
				      - { name: same, type: equals, value: %s }
				      - { name: prompt, type: contains, value: "Once upon a time" }
				export: [jsonl]
				""".formatted(JSON.writeValueAsString(text)));

		// when
		Dmr.Result result = this.workspace.dmrAt(LocalRunner.baseUrl(), "job=checked");

		// then: the check sees the text that follows the prompt, not the prompt
		assertThat(result.exitCode()).as(result.toString()).isZero();
		Map<String, Object> line = JSON.readValue(this.workspace.read("output/checked/run-1/results.jsonl").strip(),
				Map.class);
		Map<String, Map<String, Object>> checks = (Map<String, Map<String, Object>>) line.get("checks");
		assertThat(checks.get("story.same")).as(line.toString()).containsEntry("pass", true);
		assertThat(checks.get("story.prompt")).as(line.toString()).containsEntry("pass", false);
	}

}
