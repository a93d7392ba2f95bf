package dev.dmrbatch.runner;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** job=models and job=probe against the real runner; the probe's verdicts checked by direct requests. */
@ExtendWith(WorkspaceExtension.class)
class RunnerToolsIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	// HTTP/1.1: the JDK client's default h2c upgrade headers make llama-server's router drop about one connection
	// in ten without an answer ("header parser received no bytes")
	private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	Workspace workspace;

	/** A direct request to the runner, bypassing dmr-batch. */
	@SuppressWarnings("unchecked")
	private static Map<String, Object> post(String base, String path, Map<String, Object> body) throws Exception {
		HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
			.build(), HttpResponse.BodyHandlers.ofString());
		Map<String, Object> answer = JSON.readValue(response.body(), Map.class);
		answer.put("_status", response.statusCode());
		return answer;
	}

	@SuppressWarnings("unchecked")
	private Map<String, Map<String, Object>> probe(String base) throws Exception {
		Dmr.Result result = Dmr.run(this.workspace, base, "job=probe", "model=" + LocalRunner.MODEL, "output=probe");
		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.out()).contains("PARAMETER").contains("written: ");
		Map<String, Object> probe = JSON.readValue(this.workspace.path("probe/probe.json").toFile(), Map.class);
		assertThat(probe).containsEntry("model", "ai/tiny").containsEntry("runner", "llama.cpp llama-server (router mode)");
		assertThat(this.workspace.read("probe/probe.md")).contains("| `seed` |");
		return (Map<String, Map<String, Object>>) probe.get("results");
	}

	@Test
	@SuppressWarnings("unchecked")
	void modelsListsBothTestModelsAndTheRunnersKind() throws Exception {
		Dmr.Result table = this.workspace.dmr("job=models");
		assertThat(table.exitCode()).as(table.toString()).isZero();
		assertThat(table.out()).contains("llama.cpp llama-server (router mode) at " + LocalRunner.baseUrl())
			.containsPattern("ai/tiny +yes +4096")
			.contains("ai/tiny2");

		Dmr.Result json = this.workspace.dmr("job=models", "format=json");
		Map<String, Object> listing = JSON.readValue(json.out(), Map.class);
		assertThat(listing).containsEntry("runner", "llama.cpp llama-server (router mode)");
		assertThat((List<Map<String, Object>>) listing.get("models")).extracting((m) -> m.get("name"))
			.containsExactly("ai/tiny", "ai/tiny-embed", "ai/tiny-vision", "ai/tiny2");
	}

	@Test
	@SuppressWarnings("unchecked")
	void probeVerdictsMatchWhatTheRunnerReallyDoes() throws Exception {
		String base = LocalRunner.baseUrl();
		Map<String, Map<String, Object>> results = probe(base);
		assertThat(results).containsOnlyKeys(ProbeCommand.PARAMETERS);

		// the same questions asked directly
		Map<String, Object> n = post(base, "/chat/completions", Map.of("model", "ai/tiny", "max_tokens", 3, "n", 2,
				"messages", List.of(Map.of("role", "user", "content", "hi"))));
		assertThat(results.get("n").get("supported")).isEqualTo(((List<?>) n.get("choices")).size() == 2);
		Map<String, Object> limited = post(base, "/chat/completions", Map.of("model", "ai/tiny", "max_tokens", 5,
				"messages", List.of(Map.of("role", "user", "content", "hi"))));
		long used = ((Number) ((Map<String, Object>) limited.get("usage")).get("completion_tokens")).longValue();
		assertThat(results.get("max_tokens").get("supported")).isEqualTo(used <= 5);
		Map<String, Object> completion = post(base, "/completions", Map.of("model", "ai/tiny", "prompt", "Hi",
				"max_tokens", 3));
		assertThat(results.get("completions").get("supported")).isEqualTo(completion.get("_status").equals(200));
		Map<String, Object> embedding = post(base, "/embeddings", Map.of("model", "ai/tiny", "input", "hi"));
		assertThat(embedding.get("_status")).isNotEqualTo(200);
		assertThat(results.get("embeddings")).containsEntry("supported", false);
		assertThat((String) results.get("embeddings").get("detail")).contains("--embeddings");
		for (String honoured : List.of("temperature", "seed", "stream", "logprobs", "response_format_json_schema")) {
			assertThat(results.get(honoured)).as(honoured).containsEntry("supported", true);
		}
		// a text model reads no image (the runner says why); its vision twin does
		assertThat(results.get("images")).containsEntry("supported", false);
		assertThat((String) results.get("images").get("detail")).contains("image input is not supported");
		Dmr.Result vision = Dmr.run(this.workspace, base, "job=probe", "model=ai/tiny-vision", "output=probe-vision");
		assertThat(vision.exitCode()).as(vision.toString()).isZero();
		Map<String, Object> seen = JSON.readValue(this.workspace.path("probe-vision/probe.json").toFile(), Map.class);
		Map<String, Object> images = ((Map<String, Map<String, Object>>) seen.get("results")).get("images");
		assertThat(images).containsEntry("supported", true);
		assertThat((String) images.get("detail")).matches("a 32x32 PNG added \\d+ prompt tokens");
	}

	@Test
	@SuppressWarnings("unchecked")
	void benchWritesItsFiguresAndAChartThatHoldsThem() throws Exception {
		Dmr.Result result = this.workspace.dmr("job=bench", "model=ai/tiny",
				"concurrency=1,2,4", "requests=12", "max_tokens=8", "output=bench");
		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.out()).contains("CONCURRENCY").contains("recommended concurrency for batch runs: ");

		Map<String, Object> bench = JSON.readValue(this.workspace.path("bench/bench.json").toFile(), Map.class);
		List<Map<String, Object>> levels = (List<Map<String, Object>>) bench.get("levels");
		assertThat(levels).extracting((l) -> l.get("concurrency")).containsExactly(1, 2, 4);
		for (Map<String, Object> level : levels) {
			assertThat(level).containsEntry("requests", 12).containsEntry("failed", 0);
			assertThat(((Number) level.get("tokensPerSecond")).doubleValue()).isPositive();
			assertThat(((Number) level.get("latencyP50")).doubleValue())
				.isLessThanOrEqualTo(((Number) level.get("latencyP90")).doubleValue());
			assertThat(((Number) level.get("ttftP50")).doubleValue())
				.isLessThanOrEqualTo(((Number) level.get("latencyP50")).doubleValue());
		}
		assertThat(levels).extracting((l) -> l.get("concurrency")).contains(bench.get("recommended"));
		assertThat(this.workspace.read("bench/bench.csv").split("\r\n")).hasSize(4);

		// the chart holds one point per level and series, with the figures of bench.json
		String html = this.workspace.read("bench/bench.html");
		assertThat(html).contains("<svg").doesNotContain("src=\"http").doesNotContain("href=\"http");
		for (Map<String, Object> level : levels) {
			assertThat(html).contains(String.format(java.util.Locale.ROOT,
					"data-series=\"tokens_per_second\" data-concurrency=\"%d\" data-value=\"%.2f\"", level.get("concurrency"),
					((Number) level.get("tokensPerSecond")).doubleValue()));
			assertThat(html).contains(String.format(java.util.Locale.ROOT,
					"data-series=\"latency_p50_ms\" data-concurrency=\"%d\" data-value=\"%.2f\"", level.get("concurrency"),
					((Number) level.get("latencyP50")).doubleValue()));
		}
		assertThat(html.split("class=\"point\"", -1)).hasSize(1 + 3 * 3);
	}

	@Test
	void theEmbeddingsVerdictFlipsWhenTheRunnerServesEmbeddings() throws Exception {
		int port = LocalRunner.PORT + 5;
		String base = LocalRunner.start(port, List.of("--embeddings", "--threads", "1"));
		try {
			Map<String, Object> embedding = post(base, "/embeddings", Map.of("model", "ai/tiny", "input", "hi"));
			assertThat(embedding.get("_status")).isEqualTo(200);
			assertThat(probe(base).get("embeddings")).containsEntry("supported", true);
		}
		finally {
			LocalRunner.stop(port);
		}
	}

}
