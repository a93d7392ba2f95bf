package dev.dmrbatch.cache;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

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
 * The response cache against the real runner, through a proxy that counts what reaches it: a rerun pays only for
 * what changed, and a reused answer says where it came from.
 */
@ExtendWith(WorkspaceExtension.class)
class ResponseCacheIT {

	Workspace workspace;

	FaultProxy proxy;

	@BeforeEach
	void setUp() throws Exception {
		this.proxy = new FaultProxy(LocalRunner.baseUrl());
		this.workspace.file("jobs/one.yaml", """
				input: { format: csv, path: input/items.csv, id: id }
				model: { name: ai/tiny, max_tokens: 6, temperature: 0, seed: 3 }
				cache: true
				concurrency: 4
				steps:
				  - { name: answer, prompt: "Item ${record.id}: ${text}" }
				""");
		this.workspace.file("jobs/two.yaml", """
				input: { format: csv, path: input/items.csv, id: id }
				model: { name: ai/tiny, max_tokens: 6, temperature: 0, seed: 3 }
				concurrency: 4
				steps:
				  - { name: first, prompt: "Item ${record.id}: ${text}" }
				  - { name: second, template: second.ftl }
				""");
		this.workspace.file("templates/second.ftl", "Shorter, please.");
	}

	@AfterEach
	void tearDown() {
		this.proxy.close();
	}

	private void items(int count) {
		StringBuilder csv = new StringBuilder("id,text\n");
		for (int i = 1; i <= count; i++) {
			csv.append("r").append(i).append(",text number ").append(i).append('\n');
		}
		this.workspace.file("input/items.csv", csv.toString());
	}

	private Dmr.Result run(String... args) {
		Dmr.Result result = this.workspace.dmrAt(this.proxy.baseUrl(), args);
		assertThat(result.exitCode()).as(result.toString()).isZero();
		return result;
	}

