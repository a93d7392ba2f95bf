package dev.dmrbatch.run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.FaultProxy;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A batch run with {@code stream: true} against streams that a proxy in front of the real runner cuts short (the
 * response ended early, or its connection dropped as when a runner is killed) or rewrites into the chunk shapes other
 * servers send: a cut answer is never stored as whole, and no shape fails the run.
 */
@ExtendWith(WorkspaceExtension.class)
class StreamFaultsIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	Workspace workspace;

	FaultProxy proxy;

	@BeforeEach
	void setUp() throws Exception {
		this.proxy = new FaultProxy(LocalRunner.baseUrl());
		this.workspace.file("jobs/items.yaml", """
				input: { format: csv, path: input/items.csv, id: id }
				model: { name: ai/tiny, max_tokens: 12, temperature: 0, seed: 3, stream: true }
				steps:
				  - name: answer
				    prompt: "Item ${record.id}: ${text}"
				export: [jsonl]
				""");
		this.workspace.file("input/items.csv", "id,text\nr1,one\nr2,two\nr3,three\nr4,four\nr5,five\n");
	}

	@AfterEach
	void tearDown() {
		this.proxy.close();
	}

	@Test
	void aCutStreamIsSentAgainAndAnItemWhoseEveryAttemptIsCutIsRecordedFailed() throws Exception {
		// given: the answers as the runner streams them whole
		Map<String, Map<String, Object>> whole = byId(run("whole"));

		// when: r1's first stream ends after 4 events, r2's connection drops after 4, r3's every stream is cut
		this.proxy.faultsPerItem((seen) -> switch (seen.item()) {
			case "r1" -> (seen.attempt() == 1) ? FaultProxy.cutAfter(4) : FaultProxy.FORWARD;
			case "r2" -> (seen.attempt() == 1) ? FaultProxy.dropAfter(4) : FaultProxy.FORWARD;
			case "r3" -> FaultProxy.cutAfter(4);
			default -> FaultProxy.FORWARD;
		});
		Dmr.Result cut = this.workspace.dmrAt(this.proxy.baseUrl(), "job=items", "run=cut", "output=cut",
				"--dmr.retry.attempts=3", "--dmr.retry.backoff=5ms", "--dmr.retry.max-backoff=20ms");

		// then: r1 and r2 answered whole at their second attempt, r3 failed in one sentence, the others untouched
		assertThat(cut.exitCode()).as(cut.toString()).isEqualTo(3);
		Map<String, Map<String, Object>> results = byId(this.workspace.results("cut"));
		for (String id : List.of("r1", "r2", "r4", "r5")) {
			assertThat(results.get(id).get("status")).as(id).isEqualTo("ok");
			assertThat(results.get(id).get("steps")).as(id).isEqualTo(whole.get(id).get("steps"));
			assertThat(results.get(id).get("usage")).as(id).isEqualTo(whole.get(id).get("usage"));
			assertThat(call(results.get(id)).get("finish_reason")).as(id).isNotNull();
		}
		assertThat(call(results.get("r1")).get("attempts")).isEqualTo(2);
		assertThat(call(results.get("r2")).get("attempts")).isEqualTo(2);
		assertThat(this.proxy.forwardedPerItem()).containsEntry("r3", 3);
		Map<String, Object> failed = results.get("r3");
		assertThat(failed.get("status")).isEqualTo("failed");
		assertThat((String) failed.get("error")).isEqualTo("step answer: the answer of model 'ai/tiny' at "
				+ this.proxy.baseUrl() + " was cut off: its stream ended after 4 chunks without a finish reason");
		assertThat(cut.out()).contains("1 failed: step answer: the answer of model 'ai/tiny'");
		assertThat(cut.all()).doesNotContain("Exception").doesNotContain("\tat ");
	}

	@Test
	void everyServersChunkShapeIsReadAndAChunkThatIsNotJsonFailsItsItemAlone() throws Exception {
		Map<String, Map<String, Object>> whole = byId(run("whole"));

		// when: each item's stream in another server's shape, r5's with a line that is not JSON
		this.proxy.faultsPerItem((seen) -> FaultProxy.reshape(switch (seen.item()) {
			case "r1" -> StreamFaultsIT::usageInTheFinishingChunk;
			case "r2" -> StreamFaultsIT::chunksWithoutChoices;
			case "r3" -> StreamFaultsIT::keepAliveComments;
			case "r5" -> notJsonAfter(3);
			default -> UnaryOperator.identity(); // llama.cpp's and OpenAI's: a usage chunk with "choices": []
		}));
		Dmr.Result shapes = this.workspace.dmrAt(this.proxy.baseUrl(), "job=items", "run=shapes", "output=shapes",
				"--dmr.retry.attempts=2", "--dmr.retry.backoff=5ms");

		// then
		assertThat(shapes.exitCode()).as(shapes.toString()).isEqualTo(3);
		Map<String, Map<String, Object>> results = byId(this.workspace.results("shapes"));
		for (String id : List.of("r1", "r2", "r3", "r4")) {
			assertThat(results.get(id).get("status")).as(id).isEqualTo("ok");
			assertThat(results.get(id).get("steps")).as(id).isEqualTo(whole.get(id).get("steps"));
			assertThat(results.get(id).get("usage")).as(id).isEqualTo(whole.get(id).get("usage"));
			assertThat(call(results.get(id)).get("finish_reason")).as(id)
				.isEqualTo(call(whole.get(id)).get("finish_reason"));
		}
		Map<String, Object> failed = results.get("r5");
		assertThat(failed.get("status")).isEqualTo("failed");
		assertThat((String) failed.get("error")).startsWith("step answer: model 'ai/tiny' at " + this.proxy.baseUrl()
				+ " streamed a chunk that is not OpenAI-compatible JSON (after 3 chunks): ");
		// not a fault that passes: sent once
		assertThat(this.proxy.forwardedPerItem()).containsEntry("r5", 1);
		assertThat(shapes.all()).doesNotContain("Exception").doesNotContain("\tat ");
	}

	/** The usage (and timings) in the chunk that finishes the choice, without a usage chunk of its own. */
	private static List<String> usageInTheFinishingChunk(List<String> events) {
		List<String> out = new ArrayList<>();
		int finishing = -1;
		for (String event : events) {
			ObjectNode chunk = chunk(event);
			if (chunk != null && chunk.has("usage") && finishing >= 0) {
				ObjectNode last = chunk(out.get(finishing));
				last.set("usage", chunk.get("usage"));
				last.set("timings", chunk.get("timings"));
				out.set(finishing, "data: " + last);
				continue;
			}
			if (chunk != null && chunk.path("choices").path(0).hasNonNull("finish_reason")) {
				finishing = out.size();
			}
			out.add(event);
		}
		return out;
	}

	/** A first chunk without {@code choices}, and the usage chunk without them either. */
	private static List<String> chunksWithoutChoices(List<String> events) {
		List<String> out = new ArrayList<>();
		ObjectNode first = chunk(events.get(0));
		first.remove("choices");
		out.add("data: " + first);
		for (String event : events) {
			ObjectNode chunk = chunk(event);
			if (chunk != null && chunk.has("usage")) {
				chunk.remove("choices");
				event = "data: " + chunk;
			}
			out.add(event);
		}
		return out;
	}

	/** Keep-alive comment lines before and between the events. */
	private static List<String> keepAliveComments(List<String> events) {
		List<String> out = new ArrayList<>(List.of(": ping"));
		for (String event : events) {
			out.add(event);
			out.add(": keep-alive");
		}
		return out;
	}

	private static UnaryOperator<List<String>> notJsonAfter(int n) {
		return (events) -> {
			List<String> out = new ArrayList<>(events);
			out.add(n, "data: {not json");
			return out;
		};
	}

	/** The JSON of a {@code data:} event, or {@code null} for {@code [DONE]} and comments. */
	private static ObjectNode chunk(String event) {
		if (!event.startsWith("data: {")) {
			return null;
		}
		return (ObjectNode) JSON.readTree(event.substring("data: ".length()));
	}

	/** A run straight to the runner: the answers as it streams them whole. */
	private List<Map<String, Object>> run(String label) throws Exception {
		Dmr.Result result = this.workspace.dmr("job=items", "run=" + label, "output=" + label);
		assertThat(result.exitCode()).as(result.toString()).isZero();
		return this.workspace.results(label);
	}

	private static Map<String, Map<String, Object>> byId(List<Map<String, Object>> results) {
		Map<String, Map<String, Object>> byId = new LinkedHashMap<>();
		results.forEach((result) -> byId.put((String) result.get("id"), result));
		return byId;
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> call(Map<String, Object> result) {
		return ((List<Map<String, Object>>) result.get("calls")).get(0);
	}

}
