package dev.dmrbatch.run;

import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

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
 * {@code retry=failed} against the real runner, through a proxy that counts what reaches it: only the failed items
 * (of several models, only the failed model's conversations) are sent again, inside the same run, whose store,
 * exports and exit code then say how it stands, with the earlier errors kept.
 */
@ExtendWith(WorkspaceExtension.class)
class RetryFailedIT {

	private static final Pattern MODEL = Pattern.compile("\"model\"\\s*:\\s*\"([^\"]*)\"");

	private static final FaultProxy.Status REFUSED = new FaultProxy.Status(400,
			"{\"error\": {\"message\": \"refused by the test\"}}");

	Workspace workspace;

	FaultProxy proxy;

	@BeforeEach
	void setUp() throws Exception {
		this.proxy = new FaultProxy(LocalRunner.baseUrl());
		StringBuilder csv = new StringBuilder("id,text\n");
		for (int i = 1; i <= 6; i++) {
			csv.append("r").append(i).append(",text number ").append(i).append('\n');
		}
		this.workspace.file("input/items.csv", csv.toString());
		this.workspace.file("jobs/one.yaml", """
				input: { format: csv, path: input/items.csv, id: id }
				model: { name: ai/tiny, max_tokens: 6, temperature: 0, seed: 3 }
				concurrency: 2
				steps:
				  - name: answer
				    prompt: "Item ${record.id}: ${text}"
				    checks:
				      - { name: bounded, type: length, max: 10000 }
				""");
		this.workspace.file("jobs/two.yaml", """
				input: { format: csv, path: input/items.csv, id: id }
				models: [ai/tiny, ai/tiny2]
				model: { max_tokens: 6, temperature: 0, seed: 3 }
				concurrency: 2
				steps:
				  - { name: answer, prompt: "Item ${record.id}: ${text}" }
				""");
	}

	@AfterEach
	void tearDown() {
		this.proxy.close();
	}

	private Dmr.Result dmr(String... args) {
		return this.workspace.dmrAt(this.proxy.baseUrl(), args);
	}

	@Test
	@SuppressWarnings("unchecked")
	void onlyTheFailedItemsAreSentAgainInsideTheSameRunAndTheirEarlierErrorsAreKept() throws Exception {
		// given: r2 and r5 refused by the runner in the first run
		this.proxy.faultsPerItem((seen) -> (seen.item().equals("r2") || seen.item().equals("r5")) ? REFUSED
				: FaultProxy.FORWARD);
		Dmr.Result first = dmr("job=one");
		assertThat(first.exitCode()).as(first.toString()).isEqualTo(3);
		int afterFirst = this.proxy.chatBodies().size();
		Dmr.Result again = dmr("job=one");
		assertThat(again.out()).contains("retry=failed asks its failed items again");

		// when: a retry while r5 is still refused, then one with the runner healthy
		this.proxy.faultsPerItem((seen) -> seen.item().equals("r5") ? REFUSED : FaultProxy.FORWARD);
		Dmr.Result partly = dmr("job=one", "retry=failed");
		int afterPartly = this.proxy.chatBodies().size();
		this.proxy.faultsPerItem((seen) -> FaultProxy.FORWARD);
		Dmr.Result healed = dmr("job=one", "retry=failed");

		// then: each retry sent exactly the failed items, in the same run
		assertThat(this.proxy.sentSince(afterFirst, MODEL).subList(0, afterPartly - afterFirst)).containsExactlyInAnyOrder("r2 ai/tiny",
				"r5 ai/tiny");
		assertThat(partly.exitCode()).as(partly.toString()).isEqualTo(3);
		assertThat(partly.out()).contains("one run 1 COMPLETED: 6 items, 5 ok, 1 failed; 1 answered in this execution");
		// the progress counts the retried items as done once stored again, not on top of those stored
		assertThat(partly.err()).containsPattern("progress: 6(/6 items \\(100%\\))?(, | items, )1 failed");
		assertThat(this.proxy.sentSince(afterPartly, MODEL)).containsExactly("r5 ai/tiny");
		assertThat(healed.exitCode()).as(healed.toString()).isZero();
		assertThat(healed.out()).contains("one run 1 COMPLETED: 6 items, 6 ok, 0 failed; 1 answered in this execution")
			.contains("check answer.bounded: 6/6 passed");
		// the store: every item ok once, the earlier errors kept, no other run made
		assertThat(this.workspace.count("select count(*) from dmr_conversation where status = 'ok' and run_id = 1")).isEqualTo(6);
		assertThat(this.workspace.count("select count(*) from dmr_conversation")).isEqualTo(6);
		assertThat(this.workspace.count("select count(*) from dmr_run")).isEqualTo(1);
		assertThat(this.workspace.count("select count(*) from dmr_attempt where item_seq = 5")).isEqualTo(2);
		// the exports, written again from the store
		List<Map<String, Object>> results = this.workspace.results("output/one/run-1");
		assertThat(results).extracting((r) -> r.get("status")).containsOnly("ok");
		assertThat(results).hasSize(6);
		assertThat(results.get(1)).containsKey("checks");
		assertThat((List<String>) results.get(1).get("earlier_errors")).singleElement()
			.asString().contains("refused by the test");
		assertThat((List<String>) results.get(4).get("earlier_errors")).hasSize(2);
		assertThat(results.get(0)).doesNotContainKey("earlier_errors");
		// the run's history says so: the same command again finds it complete with nothing failed
		Dmr.Result nothing = dmr("job=one", "retry=failed");
		assertThat(nothing.exitCode()).as(nothing.toString()).isZero();
		assertThat(nothing.out()).contains("one run 1 has no failed items (6 ok); nothing was sent");
		assertThat(this.proxy.chatBodies()).hasSize(afterPartly + 1);
	}

	@Test
	void withTwoModelsOnlyTheFailedModelsConversationIsSentAgain() throws Exception {
		// given: r3's request to ai/tiny2 refused
		this.proxy.faultsPerItem((seen) -> (seen.item().equals("r3") && seen.model().equals("ai/tiny2")) ? REFUSED
				: FaultProxy.FORWARD);
		Dmr.Result first = dmr("job=two", "run=b");
		assertThat(first.exitCode()).as(first.toString()).isEqualTo(3);
		int afterFirst = this.proxy.chatBodies().size();
		assertThat(afterFirst).isEqualTo(12);

		// when
		this.proxy.faultsPerItem((seen) -> FaultProxy.FORWARD);
		Dmr.Result retried = dmr("job=two", "run=b", "retry=failed");

		// then
		assertThat(retried.exitCode()).as(retried.toString()).isZero();
		assertThat(this.proxy.sentSince(afterFirst, MODEL)).containsExactly("r3 ai/tiny2");
		assertThat(retried.out()).contains("two run b COMPLETED: 12 items, 12 ok, 0 failed; 1 answered in this execution");
		List<Map<String, Object>> results = this.workspace.results("output/two/b");
		assertThat(results).hasSize(12).extracting((r) -> r.get("status")).containsOnly("ok");
		assertThat(results).filteredOn((r) -> r.containsKey("earlier_errors"))
			.extracting((r) -> r.get("id") + " " + r.get("model"))
			.containsExactly("r3 ai/tiny2");
	}

	@Test
	@SuppressWarnings("unchecked")
	void aRetryKilledMidwayIsTakenUpByTheSameCommandAndWhatItStoredIsNotSentAgain() throws Exception {
		// given: every item refused in the run, then a retry killed while the runner answers slowly
		this.proxy.faultsPerItem((seen) -> REFUSED);
		Dmr.Result first = dmr("job=one");
		assertThat(first.exitCode()).as(first.toString()).isEqualTo(3);
		this.proxy.faultsPerItem((seen) -> new FaultProxy.Slow(1000));
		DmrProcess retry = DmrProcess.start(this.workspace, this.proxy.baseUrl(), "job=one", "retry=failed");
		retry.awaitRequests(this.proxy::forwarded, 5);
		retry.kill();
		List<String> storedOk = new ArrayList<>();
		try (Connection connection = this.workspace.store();
				ResultSet rows = connection.createStatement()
					.executeQuery("select item_id from dmr_conversation where status = 'ok'")) {
			while (rows.next()) {
				storedOk.add(rows.getString(1) + " ai/tiny");
			}
		}
		int afterKill = this.proxy.chatBodies().size();

		// when: the same command as the run's, with the runner healthy
		this.proxy.faultsPerItem((seen) -> FaultProxy.FORWARD);
		Dmr.Result takenUp = dmr("job=one");

		// then: the retry goes on with what still failed, and each item was replaced once
		assertThat(takenUp.exitCode()).as(takenUp.toString()).isZero();
		assertThat(takenUp.out()).contains("one run 1 COMPLETED: 6 items, 6 ok, 0 failed");
		assertThat(this.proxy.sentSince(afterKill, MODEL)).hasSize(6 - storedOk.size()).doesNotContainAnyElementsOf(storedOk);
		assertThat(this.workspace.results("output/one/run-1")).hasSize(6)
			.allSatisfy((r) -> assertThat((List<String>) r.get("earlier_errors")).singleElement()
				.asString().contains("refused by the test"));
	}

	@Test
	void aRunWithNothingFailedSendsNothing() throws Exception {
		// given
		Dmr.Result first = dmr("job=one", "run=c");
		assertThat(first.exitCode()).as(first.toString()).isZero();
		int sent = this.proxy.chatRequests();

		// when
		Dmr.Result retried = dmr("job=one", "run=c", "retry=failed");

		// then
		assertThat(retried.exitCode()).as(retried.toString()).isZero();
		assertThat(retried.out()).contains("one run c has no failed items (6 ok); nothing was sent");
		assertThat(this.proxy.chatRequests()).isEqualTo(sent);
	}

	@Test
	void aRetryOfNoRunOrWithABadValueIsRefused() {
		Dmr.Result none = dmr("job=one", "run=nope", "retry=failed");
		assertThat(none.exitCode()).isEqualTo(2);
		assertThat(none.err()).contains("there is no run nope of one to retry");
		Dmr.Result bad = dmr("job=one", "retry=all");
		assertThat(bad.exitCode()).isEqualTo(2);
		assertThat(bad.err()).contains("retry=all is not a retry: retry=failed asks a run's failed items again");
		assertThat(this.proxy.chatRequests()).isZero();
	}

}
