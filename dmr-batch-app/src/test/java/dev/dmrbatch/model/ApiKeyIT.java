package dev.dmrbatch.model;

import java.util.List;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.FaultProxy;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API key reaches the runner on every path dmr-batch talks to it by (job runs through openai-java, OpenAI Batch
 * files sent as they are, the runner tools, the slot count behind {@code concurrency: auto}), seen by a proxy in
 * front of the real runner, and never reaches the output.
 */
@ExtendWith(WorkspaceExtension.class)
class ApiKeyIT {

	private static final String KEY = "sk-test-4f1e2d";

	Workspace workspace;

	@Test
	void everyRequestToTheRunnerCarriesTheKeyAsABearerToken() throws Exception {
		this.workspace.file("input/items.jsonl", "{\"id\": \"a\", \"text\": \"one\"}\n{\"id\": \"b\", \"text\": \"two\"}\n");
		this.workspace.file("jobs/keyed.yaml", """
				input: { path: input/items.jsonl }
				model: { name: ai/tiny, max_tokens: 4, temperature: 0 }
				steps:
				  - { name: answer, prompt: "Item ${record.id}: ${text}" }
				concurrency: auto
				""");
		this.workspace.file("input/requests.jsonl", String.join("\n",
				"{\"custom_id\": \"c\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\", \"body\": "
						+ "{\"model\": \"ai/tiny\", \"max_tokens\": 4, \"messages\": [{\"role\": \"user\", "
						+ "\"content\": \"Item c: hi\"}]}}",
				"{\"custom_id\": \"e\", \"method\": \"POST\", \"url\": \"/v1/completions\", \"body\": "
						+ "{\"model\": \"ai/tiny\", \"prompt\": \"Hi\", \"max_tokens\": 4}}")
				+ "\n");
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			String key = "--dmr.api-key=" + KEY;
			List<Dmr.Result> results = List.of(this.workspace.dmrAt(proxy.baseUrl(), "job=keyed", key),
					this.workspace.dmrAt(proxy.baseUrl(), "job=openai-batch", "input=input/requests.jsonl",
							"output=batch", key),
					this.workspace.dmrAt(proxy.baseUrl(), "job=models", key));
			for (Dmr.Result result : results) {
				assertThat(result.exitCode()).as(result.toString()).isZero();
				assertThat(result.all()).doesNotContain(KEY);
			}

			List<FaultProxy.Received> received = proxy.received();
			assertThat(received).extracting(FaultProxy.Received::path)
				.contains("/v1/chat/completions", "/v1/completions", "/v1/models", "/props");
			assertThat(received).allSatisfy((request) -> assertThat(request.authorization())
				.as(request.method() + " " + request.path())
				.isEqualTo("Bearer " + KEY));
		}
	}

}
