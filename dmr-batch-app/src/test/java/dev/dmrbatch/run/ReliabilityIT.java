package dev.dmrbatch.run;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.DmrProcess;
import dev.dmrbatch.support.FaultProxy;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nothing lost, nothing sent twice: crashes, stops, a flaky or vanishing runner, in the spirit of spring-batch's
 * RestartFunctionalTests (fail mid-run, run again with the same parameters, count). A proxy in front of the real
 * runner counts what each item cost and injects the faults.
 */
@ExtendWith(WorkspaceExtension.class)
class ReliabilityIT {

	/**
	 * At default settings (concurrency 4, chunks of 8, 8 read ahead) a crash may cost the uncommitted part of the
	 * chunk, the read-ahead window and the item the feeder holds: 18 at most (measured 5 to 15 since H2 flushes
	 * every commit, WRITE_DELAY=0; before that, commits of the last half second were lost too, up to 84).
	 */
	private static final int MAX_RESENT = 18;

	Workspace workspace;

	FaultProxy proxy;

	@BeforeEach
	void setUp() throws Exception {
		this.proxy = new FaultProxy(LocalRunner.baseUrl());
		this.workspace.itemsJob();
	}

	@AfterEach
	void tearDown() {
		this.proxy.close();
	}

	private void items(int count) {
		StringBuilder csv = new StringBuilder("id,text\n");
		for (int i = 1; i <= count; i++) {
			csv.append("r").append(i).append(",\"text ").append(i).append(", quoted \"\"here\"\"\"\n");
		}
		this.workspace.file("input/items.csv", csv.toString());
	}

