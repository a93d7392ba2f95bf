package dev.dmrbatch.check;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code type: similar} against the local runner, whose {@code ai/tiny-embed} preset answers embeddings: an answer is
 * as similar as can be to itself, less to an unrelated reference; the verdicts and their reasons are in the exports,
 * and {@code job=check} asks the embedding model again for the edited checks. This test starts a runner of its own, as
 * the shared one may predate that preset.
 */
@ExtendWith(WorkspaceExtension.class)
class SimilarCheckIT {

	private static final int PORT = LocalRunner.PORT + 23;

	private static final JsonMapper JSON = JsonMapper.shared();

	private static final Pattern REASON = Pattern.compile("similarity (-?[0-9.]+), (at least|below) 0\\.99");

	private static String baseUrl;

	Workspace workspace;

	@BeforeAll
	static void startRunner() {
		baseUrl = LocalRunner.start(PORT, List.of("--threads", "1"));
	}

	@AfterAll
	static void stopRunner() {
		LocalRunner.stop(PORT);
	}

	private static final String JOB = """
			input: { path: input/items.jsonl }
			model: { name: ai/tiny, max_tokens: 12, temperature: 0, seed: 7 }
			concurrency: 1
			steps:
			  - name: answer
			    prompt: "Say something about ${text}"
			    checks:
			      - { name: self, type: similar, value: "${steps.answer}", min: 0.99, model: { name: ai/tiny-embed } }
			      - { name: other, type: similar, value: "%s", min: 0.99, model: { name: ai/tiny-embed } }
			export: [jsonl]
			""";

	private List<JsonNode> results() {
		return this.workspace.read("output/near/close/results.jsonl").strip().lines().map(JSON::readTree).toList();
	}

	private static double similarity(JsonNode verdict) {
		Matcher matcher = REASON.matcher(verdict.path("reason").asString());
		assertThat(matcher.matches()).as(verdict.toString()).isTrue();
		double similarity = Double.parseDouble(matcher.group(1));
		assertThat(verdict.path("pass").asBoolean()).as(verdict.toString()).isEqualTo(similarity >= 0.99);
		return similarity;
	}

	@Test
	void anAnswerIsSimilarToItselfLessToAnUnrelatedReferenceAndJobCheckAsksAgain() {
		this.workspace.file("input/items.jsonl", String.join("\n", "{\"id\": \"a\", \"text\": \"a lighthouse\"}",
				"{\"id\": \"b\", \"text\": \"the sea at night\"}") + "\n");
		this.workspace.file("jobs/near.yaml", JOB.formatted("Quarterly tax filings for a steel mill in 1987"));

		Dmr.Result run = this.workspace.dmrAt(baseUrl, "job=near", "run=close");

		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(run.out()).contains("check answer.self: 2/2 passed (100.0%)");
		List<JsonNode> items = results();
		assertThat(items).hasSize(2);
		for (JsonNode item : items) {
			JsonNode self = item.path("checks").path("answer.self");
			assertThat(self.path("pass").asBoolean()).as(item.toString()).isTrue();
			assertThat(similarity(self)).isGreaterThanOrEqualTo(0.99);
			JsonNode other = item.path("checks").path("answer.other");
			assertThat(similarity(other)).as(item.toString()).isLessThan(1.0);
		}

		// when: the unrelated reference is edited to the answer itself, and the run is checked again
		this.workspace.file("jobs/near.yaml", JOB.formatted("${steps.answer}"));
		Dmr.Result check = this.workspace.dmrAt(baseUrl, "job=check", "run=close");

		// then: the embedding model was asked again, and the edited check passes
		assertThat(check.exitCode()).as(check.toString()).isZero();
		assertThat(check.out()).contains("check answer.self: 2/2 passed (100.0%)")
			.contains("check answer.other: 2/2 passed (100.0%)");
		for (JsonNode item : results()) {
			assertThat(similarity(item.path("checks").path("answer.other"))).isGreaterThanOrEqualTo(0.99);
		}
	}

	@Test
	void aSimilarCheckThatCannotBeEvaluatedStopsTheRunBeforeAnythingIsSent() {
		this.workspace.file("input/items.jsonl", "{\"id\": \"a\", \"text\": \"a lighthouse\"}\n");
		this.workspace.file("jobs/far.yaml", """
				input: { path: input/items.jsonl }
				model: { name: ai/tiny }
				steps:
				  - name: answer
				    prompt: "${text}"
				    checks:
				      - { name: close, type: similar, value: "${text}", min: 80, model: { name: ai/tiny-embed } }
				""");
		Dmr.Result run = this.workspace.dmrAt("http://127.0.0.1:9/v1", "job=far");
		assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
		assertThat(run.err()).contains("error: job file jobs/far.yaml: step answer, check close: min must be a "
				+ "similarity from 0 to 1, such as 0.8")
			.doesNotContain("Exception")
			.doesNotContain("\tat ");

		// and: an embedding model the runner does not have stops the run before any item is sent
		this.workspace.file("jobs/far.yaml", this.workspace.read("jobs/far.yaml").replace("min: 80", "min: 0.8")
			.replace("ai/tiny-embed", "ai/no-such-embed"));
		Dmr.Result missing = this.workspace.dmrAt(baseUrl, "job=far");
		assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(2);
		assertThat(missing.err()).contains("ai/no-such-embed").doesNotContain("\tat ");
		assertThat(this.workspace.path("output/far/run-1/results.jsonl")).doesNotExist();
	}

}
