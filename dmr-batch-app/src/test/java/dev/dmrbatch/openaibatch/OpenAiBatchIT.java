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

	/** The local runner's embedding model. */
	private static final String EMBED_MODEL = "ai/tiny-embed";

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

	private static String embed(String id, String model, String input) {
		return "{\"custom_id\": \"" + id + "\", \"method\": \"POST\", \"url\": \"/v1/embeddings\", \"body\": "
				+ "{\"model\": \"" + model + "\", \"input\": " + input + "}}";
	}

	/** The length of the embedding model's vectors, asked of the runner directly. */
	@SuppressWarnings("unchecked")
	private static int dimension() throws Exception {
		java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newBuilder()
			.version(java.net.http.HttpClient.Version.HTTP_1_1)
			.build()
			.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(LocalRunner.baseUrl() + "/embeddings"))
				.header("Content-Type", "application/json")
				.POST(java.net.http.HttpRequest.BodyPublishers
					.ofString("{\"model\": \"" + EMBED_MODEL + "\", \"input\": \"x\"}"))
				.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
		Map<String, Object> answer = JSON.readValue(response.body(), Map.class);
		List<Object> data = (List<Object>) answer.get("data");
		return ((List<Object>) ((Map<String, Object>) data.get(0)).get("embedding")).size();
	}

	@Test
	@SuppressWarnings("unchecked")
	void embeddingLinesAreAnsweredByTheEmbeddingsEndpointBesideChatLinesInInputOrder() throws Exception {
		int dimension = dimension();
		assertThat(dimension).isPositive();
		this.workspace.file("input/mixed.jsonl", String.join("\n", chat("a", "ai/tiny"),
				embed("b", EMBED_MODEL, "\"one text\""), chat("c", "ai/tiny2"),
				embed("d", EMBED_MODEL, "[\"two\", \"texts\"]"), embed("e", "ai/tiny", "\"hi\""),
				chat("f", "ai/tiny")) + "\n");
		Dmr.Result result = this.workspace.dmr("job=openai-batch", "input=input/mixed.jsonl", "output=mixed");
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);

		// then: chat and embedding answers in one file, in input order, each body the endpoint's own answer
		List<Map<String, Object>> output = lines("mixed/output.jsonl");
		assertThat(output).extracting((o) -> o.get("custom_id")).containsExactly("a", "b", "c", "d", "f");
		Map<String, Map<String, Object>> bodies = new java.util.HashMap<>();
		for (Map<String, Object> line : output) {
			Map<String, Object> response = (Map<String, Object>) line.get("response");
			assertThat(response).containsEntry("status_code", 200);
			bodies.put((String) line.get("custom_id"), (Map<String, Object>) response.get("body"));
		}
		assertThat(bodies.get("a")).containsKey("choices").doesNotContainKey("data");
		for (String id : List.of("b", "d")) {
			assertThat(bodies.get(id)).as(id).containsEntry("object", "list")
				.containsEntry("model", EMBED_MODEL).containsKey("usage");
			List<Map<String, Object>> data = (List<Map<String, Object>>) bodies.get(id).get("data");
			assertThat(data).as(id).hasSize(id.equals("b") ? 1 : 2).allSatisfy((vector) -> assertThat(
					(List<Object>) vector.get("embedding")).hasSize(dimension).allMatch(Number.class::isInstance));
		}

		// a chat-only model asked for embeddings fails its own line, naming the model, with the runner's body
		List<Map<String, Object>> errors = lines("mixed/errors.jsonl");
		assertThat(errors).extracting((e) -> e.get("custom_id")).containsExactly("e");
		Map<String, Object> error = (Map<String, Object>) errors.get(0).get("error");
		assertThat((String) error.get("message")).startsWith("url /v1/embeddings answered ")
			.contains("model 'ai/tiny' does not serve embeddings; name an embedding model in the line's body");
		Map<String, Object> response = (Map<String, Object>) errors.get(0).get("response");
		assertThat(((Number) response.get("status_code")).intValue()).isBetween(400, 599);
		assertThat((Map<String, Object>) response.get("body")).containsKey("error");
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

			// and repeat= is not one of its arguments: each line is one request of the file
			Dmr.Result repeated = Dmr.run(this.workspace, proxy.baseUrl(), "job=openai-batch", "input=input/dup.jsonl",
					"repeat=2");
			assertThat(repeated.exitCode()).as(repeated.toString()).isEqualTo(2);
			assertThat(repeated.err()).contains("job=openai-batch does not take repeat=");
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

	@Test
	@SuppressWarnings("unchecked")
	void aLoneCarriageReturnJoinsItsLineAndALoneSurrogateIsNeverSent() throws Exception {
		String surrogate = "{\"custom_id\": \"s\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\", \"body\": "
				+ "{\"model\": \"ai/tiny\", \"max_tokens\": 5, \"messages\": [{\"role\": \"user\", \"content\": "
				+ "\"a\\ud800b\"}]}}";
		this.workspace.file("input/cr.jsonl", chat("a", "ai/tiny") + "\n" + chat("b", "ai/tiny") + "\r"
				+ chat("b2", "ai/tiny") + "\r\n" + surrogate + "\n" + chat("b2", "ai/tiny") + "\n");
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			Dmr.Result result = Dmr.run(this.workspace, proxy.baseUrl(), "job=openai-batch", "input=input/cr.jsonl",
					"output=out");
			assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
			assertThat(proxy.chatRequests()).isEqualTo(2);
		}
		assertThat(lines("out/output.jsonl")).extracting((o) -> o.get("custom_id")).containsExactly("a", "b2");
		List<Map<String, Object>> errors = lines("out/errors.jsonl");
		assertThat(errors).extracting((e) -> e.get("custom_id")).containsExactly("b", "s");
		assertThat(errors).extracting((e) -> ((Map<String, Object>) e.get("error")).get("message"))
			.satisfiesExactly((m) -> assertThat((String) m).startsWith("line 2 is not valid JSON"),
					(m) -> assertThat((String) m).isEqualTo("line 3: field 'body' holds \\ud800, half of a surrogate "
							+ "pair without its other half (not a character)"));
	}

	/** When the chat requests arrived at the proxy, in order (nanoseconds of its clock). */
	private static List<Long> chatArrivals(FaultProxy proxy) {
		return proxy.received().stream()
			.filter((seen) -> seen.path().endsWith("/chat/completions"))
			.map(FaultProxy.Received::arrivedNanos)
			.sorted()
			.toList();
	}

	@Test
	void aTooManyRequestsAnswersRetryAfterIsWaitedOutAsForEveryOtherRequest() throws Exception {
		// given: the first request is answered 429 with Retry-After: 2, the rest reach the runner
		this.workspace.file("input/one.jsonl", chat("a", "ai/tiny") + "\n");
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			proxy.faults((n) -> (n == 1) ? new FaultProxy.Status(429,
					"{\"error\": {\"message\": \"rate limit reached\"}}", Map.of("Retry-After", "2"))
					: FaultProxy.FORWARD);

			// when
			Dmr.Result result = Dmr.run(this.workspace, proxy.baseUrl(), "job=openai-batch", "input=input/one.jsonl",
					"output=out");

			// then: answered at the second attempt, sent no sooner than 2 s after the first
			assertThat(result.exitCode()).as(result.toString()).isZero();
			List<Long> arrivals = chatArrivals(proxy);
			assertThat(arrivals).hasSize(2);
			assertThat(arrivals.get(1) - arrivals.get(0))
				.isGreaterThanOrEqualTo(java.time.Duration.ofSeconds(2).toNanos());
			assertThat(result.all()).contains("retrying after the 2 s its Retry-After asks");
		}
		assertThat(lines("out/output.jsonl")).extracting((o) -> o.get("custom_id")).containsExactly("a");
	}

	@Test
	void aTokensRateCountsTheTokensOfEachAnsweredLine() throws Exception {
		// given: eight lines, sent one at a time
		StringBuilder file = new StringBuilder();
		for (int i = 1; i <= 8; i++) {
			file.append(chat("r" + i, "ai/tiny")).append('\n');
		}
		this.workspace.file("input/many.jsonl", file.toString());
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			// when: at most 20 tokens a second
			Dmr.Result result = Dmr.run(this.workspace, proxy.baseUrl(), "job=openai-batch", "input=input/many.jsonl",
					"output=out", "concurrency=1", "tokens-rate=20/s", "--dmr.progress.mode=plain",
					"--dmr.progress.every=200ms");

			// then: all answered; each answer counts more than 20 tokens, so each request waited until the one
			// before it had left the last second: at least a second apart (eight unpaced tiny answers are not)
			assertThat(result.exitCode()).as(result.toString()).isZero();
			for (Map<String, Object> line : lines("out/output.jsonl")) {
				@SuppressWarnings("unchecked")
				Map<String, Object> usage = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) line
					.get("response")).get("body")).get("usage");
				assertThat(((Number) usage.get("total_tokens")).longValue()).as("an answer's tokens").isGreaterThan(20);
			}
			List<Long> arrivals = chatArrivals(proxy);
			assertThat(arrivals).hasSize(8);
			assertThat(arrivals.get(7) - arrivals.get(0)).isGreaterThanOrEqualTo(
					java.time.Duration.ofSeconds(6).toNanos());
			assertThat(result.all()).contains("waiting on tokens-rate=20/s");
		}
	}

	@Test
	void aFullContextLowersTheConcurrencyAndARetryAfterLongerThanTheMostWaitedIsTheLinesAnswer() throws Exception {
		// given: the first line's request is answered as llama-server answers when its shared context is full, then
		// every request of line "late" is answered 429 asking to wait an hour
		StringBuilder file = new StringBuilder();
		for (int i = 1; i <= 6; i++) {
			file.append(chat("r" + i, "ai/tiny")).append('\n');
		}
		file.append(chat("late", "ai/tiny")).append('\n');
		this.workspace.file("input/full.jsonl", file.toString());
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			java.util.concurrent.atomic.AtomicInteger lateAsked = new java.util.concurrent.atomic.AtomicInteger();
			proxy.faultsPerItem((seen) -> {
				if (seen.item().equals("late")) {
					lateAsked.incrementAndGet();
					return new FaultProxy.Status(429, "{\"error\": {\"message\": \"rate limit reached\"}}",
							Map.of("Retry-After", "3600"));
				}
				return (seen.n() == 1) ? new FaultProxy.Status(500, "{\"error\": {\"code\": 500, \"message\": "
						+ "\"Context size has been exceeded.\", \"type\": \"server_error\"}}") : FaultProxy.FORWARD;
			});

			// when
			Dmr.Result result = Dmr.run(this.workspace, proxy.baseUrl(), "job=openai-batch", "input=input/full.jsonl",
					"output=out", "concurrency=4", "--dmr.retry.attempts=3", "--dmr.retry.backoff=20ms");

			// then: the full context lowered the concurrency, the line was asked again and answered; the line
			// whose runner asks for an hour was asked once, its 429 kept in errors.jsonl
			assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
			assertThat(result.all()).contains("the runner's shared context is full");
			assertThat(lateAsked.get()).isEqualTo(1);
		}
		assertThat(lines("out/output.jsonl")).hasSize(6);
		List<Map<String, Object>> errors = lines("out/errors.jsonl");
		assertThat(errors).extracting((e) -> e.get("custom_id")).containsExactly("late");
		@SuppressWarnings("unchecked")
		Map<String, Object> response = (Map<String, Object>) errors.get(0).get("response");
		assertThat(response).containsEntry("status_code", 429);
	}

}