	private List<Map<String, Object>> results(String job, String label) throws Exception {
		return this.workspace.results("output/" + job + "/" + label);
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> calls(Map<String, Object> result) {
		return (List<Map<String, Object>>) result.get("calls");
	}

	/** The labels of the job's runs, from their output folders, in the order they sort. */
	private List<String> labels(String job) throws Exception {
		try (var folders = Files.list(this.workspace.path("output/" + job))) {
			return folders.map((folder) -> folder.getFileName().toString()).sorted().toList();
		}
	}

	@Test
	void anotherApiKeyNeverReusesTheFirstKeysAnswers() throws Exception {
		// given: a gateway whose key picks the tenant; tenant A's run is cached
		items(10);
		run("job=one", "run=new", "--dmr.api-key=sk-tenant-a-0123456789");
		assertThat(this.proxy.forwarded()).isEqualTo(10);

		// when: tenant B runs the same requests, then tenant A again
		Dmr.Result tenantB = run("job=one", "run=new", "--dmr.api-key=sk-tenant-b-0123456789");
		Dmr.Result tenantA = run("job=one", "run=new", "--dmr.api-key=sk-tenant-a-0123456789");

		// then: B's were all sent with B's key, A's second run reused A's own
		assertThat(tenantB.out()).contains("cache: 0 calls reused (tokens 0 in, 0 out), 10 sent");
		assertThat(tenantA.out()).contains("cache: 10 calls reused");
		assertThat(this.proxy.forwarded()).isEqualTo(20);
		assertThat(this.proxy.received()).extracting(FaultProxy.Received::authorization)
			.containsOnly("Bearer sk-tenant-a-0123456789", "Bearer sk-tenant-b-0123456789");
	}

	@Test
	void aRerunOfTheSameInputSendsNothingAndTenNewRowsSendTenRequests() throws Exception {
		// given: a nightly run of 30 rows
		items(30);
		Dmr.Result first = run("job=one", "run=new");
		assertThat(this.proxy.forwarded()).isEqualTo(30);
		assertThat(first.out()).contains("cache: 0 calls reused (tokens 0 in, 0 out), 30 sent (tokens ");

		// when: the same input the next night
		Dmr.Result again = run("job=one", "run=new");

		// then: nothing is sent, every answer is the first run's, and says so
		assertThat(this.proxy.forwarded()).isEqualTo(30);
		List<String> labels = labels("one");
		assertThat(labels).hasSize(2).allMatch((label) -> label.matches("\\d{8}-\\d{6}"));
		assertThat(again.out()).contains("one run " + labels.get(1) + " COMPLETED: 30 items, 30 ok, 0 failed")
			.containsPattern("cache: 30 calls reused \\(tokens [1-9]\\d* in, [1-9]\\d* out\\), 0 sent \\(tokens 0 in, "
					+ "0 out\\)");
		List<Map<String, Object>> before = results("one", labels.get(0));
		List<Map<String, Object>> reused = results("one", labels.get(1));
		assertThat(reused).extracting((r) -> r.get("answer")).containsExactlyElementsOf(
				before.stream().map((r) -> r.get("answer")).toList());
		assertThat(reused).extracting((r) -> r.get("usage")).containsExactlyElementsOf(
				before.stream().map((r) -> r.get("usage")).toList());
		assertThat(reused).allSatisfy((r) -> assertThat(calls(r).get(0).get("reused_from"))
			.isEqualTo(Map.of("run", labels.get(0), "item", r.get("id"))));
		assertThat(before).allSatisfy((r) -> assertThat(calls(r).get(0)).doesNotContainKey("reused_from"));
		String report = this.workspace.read("output/one/" + labels.get(1) + "/report.html");
		assertThat(report).contains("30 of 30 calls answered from the response cache")
			.contains("reused from run " + labels.get(0) + ", item r7");

		// when: ten new rows
		items(40);
		Dmr.Result grown = run("job=one", "run=new");

		// then: ten requests, for the new rows only
		assertThat(this.proxy.forwarded()).isEqualTo(40);
		assertThat(this.proxy.forwardedPerItem()).hasSize(40).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
		assertThat(grown.out()).contains("30 calls reused").contains(", 10 sent (tokens ");
		assertThat(labels("one")).hasSize(3);
	}

	@Test
	void reusedAnswersAreCheckedAndALaunchSettingAsksEverythingAgain() throws Exception {
		// given: a cached job whose checks hold one pass and one fail, below the quality gate
		items(10);
		this.workspace.file("jobs/checked.yaml", """
				input: { format: csv, path: input/items.csv, id: id }
				model: { name: ai/tiny, max_tokens: 6, temperature: 0, seed: 3 }
				cache: true
				concurrency: 4
				steps:
				  - name: answer
				    prompt: "Item ${record.id}: ${text}"
				    checks:
				      - { name: short, type: length, max: 100000 }
				      - { name: never, type: equals, value: "never this" }
				gate: { min-pass-rate: 0.5 }
				""");
		Dmr.Result first = this.workspace.dmrAt(this.proxy.baseUrl(), "job=checked", "run=new");
		assertThat(first.exitCode()).as(first.toString()).isEqualTo(6);
		assertThat(this.proxy.forwarded()).isEqualTo(10);

		// when: the same run again, every answer from the cache
		Dmr.Result again = this.workspace.dmrAt(this.proxy.baseUrl(), "job=checked", "run=new");

		// then: nothing is sent, and the reused answers are judged as the first ones were, gate included
		assertThat(again.exitCode()).as(again.toString()).isEqualTo(6);
		assertThat(this.proxy.forwarded()).isEqualTo(10);
		assertThat(again.out()).contains("10 calls reused").contains("0 sent (tokens 0 in, 0 out)")
			.contains("check answer.short: 10/10 passed (100.0%)")
			.contains("check answer.never: 0/10 passed (0.0%)");

		// when: a request setting given at launch, which the requests then carry
		Dmr.Result shorter = this.workspace.dmrAt(this.proxy.baseUrl(), "job=checked", "run=new", "max_tokens=4");

		// then: the requests differ from the stored ones, so every call is sent again
		assertThat(shorter.exitCode()).as(shorter.toString()).isEqualTo(6);
		assertThat(this.proxy.forwarded()).isEqualTo(20);
		assertThat(shorter.out()).contains("0 calls reused").contains("10 sent (tokens ");
	}

	@Test
	void aChangedSecondStepTemplateSendsOnlyTheSecondSteps() throws Exception {
		// given
		items(12);
		run("job=two", "run=a", "cache=on");
		assertThat(this.proxy.forwarded()).isEqualTo(24);
		int seen = this.proxy.chatBodies().size();

		// when
		this.workspace.file("templates/second.ftl", "Now in one word.");
		Dmr.Result changed = run("job=two", "run=b", "cache=on");

		// then: one request per item, each the second step with its new prompt after the first step's reused answer
		List<String> sent = this.proxy.chatBodiesSince(seen);
		assertThat(sent).hasSize(12).allSatisfy((body) -> assertThat(body).contains("Now in one word."));
		assertThat(changed.out()).contains("cache: 12 calls reused").contains(", 12 sent (");
		assertThat(results("two", "b")).allSatisfy((r) -> {
			assertThat(calls(r).get(0)).containsEntry("reused_from", Map.of("run", "a", "item", r.get("id")));
			assertThat(calls(r).get(1)).doesNotContainKey("reused_from");
		});
	}

	@Test
	void aStepThatRepeatsAnEarlierOneIsAnsweredOfItsOwnAndReusedAsSuchOnlyInALaterRun() throws Exception {
		// given: two steps that send the very same request (a fresh conversation each, the same prompt)
		this.workspace.file("jobs/twice.yaml", """
				input: { format: csv, path: input/items.csv, id: id }
				model: { name: ai/tiny, max_tokens: 6, temperature: 0, seed: 3 }
				cache: true
				concurrency: 2
				steps:
				  - { name: first, prompt: "Item ${record.id}: ${text}" }
				  - { name: again, prompt: "Item ${record.id}: ${text}", conversation: new }
				""");
		items(5);

		// when: the first run
		Dmr.Result first = run("job=twice", "run=a");

		// then: the second step is not given the first step's answer as a call of its own: it is reused, and said so
		int sent = this.proxy.forwarded();
		List<Map<String, Object>> results = results("twice", "a");
		long marked = results.stream().filter((r) -> calls(r).get(1).containsKey("reused_from")).count();
		assertThat(sent + marked).isEqualTo(10);
		assertThat(first.out()).contains(", " + sent + " sent (");
		assertThat(results).allSatisfy((r) -> assertThat(calls(r).get(0)).doesNotContainKey("reused_from"));
	}

	@Test
	void aChangedTemperatureSendsEverythingAndSoDoesARunWithTheCacheOff() throws Exception {
		// given
		items(10);
		run("job=one", "run=a");
		assertThat(this.proxy.forwarded()).isEqualTo(10);

		// when: another temperature
		this.workspace.file("jobs/one.yaml", this.workspace.read("jobs/one.yaml").replace("temperature: 0,",
				"temperature: 0.5,"));
		run("job=one", "run=b");

		// then
		assertThat(this.proxy.forwarded()).isEqualTo(20);

		// and: the launch argument turns the job file's cache off
		run("job=one", "run=c", "cache=off");
		assertThat(this.proxy.forwarded()).isEqualTo(30);
		assertThat(results("one", "c")).allSatisfy((r) -> assertThat(calls(r).get(0)).doesNotContainKey("reused_from"));
		// a run with the cache off stores nothing for it
		assertThat(storedAnswersPerRun()).containsExactly(Map.entry(1L, 10L), Map.entry(2L, 10L));
	}

	/** The rows of the store's cache table, per run. */
	private Map<Long, Long> storedAnswersPerRun() throws Exception {
		Map<Long, Long> counts = new java.util.TreeMap<>();
		try (java.sql.Connection connection = this.workspace.store();
				java.sql.ResultSet rows = connection.createStatement()
					.executeQuery("select run_id, count(*) from dmr_cache group by run_id")) {
			while (rows.next()) {
				counts.put(rows.getLong(1), rows.getLong(2));
			}
		}
		return counts;
	}

	@Test
	void refreshSendsEverythingAndItsAnswersAreTheOnesReusedNext() throws Exception {
		// given
		items(10);
		run("job=one", "run=a");

		// when
		Dmr.Result refreshed = run("job=one", "run=b", "cache=refresh");
		run("job=one", "run=c");

		// then
		assertThat(this.proxy.forwarded()).isEqualTo(20);
		assertThat(refreshed.out()).contains("cache: 0 calls reused").contains(", 10 sent (");
		assertThat(results("one", "c")).allSatisfy((r) -> assertThat(calls(r).get(0).get("reused_from"))
			.isEqualTo(Map.of("run", "b", "item", r.get("id"))));
	}

	@Test
	void aFailedCallIsNeverReused() throws Exception {
		// given: item r2's request refused by the runner once
		items(6);
		this.proxy.faultsPerItem((seen) -> (seen.item().equals("r2") && seen.attempt() == 1)
				? new FaultProxy.Status(400, "{\"error\": {\"message\": \"refused\"}}") : FaultProxy.FORWARD);
		Dmr.Result failed = this.workspace.dmrAt(this.proxy.baseUrl(), "job=one", "run=a");
		assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(3);

		// when
		Dmr.Result again = run("job=one", "run=b");

		// then: only the failed item is asked again
		assertThat(this.proxy.chatRequests()).isEqualTo(7);
		assertThat(again.out()).contains("cache: 5 calls reused").contains(", 1 sent (");
		assertThat(results("one", "b").get(1)).containsEntry("status", "ok");
		assertThat(calls(results("one", "b").get(1)).get(0)).doesNotContainKey("reused_from");
	}

	@Test
	void killDashNineDuringAPartlyCachedRunResumesWithNothingSentTwice() throws Exception {
		// given: 60 rows answered, then 140 more
		items(60);
		run("job=one", "run=a");
		items(200);
		DmrProcess second = DmrProcess.start(this.workspace, this.proxy.baseUrl(), "job=one", "run=b");
		second.awaitRequests(this.proxy::forwarded, 60 + 60);

		// when: kill -9, then the same command
		second.kill();
		int beforeTheCrash = this.proxy.forwarded();
		Dmr.Result resumed = run("job=one", "run=b");

		// then: every new row was sent once; only a request in flight at the crash (at most one per slot) twice
		assertThat(resumed.err()).contains("resuming run 2 of one");
		assertThat(resumed.out()).contains("one run b COMPLETED: 200 items, 200 ok, 0 failed");
		Map<String, Integer> perItem = this.proxy.forwardedPerItem();
		assertThat(perItem).hasSize(200);
		assertThat(IntStream.rangeClosed(1, 60).mapToObj((i) -> perItem.get("r" + i))).containsOnly(1);
		int twice = this.proxy.forwarded() - 200;
		assertThat(twice).as("requests sent again after the crash (%d sent before it)", beforeTheCrash)
			.isBetween(0, 4);
		List<Map<String, Object>> results = results("one", "b");
		assertThat(results).extracting((r) -> r.get("id"))
			.containsExactlyElementsOf(IntStream.rangeClosed(1, 200).mapToObj((i) -> "r" + i).toList());
		assertThat(results.subList(0, 60)).allSatisfy((r) -> assertThat(calls(r).get(0)).containsKey("reused_from"));
		assertThat(results.subList(60, 200)).allSatisfy((r) -> assertThat(calls(r).get(0))
			.doesNotContainKey("reused_from"));
	}

}
