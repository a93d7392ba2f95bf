package dev.dmrbatch.run;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.DmrProcess;
import dev.dmrbatch.support.FaultProxy;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Items spread across two real llama-server runners on their own ports (one CPU thread each, so two fit on a
 * 2-core machine), each behind a proxy that counts what it answered and can slow its runner down. One runner
 * killed mid-run, dmr-batch killed mid-run, a runner that never answered: every item answered once, and the
 * exports say which runner answered it.
 */
@ExtendWith(WorkspaceExtension.class)
class SeveralRunnersIT {

	private static final int PORT_A = LocalRunner.PORT + 2;

	private static final int PORT_B = LocalRunner.PORT + 3;

	Workspace workspace;

	FaultProxy a;

	FaultProxy b;

	@BeforeEach
	void setUp() throws Exception {
		this.a = new FaultProxy(LocalRunner.start(PORT_A, List.of("--threads", "1")));
		this.b = new FaultProxy(LocalRunner.start(PORT_B, List.of("--threads", "1")));
		this.workspace.itemsJob("export: [jsonl, csv]");
	}

	@AfterEach
	void tearDown() {
		this.a.close();
		this.b.close();
	}

	@AfterAll
	static void stopRunners() {
		LocalRunner.stop(PORT_A);
		LocalRunner.stop(PORT_B);
	}

	private void items(int count) {
		StringBuilder csv = new StringBuilder("id,text\n");
		IntStream.rangeClosed(1, count).forEach((i) -> csv.append("r").append(i).append(",text ").append(i).append('\n'));
		this.workspace.file("input/items.csv", csv.toString());
	}

	private String runners() {
		return "base-url=" + this.a.baseUrl() + "," + this.b.baseUrl();
	}

	/** Every item once, ok, in input order; how many each runner answered. */
	private Map<Object, Long> assertEveryItemOnceAndOk(int count) throws Exception {
		List<Map<String, Object>> results = this.workspace.results("output/items/run-1");
		assertThat(results).extracting((r) -> r.get("id"))
			.containsExactlyElementsOf(IntStream.rangeClosed(1, count).mapToObj((i) -> "r" + i).toList());
		assertThat(results).extracting((r) -> r.get("status")).containsOnly("ok");
		return results.stream().collect(Collectors.groupingBy((r) -> r.get("runner"), TreeMap::new, Collectors.counting()));
	}

	/** Requests each item cost, both runners together. */
	private Map<String, Integer> perItem() {
		Map<String, Integer> both = new TreeMap<>(this.a.forwardedPerItem());
		this.b.forwardedPerItem().forEach((id, n) -> both.merge(id, n, Integer::sum));
		return both;
	}

	@Test
	void aSlowRunnerTakesFewerItemsAndTheExportsSayWhoAnsweredWhat() throws Exception {
		items(300);
		this.b.faultsPerItem((seen) -> new FaultProxy.Slow(150));

		Dmr.Result result = Dmr.run(this.workspace, null, "job=items", runners());

		assertThat(result.exitCode()).as(result.toString()).isZero();
		Map<Object, Long> byRunner = assertEveryItemOnceAndOk(300);
		assertThat(byRunner).containsOnlyKeys(this.a.baseUrl(), this.b.baseUrl());
		assertThat(byRunner.get(this.a.baseUrl())).as("items per runner: %s", byRunner)
			.isGreaterThan(2 * byRunner.get(this.b.baseUrl()));
		assertThat(perItem()).hasSize(300).allSatisfy((id, n) -> assertThat(n).isOne());
		assertThat(result.out()).contains("items run 1 COMPLETED: 300 items, 300 ok, 0 failed")
			.contains("  runner " + this.a.baseUrl() + ": " + byRunner.get(this.a.baseUrl()) + " ok, 0 failed")
			.contains("  runner " + this.b.baseUrl() + ": " + byRunner.get(this.b.baseUrl()) + " ok, 0 failed");
		List<String> csv = Files.readAllLines(this.workspace.path("output/items/run-1/results.csv"));
		assertThat(csv.get(0)).endsWith(",runner");
		assertThat(csv.subList(1, csv.size())).allMatch((row) -> row.endsWith("," + this.a.baseUrl())
				|| row.endsWith("," + this.b.baseUrl()));
	}

