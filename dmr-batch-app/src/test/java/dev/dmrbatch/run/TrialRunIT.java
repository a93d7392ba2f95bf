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
 * A trial run ({@code limit=}, {@code sample=}) asks only its part of the input, through the real runner behind a
 * counting proxy, and exports it under its own {@code try-} label with the input's own ids, like any run.
 */
@ExtendWith(WorkspaceExtension.class)
class TrialRunIT {

	private static final JsonMapper JSON = JsonMapper.shared();

	Workspace workspace;

	FaultProxy proxy;

	@BeforeEach
	void setUp() throws Exception {
		this.proxy = new FaultProxy(LocalRunner.baseUrl());
		this.workspace.file("input/items.csv", csv(20))
			.file("templates/ask.ftl", "Item ${record.id}: ${text}")
			.file("jobs/items.yaml", """
					input: { format: csv, path: input/items.csv, id: id }
					model: { name: ai/tiny, max_tokens: 4, temperature: 0 }
					steps:
					  - name: answer
					    template: ask.ftl
					""");
	}

	private static String csv(int records) {
		StringBuilder csv = new StringBuilder("id,text\n");
		for (int i = 1; i <= records; i++) {
			csv.append("t").append(i).append(",text ").append(i).append('\n');
		}
		return csv.toString();
	}

	@AfterEach
	void tearDown() {
		this.proxy.close();
	}

	private List<String> exportedIds(String label) {
		return this.workspace.read("output/items/" + label + "/results.jsonl").lines().map(JSON::readTree)
			.map((JsonNode line) -> line.path("id").asString())
			.toList();
	}

	@Test
	void limitThreeOfTwentySendsThreeRequestsAndExportsTheFirstThreeUnderATryLabel() {
		// when
		Dmr.Result trial = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "limit=3");

		// then
		assertThat(trial.exitCode()).as(trial.toString()).isZero();
		assertThat(this.proxy.chatRequests()).isEqualTo(3);
		assertThat(trial.out()).contains("items run try-first-3 COMPLETED: 3 items, 3 ok, 0 failed");
		assertThat(exportedIds("try-first-3")).containsExactly("t1", "t2", "t3");

		// the same command again: the same trial, already complete, nothing sent
		Dmr.Result again = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "limit=3");
		assertThat(again.exitCode()).as(again.toString()).isZero();
		assertThat(again.out()).contains("try-first-3 is already complete (3 ok, 0 failed); nothing was sent");
		assertThat(this.proxy.chatRequests()).isEqualTo(3);
	}

	@Test
	void aSampleIsTheSameForItsSeedAndAnotherForAnotherSeed() {
		// when
		Dmr.Result seven = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "sample=5", "sample-seed=7");
		Dmr.Result sevenAgain = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "sample=5",
				"sample-seed=7", "run=again");
		Dmr.Result eight = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "sample=5", "sample-seed=8");

		// then
		assertThat(List.of(seven, sevenAgain, eight)).allSatisfy((run) -> assertThat(run.exitCode()).as(run.toString())
			.isZero());
		assertThat(this.proxy.chatRequests()).isEqualTo(15);
		List<String> drawn = exportedIds("try-sample-5-seed-7");
		assertThat(drawn).hasSize(5).doesNotHaveDuplicates();
		assertThat(exportedIds("again")).containsExactlyElementsOf(drawn);
		assertThat(exportedIds("try-sample-5-seed-8")).hasSize(5).isNotEqualTo(drawn);
		assertThat(drawn).allSatisfy((id) -> assertThat(id).matches("t([1-9]|1[0-9]|20)"));
	}

	@Test
	void aSampleOverSeveralRunnersIsPartitionedOnTheSampleItself() throws Exception {
		// given: 200 records, a sample of 40 (enough for two partitions), two runners
		this.workspace.file("input/items.csv", csv(200));
		try (FaultProxy other = new FaultProxy(LocalRunner.baseUrl())) {
			// when
			Dmr.Result trial = Dmr.run(this.workspace, null, "job=items", "sample=40", "sample-seed=1",
					"base-url=" + this.proxy.baseUrl() + "," + other.baseUrl());

			// then: 40 requests in all, each item once, the ids the input's
			assertThat(trial.exitCode()).as(trial.toString()).isZero();
			assertThat(this.proxy.chatRequests() + other.chatRequests()).isEqualTo(40);
			assertThat(this.proxy.chatRequests()).isPositive();
			assertThat(other.chatRequests()).isPositive();
			assertThat(exportedIds("try-sample-40-seed-1")).hasSize(40).doesNotHaveDuplicates();
		}
	}

	@Test
	void badTrialArgumentsAreRefusedInOneSentenceAndNothingIsSent() {
		Dmr.Result zero = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "limit=0");
		Dmr.Result both = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "limit=3", "sample=3");

		assertThat(zero.exitCode()).isEqualTo(2);
		assertThat(zero.err().strip()).endsWith(
				"limit=0 is not a number of records: give a whole number from 1 to 2147483647");
		assertThat(both.exitCode()).isEqualTo(2);
		assertThat(both.err()).contains("limit= and sample= cannot go together");
		assertThat(this.proxy.chatRequests()).isZero();
	}

	@Test
	void aTrialStoppedMidwayResumesWithTheSameItemsAndComparesWithTheFullRunOnTheirCommonItems() {
		// given: a sample of 10 whose runner goes away after 4 requests
		this.proxy.faults((n) -> (n > 4) ? new FaultProxy.Drop() : FaultProxy.FORWARD);
		Dmr.Result failed = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "sample=10", "sample-seed=3",
				"--dmr.retry.attempts=1", "--dmr.retry.backoff=10ms");
		assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(5);
		this.proxy.faults((n) -> FaultProxy.FORWARD);

		// when: the same command again, then the full run, then compare
		Dmr.Result resumed = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "sample=10", "sample-seed=3");
		Dmr.Result fresh = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "sample=10", "sample-seed=3",
				"run=fresh");
		Dmr.Result full = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "run=full");
		Dmr.Result compare = Dmr.run(this.workspace, null, "job=compare", "run=try-sample-10-seed-3", "run=full");

		// then: the resumed trial holds the same 10 items as a fresh draw, each once
		assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
		assertThat(resumed.out()).contains("items run try-sample-10-seed-3 COMPLETED: 10 items, 10 ok, 0 failed");
		assertThat(fresh.exitCode()).as(fresh.toString()).isZero();
		assertThat(exportedIds("try-sample-10-seed-3")).containsExactlyElementsOf(exportedIds("fresh"));
		assertThat(full.exitCode()).as(full.toString()).isZero();
		assertThat(compare.exitCode()).as(compare.toString()).isZero();
		assertThat(compare.out()).contains("compared try-sample-10-seed-3 vs full: 20 items, 10 in all, 10 in some only");
	}

}