	/** Every item once in the results, answered, in input order. */
	private void assertEveryItemOnceAndOk(int count) throws Exception {
		List<Map<String, Object>> results = this.workspace.results("output/items/run-1");
		assertThat(results).hasSize(count);
		assertThat(results).extracting((r) -> r.get("id"))
			.containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, count).mapToObj((i) -> "r" + i).toList());
		assertThat(results).extracting((r) -> r.get("status")).containsOnly("ok");
	}

	@Test
	void killDashNineMidRunThenTheSameCommandResumesWithoutSendingAnsweredItemsAgain() throws Exception {
		// given
		items(400);
		DmrProcess first = DmrProcess.start(this.workspace, this.proxy.baseUrl(), "job=items");
		first.awaitRequests(this.proxy::forwarded, 150);

		// when: kill -9, then the same command
		first.kill();
		int sentBeforeTheCrash = this.proxy.forwarded();
		Dmr.Result resumed = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items");

		// then
		assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
		assertThat(resumed.err()).contains("was left STARTED by a process that is gone; recovering it")
			.contains("resuming run 1 of items");
		assertThat(resumed.out()).contains("items run 1 COMPLETED: 400 items, 400 ok, 0 failed");
		assertEveryItemOnceAndOk(400);
		Map<String, Integer> perItem = this.proxy.forwardedPerItem();
		assertThat(perItem).hasSize(400);
		int resent = this.proxy.forwarded() - 400;
		assertThat(resent).as("requests sent again after the crash (%d sent before it)", sentBeforeTheCrash)
			.isBetween(0, MAX_RESENT);
		assertThat(perItem.values()).allMatch((n) -> n <= 2);
	}

	@Test
	void sigtermStopsTheRunWithExitCode4AndTheSameCommandResumesIt() throws Exception {
		items(400);
		// with a check: the conversations read ahead and stored at the stop keep their verdicts too
		this.workspace.itemsJob("    checks:", "      - { name: some, type: length, min: 0 }");
		DmrProcess first = DmrProcess.start(this.workspace, this.proxy.baseUrl(), "job=items");
		first.awaitRequests(this.proxy::forwarded, 100);

		first.terminate();
		assertThat(first.waitFor()).as(first.err()).isEqualTo(4);
		assertThat(first.out()).contains("items run 1 STOPPED");
		assertThat(first.err()).contains("SIGTERM: stopping after the requests in flight")
			.contains("the same command resumes the run")
			.doesNotContain("Exception");
		int sentBeforeTheStop = this.proxy.forwarded();

		Dmr.Result resumed = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items");
		assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
		assertEveryItemOnceAndOk(400);
		assertThat(resumed.out()).contains("check answer.some: 400/400 passed");
		// a clean stop commits everything that was answered: nothing is sent twice
		assertThat(this.proxy.forwarded()).as("%d sent before the stop", sentBeforeTheStop).isEqualTo(400);
	}

	@Test
	void aStopSendsNothingAfterTheRequestsInFlightEvenMidChunk() throws Exception {
		items(40);
		// one request at a time (chunks of four), the fifth to the ninth slow: the stop comes while the sixth is
		// being answered, in the middle of the second chunk
		this.proxy.faults((n) -> (n >= 5 && n <= 9) ? new FaultProxy.Slow(4000) : FaultProxy.FORWARD);
		DmrProcess first = DmrProcess.start(this.workspace, this.proxy.baseUrl(), "job=items", "concurrency=1");
		first.awaitRequests(this.proxy::chatRequests, 6);

		first.terminate();
		assertThat(first.waitFor()).as(first.err()).isEqualTo(4);
		assertThat(first.out()).contains("items run 1 STOPPED");
		// the request in flight was answered and stored; the rest of the chunk was not sent
		assertThat(this.proxy.chatRequests()).as("requests sent by the stopped run").isEqualTo(6);

		Dmr.Result resumed = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items");
		assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
		assertEveryItemOnceAndOk(40);
		assertThat(this.proxy.forwarded()).as("nothing sent twice").isEqualTo(40);
	}

	@Test
	void withTheStoreNotSharedASecondProcessOnTheSameDataFileIsToldSoAndChangesNothing() throws Exception {
		// the first run goes slowly after its first 50 items, so that it still has the file while the second starts
		items(200);
		this.proxy.faults((n) -> (n > 50) ? new FaultProxy.Slow(300) : FaultProxy.FORWARD);
		DmrProcess first = DmrProcess.start(this.workspace, this.proxy.baseUrl(), "job=items", "--dmr.store.shared=false");
		first.awaitRequests(this.proxy::forwarded, 50);

		Dmr.Result second = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "run=other",
				"--dmr.store.shared=false");

		assertThat(first.isAlive()).as("the first run, while the second started").isTrue();
		assertThat(second.exitCode()).isEqualTo(2);
		assertThat(second.err()).contains("error: the data file " + this.workspace.path("data/dmr-batch.mv.db")
				+ " is in use by another dmr-batch process").doesNotContain("Exception");
		this.proxy.faults((n) -> FaultProxy.FORWARD);
		assertThat(first.waitFor()).isZero();
		assertEveryItemOnceAndOk(200);
		assertThat(this.workspace.path("data/dmr-batch.server")).as("no store server").doesNotExist();
	}

	@Test
	void transientFaultsAreRetriedAndEveryItemIsAnsweredOnce() throws Exception {
		items(120);
		// deterministic: some items' first or second attempt meets a fault, never more than two for one item
		this.proxy.faultsPerItem((seen) -> {
			int i = Integer.parseInt(seen.item().substring(1));
			if (seen.attempt() == 1 && i % 11 == 0) {
				return new FaultProxy.Drop();
			}
			if (seen.attempt() == 2 && i % 7 == 0) {
				return new FaultProxy.Status(502, "");
			}
			if (seen.attempt() == 1 && i % 5 == 0) {
				return new FaultProxy.Status(429, "{\"error\":{\"message\":\"slow down\"}}");
			}
			if (seen.attempt() == 1 && i % 3 == 0) {
				return new FaultProxy.Status(500,
						"{\"error\":{\"code\":500,\"message\":\"Context size has been exceeded.\",\"type\":\"server_error\"}}");
			}
			return FaultProxy.FORWARD;
		});

		Dmr.Result result = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "--dmr.retry.attempts=8",
				"--dmr.retry.backoff=5ms", "--dmr.retry.max-backoff=20ms");

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertEveryItemOnceAndOk(120);
		assertThat(this.proxy.forwardedPerItem()).hasSize(120).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
		assertThat(this.proxy.chatRequests()).isGreaterThan(180); // the faults did happen
		assertThat(result.err()).contains("retrying with backoff")
			.contains("answered 429: slow down")
			.contains("answered 502: an empty answer")
			.contains("the runner's shared context is full (\"Context size has been exceeded.\"): lowering concurrency to 2");
	}

	@Test
	void aRunnerGoneForGoodFailsTheJobWithItsUrlAndTheSameCommandResumesLater() throws Exception {
		items(200);
		this.proxy.faults((n) -> (n > 60) ? new FaultProxy.Drop() : FaultProxy.FORWARD);

		Dmr.Result failed = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "--dmr.retry.attempts=3",
				"--dmr.retry.backoff=50ms");

		assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(5);
		assertThat(failed.out()).contains("items run 1 FAILED");
		assertThat(failed.err()).contains("error: the run failed: cannot reach the model runner at " + this.proxy.baseUrl())
			.contains("The same command resumes it")
			.doesNotContain("\tat ");
		long stored = Long.parseLong(failed.out().replaceAll("(?s).*FAILED: (\\d+) items.*", "$1"));
		assertThat(stored).as("what was answered before the runner went away stays").isBetween(16L, 60L);

		this.proxy.faults((n) -> FaultProxy.FORWARD);
		Dmr.Result resumed = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items");
		assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
		assertEveryItemOnceAndOk(200);
		// the chunk in progress when the runner went away was never committed: only it is sent again
		assertThat(this.proxy.forwarded() - 200).isBetween(0, 16);
		assertThat(this.proxy.forwardedPerItem()).hasSize(200).allSatisfy((id, n) -> assertThat(n).isBetween(1, 2));
	}

	@Test
	void theRunnerStoppedAndStartedAgainMidRunCostsOnlyTime() throws Exception {
		int port = LocalRunner.PORT + 4;
		String runner = LocalRunner.start(port, List.of("--threads", "1"));
		try (FaultProxy own = new FaultProxy(runner)) {
			items(300);
			Thread restart = new Thread(() -> {
				try {
					while (own.forwarded() < 100) {
						Thread.sleep(10);
					}
					LocalRunner.stop(port);
					Thread.sleep(1500);
					LocalRunner.start(port, List.of("--threads", "1"));
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			});
			restart.start();
			Dmr.Result result = Dmr.run(this.workspace, own.baseUrl(), "job=items", "--dmr.retry.attempts=8",
					"--dmr.retry.backoff=500ms", "--dmr.retry.max-backoff=4s");
			restart.join();

			assertThat(result.exitCode()).as(result.toString()).isZero();
			assertThat(result.err()).contains("retrying with backoff");
			assertEveryItemOnceAndOk(300);
		}
		finally {
			LocalRunner.stop(port);
		}
	}

	@Test
	void pastTheSkipLimitTheJobFailsAndTheSameCommandTriesTheFailedItemsAgain() throws Exception {
		this.workspace.file("jobs/items.yaml", """
				input: { format: jsonl, path: input/items.jsonl }
				model: { name: ai/tiny, max_tokens: 4 }
				skip-limit: 1
				steps: [ { name: a, prompt: "Item ${record.id}: ${text}" } ]
				""");
		this.workspace.file("input/items.jsonl", "{\"text\":\"a\"}\n{}\n{\"text\":\"c\"}\n{}\n{\"text\":\"e\"}\n");

		Dmr.Result result = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items");

		assertThat(result.exitCode()).as(result.toString()).isEqualTo(5);
		assertThat(result.err()).contains("more than skip-limit 1 items failed; item 4: variable 'text' is missing");
	}

	@Test
	void aPromptLongerThanTheContextFailsThatItemWithTheRunnersMessage() throws Exception {
		// 4096 tokens a slot; the tiny model's byte-level tokenizer gives about one token a character
		this.workspace.file("input/items.csv", "id,text\nr1,short\nr2,\"" + "long text ".repeat(1500) + "\"\nr3,short\n");

		Dmr.Result result = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items");

		assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
		List<Map<String, Object>> results = this.workspace.results("output/items/run-1");
		assertThat(results).extracting((r) -> r.get("status")).containsExactly("ok", "failed", "ok");
		assertThat(results.get(1).get("error")).asString()
			.startsWith("step answer: model 'ai/tiny' at " + this.proxy.baseUrl() + " answered 400: ")
			.contains("context");
		assertThat(this.proxy.forwardedPerItem()).containsEntry("r2", 1); // a 400 is not retried
	}

	@Test
	void anEmptyInputIsACleanRunWithNothingToDo() throws Exception {
		this.workspace.file("input/items.csv", "");
		Dmr.Result result = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items");
		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.out()).contains("COMPLETED: 0 items");
		// the proxy passes no props: auto falls back to the profile's setting, and says so
		assertThat(result.err()).contains("concurrency auto: 4, from dmr.concurrency");
		assertThat(this.proxy.chatRequests()).isZero();
	}

	@Test
	void bytesThatAreNotUtf8FailTheirItemOnlyAndAreNeverSent() throws Exception {
		this.workspace.bytes("input/items.csv",
				"id,text\nr1,caf\u00e9 ok\nr2,bad ".getBytes(java.nio.charset.StandardCharsets.UTF_8));
		Files.write(this.workspace.path("input/items.csv"), new byte[] { (byte) 0xC3, (byte) 0x28, '\n' },
				java.nio.file.StandardOpenOption.APPEND);
		Dmr.Result result = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items");
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
		List<Map<String, Object>> results = this.workspace.results("output/items/run-1");
		assertThat(results).extracting((r) -> r.get("status")).containsExactly("ok", "failed");
		assertThat(results.get(1).get("error")).isEqualTo(
				"input/items.csv line 3: field 'text' holds bytes that are not valid UTF-8 (save the file as UTF-8)");
		assertThat(this.proxy.chatRequests()).isEqualTo(1);
	}

	static <T> Map<T, Long> count(List<T> values) {
		return values.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
	}

}