	@Test
	void aRunnerKilledMidRunHasItsItemsFinishedByTheOtherInTheSameRun() throws Exception {
		items(600);
		Thread killer = new Thread(() -> {
			try {
				while (this.b.forwarded() < 60) {
					Thread.sleep(5);
				}
				LocalRunner.stop(PORT_B);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		killer.start();

		Dmr.Result result = Dmr.run(this.workspace, null, "job=items", runners(), "--dmr.retry.attempts=2",
				"--dmr.retry.backoff=50ms");
		killer.join();

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.err()).contains("runner " + this.b.baseUrl() + " stopped answering (cannot reach the model runner")
			.contains("go to the other runners")
			.doesNotContain("\tat ");
		Map<Object, Long> byRunner = assertEveryItemOnceAndOk(600);
		// B keeps what it answered and committed before it died: all it answered but its last chunk and window
		assertThat(byRunner.get(this.b.baseUrl())).isBetween(this.b.forwarded() - 16L, (long) this.b.forwarded());
		assertThat(this.b.forwarded()).isBetween(60, 200);
		Map<String, Integer> perItem = perItem();
		assertThat(perItem).hasSize(600).allSatisfy((id, n) -> assertThat(n).isBetween(1, 2));
		// what B answered but had not committed when it died is asked again of A: at most its window and a chunk
		assertThat(this.a.forwarded() + this.b.forwarded() - 600).isBetween(0, 16);
	}

	@Test
	void killDashNineWithTwoRunnersThenTheSameCommandResumesEveryPartition() throws Exception {
		items(800);
		DmrProcess first = DmrProcess.start(this.workspace, LocalRunner.baseUrl(), "job=items", runners());
		first.awaitRequests(() -> this.a.forwarded() + this.b.forwarded(), 300);
		first.kill();
		int before = this.a.forwarded() + this.b.forwarded();

		Dmr.Result resumed = Dmr.run(this.workspace, null, "job=items", runners());

		assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
		assertThat(resumed.err()).contains("recovering it").contains("resuming run 1 of items");
		assertThat(resumed.out()).contains("items run 1 COMPLETED: 800 items, 800 ok, 0 failed");
		assertEveryItemOnceAndOk(800);
		assertThat(perItem()).hasSize(800).allSatisfy((id, n) -> assertThat(n).isBetween(1, 2));
		// each lane can lose what a single-runner step can: its uncommitted chunk (8 at concurrency 4) and its
		// read-ahead window (8, and the item the feeder holds): 18 at most, measured 0 to 10
		assertThat(this.a.forwarded() + this.b.forwarded() - 800).as("sent again (%d before the kill)", before)
			.isBetween(0, 36);
	}

	@Test
	void sigtermStopsEveryLaneAndTheSameCommandFinishesWithoutSendingAnythingTwice() throws Exception {
		items(800);
		DmrProcess first = DmrProcess.start(this.workspace, LocalRunner.baseUrl(), "job=items", runners());
		first.awaitRequests(() -> this.a.forwarded() + this.b.forwarded(), 200);

		first.terminate();
		assertThat(first.waitFor()).as(first.err()).isEqualTo(4);
		assertThat(first.out()).contains("items run 1 STOPPED");
		Dmr.Result resumed = Dmr.run(this.workspace, null, "job=items", runners());

		assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
		assertEveryItemOnceAndOk(800);
		// a clean stop commits or stores everything answered, in every partition
		assertThat(perItem()).hasSize(800).allSatisfy((id, n) -> assertThat(n).isOne());
	}

	@Test
	void runnersFromTheJobFileWithTheirOwnConcurrencyAndOneThatNeverAnswers() throws Exception {
		items(40);
		this.workspace.file("jobs/items.yaml", """
				input: { format: csv, path: input/items.csv, id: id }
				model: { name: ai/tiny, max_tokens: 8 }
				runners:
				  - { url: "%s", concurrency: 2 }
				  - { url: "%s", concurrency: 3 }
				  - http://127.0.0.1:1/v1
				steps:
				  - name: answer
				    prompt: "Item ${record.id}: ${text}"
				""".formatted(this.a.baseUrl(), this.b.baseUrl()));

		Dmr.Result result = Dmr.run(this.workspace, null, "job=items", "--dmr.retry.attempts=1");

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.err()).contains("runner http://127.0.0.1:1/v1 does not answer")
			.contains("concurrency 2 at " + this.a.baseUrl())
			.contains("concurrency 3 at " + this.b.baseUrl());
		Map<Object, Long> byRunner = assertEveryItemOnceAndOk(40);
		assertThat(byRunner.keySet()).isSubsetOf(this.a.baseUrl(), this.b.baseUrl());
		assertThat(byRunner.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(40);
	}

	@Test
	void aRunnerListedTwiceOrNotAUrlIsRefusedBeforeAnythingIsSent() {
		items(3);
		Dmr.Result twice = Dmr.run(this.workspace, null, "job=items", "base-url=" + this.a.baseUrl() + "," + this.a.baseUrl());
		Dmr.Result bad = Dmr.run(this.workspace, null, "job=items", "base-url=" + this.a.baseUrl() + ",gpu-2:12434");

		assertThat(twice.exitCode()).isEqualTo(2);
		assertThat(twice.err()).contains("runner " + this.a.baseUrl() + " is listed twice (base-url=)");
		assertThat(bad.exitCode()).isEqualTo(2);
		assertThat(bad.err()).contains("runner url 'gpu-2:12434' (base-url=) must be an absolute http or https URL");
		assertThat(this.a.chatRequests()).isZero();
	}

}
