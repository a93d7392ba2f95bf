package dev.dmrbatch.run;

import java.nio.file.Files;
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
 * {@code repeat=N} against the real runner, through a proxy that counts what reaches it: each item is asked N times,
 * a seed counted up per repetition, stored as N conversations that each get their checks, exported with
 * {@code repeat}, summed up as how the answers agree; {@code retry=failed} asks only the failed repetition again.
 */
@ExtendWith(WorkspaceExtension.class)
class RepeatIT {

	private static final Pattern SEED = Pattern.compile("\"seed\"\\s*:\\s*(\\d+)");

	private static final FaultProxy.Status REFUSED = new FaultProxy.Status(400,
			"{\"error\": {\"message\": \"refused by the test\"}}");

	Workspace workspace;

	FaultProxy proxy;

	@BeforeEach
	void setUp() throws Exception {
		this.proxy = new FaultProxy(LocalRunner.baseUrl());
		StringBuilder csv = new StringBuilder("id,text\n");
		for (int i = 1; i <= 4; i++) {
			csv.append("r").append(i).append(",text number ").append(i).append('\n');
		}
		this.workspace.file("input/items.csv", csv.toString());
		this.workspace.file("jobs/vote.yaml", """
				input: { format: csv, path: input/items.csv, id: id }
				model: { name: ai/tiny, max_tokens: 6, temperature: 0.8, seed: 3 }
				concurrency: 2
				export: [jsonl, csv, junit]
				steps:
				  - name: answer
				    prompt: "Item ${record.id}: ${text}"
				    checks:
				      - { name: bounded, type: length, max: 10000 }
				      - { name: label, type: expected, value: "${steps.answer}" }
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
	void eachItemIsAskedNTimesStoredAsNConversationsAndTheSummarySaysHowTheyAgree() throws Exception {
		// given: r2's second repetition refused by the runner
		this.proxy.faultsPerItem((seen) -> (seen.item().equals("r2") && seen.attempt() == 2) ? REFUSED
				: FaultProxy.FORWARD);

		// when
		Dmr.Result run = dmr("job=vote", "repeat=3");

		// then: 4 items × 3 requests, each repetition with its own seed
		assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
		assertThat(this.proxy.chatRequests()).isEqualTo(12);
		// the progress counts items, not answers
		assertThat(run.err()).containsPattern("progress: 4(/4 items \\(100%\\))?(, | items, )1 failed");
		assertThat(this.proxy.sentSince(0, SEED)).containsExactlyInAnyOrder("r1 3", "r1 4", "r1 5", "r2 3", "r2 4", "r2 5", "r3 3",
				"r3 4", "r3 5", "r4 3", "r4 4", "r4 5");
		// the store: three conversations per item, each with its checks' verdicts
		assertThat(this.workspace.count("select count(*) from dmr_conversation")).isEqualTo(12);
		assertThat(this.workspace.count("select count(distinct repetition) from dmr_conversation where item_seq = 1")).isEqualTo(3);
		assertThat(this.workspace.count("select count(*) from dmr_conversation where status <> 'ok'")).isEqualTo(1);
		assertThat(this.workspace.count("select repetition from dmr_conversation where status <> 'ok'")).isEqualTo(2);
		assertThat(this.workspace.count("select count(*) from dmr_check where check_key = 'answer.bounded'")).isEqualTo(11);
		assertThat(this.workspace.count("select count(*) from dmr_check where passed")).isEqualTo(22);
		// the summary: how many of each item's answers passed, and the majority answer's verdict
		assertThat(run.out()).contains("vote run 1 COMPLETED: 12 items, 11 ok, 1 failed")
			.contains("check answer.bounded: 11/11 passed")
			.contains("repeat 3 (3 requests per item and model, one answer each): answers that passed every check, "
					+ "per item: 3/3 on 3 items, 2/3 on 1, 1/3 on 0, 0/3 on 0")
			.contains("check answer.label: the majority answer passed on 4/4 items (100.0%)");
		// the exports: one line per answer, which one it is
		List<Map<String, Object>> results = this.workspace.results("output/vote/run-1");
		assertThat(results).hasSize(12);
		assertThat(results).extracting((r) -> r.get("id") + " " + r.get("repeat"))
			.containsExactly("r1 1", "r1 2", "r1 3", "r2 1", "r2 2", "r2 3", "r3 1", "r3 2", "r3 3", "r4 1", "r4 2",
					"r4 3");
		assertThat(results.get(4)).containsEntry("status", "failed");
		assertThat(this.workspace.read("output/vote/run-1/results.csv")).startsWith("\uFEFFid,status,error,model,repeat,")
			.contains("\nr2,failed,");
		assertThat(this.workspace.read("output/vote/run-1/junit.xml")).contains("name=\"r2 (repeat 2)\"")
			.contains("name=\"r4 (repeat 3)\"");

		// when: the failed repetition asked again
		this.proxy.faultsPerItem((seen) -> FaultProxy.FORWARD);
		Dmr.Result retried = dmr("job=vote", "retry=failed");

		// then: only r2's second repetition was sent again, with its own seed, and replaced in the same run
		assertThat(retried.exitCode()).as(retried.toString()).isZero();
		assertThat(this.proxy.sentSince(12, SEED)).containsExactly("r2 4");
		assertThat(retried.err()).containsPattern("progress: 4(/4 items \\(100%\\))?(, | items, )0 failed");
		assertThat(this.workspace.count("select count(*) from dmr_conversation")).isEqualTo(12);
		assertThat(this.workspace.count("select count(*) from dmr_conversation where status = 'ok'")).isEqualTo(12);
		assertThat(this.workspace.count("select repetition from dmr_attempt where item_seq = 2")).isEqualTo(2);
		assertThat(retried.out()).contains("vote run 1 COMPLETED: 12 items, 12 ok, 0 failed")
			.contains("per item: 3/3 on 4 items, 2/3 on 0, 1/3 on 0, 0/3 on 0");
		assertThat(this.workspace.results("output/vote/run-1")).hasSize(12).filteredOn((r) -> r.containsKey("earlier_errors"))
			.extracting((r) -> r.get("id") + " " + r.get("repeat"))
			.containsExactly("r2 2");

		// and: the run checked again, each answer with its own verdicts
		Dmr.Result checked = dmr("job=check", "run=1");
		assertThat(checked.exitCode()).as(checked.toString()).isZero();
		assertThat(checked.out()).contains("checked again (evaluation 1): 12 conversations");
		assertThat(this.workspace.count("select count(*) from dmr_check where evaluation = 1")).isEqualTo(24);
	}

	@Test
	void aRepeatedRunKilledMidwayStoresEachItemsAnswersTogetherAndTheRestartNeverSendsAStoredOneAgain()
			throws Exception {
		// given: 12 items asked 3 times, killed while the runner answers slowly
		StringBuilder csv = new StringBuilder("id,text\n");
		for (int i = 1; i <= 12; i++) {
			csv.append("r").append(i).append(",text number ").append(i).append('\n');
		}
		this.workspace.file("input/items.csv", csv.toString());
		this.proxy.faultsPerItem((seen) -> new FaultProxy.Slow(300));
		DmrProcess run = DmrProcess.start(this.workspace, this.proxy.baseUrl(), "job=vote", "repeat=3");
		run.awaitRequests(this.proxy::forwarded, 14);
		run.kill();
		List<String> stored = new ArrayList<>();
		try (Connection connection = this.workspace.store();
				ResultSet rows = connection.createStatement()
					.executeQuery("select item_id, count(*) from dmr_conversation group by item_id")) {
			while (rows.next()) {
				assertThat(rows.getLong(2)).as("answers stored of " + rows.getString(1)).isEqualTo(3);
				stored.add(rows.getString(1));
			}
		}
		int afterKill = this.proxy.chatBodies().size();

		// when: the same command again, the runner answering at once
		this.proxy.faultsPerItem((seen) -> FaultProxy.FORWARD);
		Dmr.Result resumed = dmr("job=vote", "repeat=3");

		// then: the items not stored were asked, three times each, and no stored one again
		assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
		List<String> sentAgain = this.proxy.sentSince(afterKill, SEED).stream().map((sent) -> sent.split(" ")[0]).toList();
		assertThat(sentAgain).hasSize(3 * (12 - stored.size())).doesNotContainAnyElementsOf(stored);
		assertThat(this.workspace.count("select count(*) from dmr_conversation")).isEqualTo(36);
		assertThat(resumed.out()).contains("vote run 1 COMPLETED: 36 items, 36 ok, 0 failed")
			.contains("per item: 3/3 on 12 items, 2/3 on 0, 1/3 on 0, 0/3 on 0");
	}

	@Test
	void aRunThatAsksOnceExportsNoRepeatAndARepeatedRunIsResumedOnlyAsItStarted() throws Exception {
		// given: a dry run renders every repetition's request, each with its seed, and sends none
		Dmr.Result dry = dmr("job=vote", "repeat=3", "dry-run");
		assertThat(dry.exitCode()).as(dry.toString()).isZero();
		assertThat(dry.out()).contains("dry run of vote: 4 items, 12 requests");
		assertThat(this.proxy.chatRequests()).isZero();
		List<String> prompts = Files.readAllLines(this.workspace.path("output/vote/dry-run/prompts.jsonl"));
		assertThat(prompts).hasSize(12);
		assertThat(prompts.get(1)).contains("\"item\":\"r1\"", "\"repeat\":2", "\"seed\":4");

		// when
		Dmr.Result once = dmr("job=vote", "run=once");

		// then: no repeat anywhere
		assertThat(once.exitCode()).as(once.toString()).isZero();
		assertThat(this.proxy.chatRequests()).isEqualTo(4);
		assertThat(once.out()).doesNotContain("repeat");
		assertThat(this.workspace.results("output/vote/once")).hasSize(4).allSatisfy((r) -> assertThat(r).doesNotContainKey("repeat"));
		assertThat(this.workspace.read("output/vote/once/results.csv")).startsWith("\uFEFFid,status,error,model,answer,");
		assertThat(this.workspace.read("output/vote/once/junit.xml")).contains("name=\"r1\"").doesNotContain("repeat");

		// and: a bad value says so before anything is sent
		Dmr.Result bad = dmr("job=vote", "run=bad", "repeat=0");
		assertThat(bad.exitCode()).as(bad.toString()).isEqualTo(2);
		assertThat(bad.err()).contains("repeat=0 must be a whole number from 1 to 100");
		assertThat(this.proxy.chatRequests()).isEqualTo(4);

		// and: a repeated run found complete sends nothing
		Dmr.Result thrice = dmr("job=vote", "run=thrice", "repeat=3", "limit=1");
		assertThat(thrice.exitCode()).as(thrice.toString()).isZero();
		assertThat(this.proxy.chatRequests()).isEqualTo(7);
		Dmr.Result again = dmr("job=vote", "run=thrice", "limit=1");
		assertThat(again.exitCode()).as(again.toString()).isZero();
		assertThat(again.out()).contains("is already complete (3 ok, 0 failed); nothing was sent");
		assertThat(this.proxy.chatRequests()).isEqualTo(7);

		// and: compared with the run that asked once, item by item: its first answer, and how many passed
		Dmr.Result compare = dmr("job=compare", "run=once", "run=thrice", "output=output/cmp");
		assertThat(compare.exitCode()).as(compare.toString()).isZero();
		assertThat(compare.out()).contains("4 items, 1 in all, 3 in some only")
			.contains("  thrice: repeat 3 (3 requests per item and model, one answer each): answers that passed every "
					+ "check, per item: 3/3 on 1 item, 2/3 on 0, 1/3 on 0, 0/3 on 0")
			.doesNotContain("repeat an earlier item's id");
		assertThat(compare.err()).doesNotContain("repeat an earlier item's id");
		assertThat(this.workspace.read("output/cmp/compare.json"))
			.contains("\"repeat\":{\"thrice\":{\"answers\":3,\"passed\":3}}");
	}

	/** A job of one chat step without a seed: its repeated answers can be the choices of one request. */
	private void choicesJob() {
		this.workspace.file("jobs/choices.yaml", """
				input: { format: csv, path: input/items.csv, id: id }
				model: { name: ai/tiny, max_tokens: 6, temperature: 0.8 }
				concurrency: 1
				steps:
				  - name: answer
				    prompt: "Item ${record.id}: ${text}"
				""");
	}

	/** A chat completion with these answers as its choices, and this usage. */
	private static FaultProxy.Status completion(long promptTokens, long completionTokens, String... answers) {
		StringBuilder choices = new StringBuilder();
		for (int i = 0; i < answers.length; i++) {
			choices.append((i > 0) ? "," : "")
				.append("{\"index\":").append(i)
				.append(",\"message\":{\"role\":\"assistant\",\"content\":\"").append(answers[i])
				.append("\"},\"finish_reason\":\"stop\"}");
		}
		return new FaultProxy.Status(200, "{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,"
				+ "\"model\":\"ai/tiny\",\"choices\":[" + choices + "],\"usage\":{\"prompt_tokens\":" + promptTokens
				+ ",\"completion_tokens\":" + completionTokens + ",\"total_tokens\":"
				+ (promptTokens + completionTokens) + "}}");
	}

	@Test
	void aSingleStepJobWithoutASeedAsksOneRequestForNChoicesPerItemAndStoresEachChoiceAsARepetition()
			throws Exception {
		// given
		choicesJob();

		// when: a dry run, then the run
		Dmr.Result dry = dmr("job=choices", "repeat=3", "dry-run");
		Dmr.Result run = dmr("job=choices", "repeat=3");

		// then: the dry run shows the one request per item, as it would be sent
		assertThat(dry.exitCode()).as(dry.toString()).isZero();
		List<String> prompts = Files.readAllLines(this.workspace.path("output/choices/dry-run/prompts.jsonl"));
		assertThat(prompts).hasSize(4).allSatisfy((line) -> assertThat(line).contains("\"n\":3", "\"repeat\":1"));
		// and: the real runner was asked once per item, for 3 choices
		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(this.proxy.chatRequests()).isEqualTo(4);
		assertThat(this.proxy.chatBodies()).allSatisfy((body) -> assertThat(body).contains("\"n\":3"));
		assertThat(this.workspace.count("select count(*) from dmr_conversation where status = 'ok'")).isEqualTo(12);
		assertThat(this.workspace.count("select count(distinct repetition) from dmr_conversation where item_seq = 1")).isEqualTo(3);
		// the prompt was sent once: its tokens are the first repetition's
		assertThat(this.workspace.count("select count(*) from dmr_conversation where repetition = 1 and prompt_tokens > 0"))
			.isEqualTo(4);
		assertThat(this.workspace.count("select count(*) from dmr_conversation where repetition > 1 and prompt_tokens > 0")).isZero();
		assertThat(this.workspace.count("select count(*) from dmr_conversation where completion_tokens > 0")).isEqualTo(12);
		assertThat(run.out()).contains("repeat 3 (one request per item and model, n=3: 3 choices each): answers "
				+ "given, per item: 3/3 on 4 items");
	}

	@Test
	void theChoicesOfOneRequestAreStoredInOrderTheirTokensAddingUpToTheUsage() throws Exception {
		// given: a runner that answers with three choices, 7 prompt and 10 completion tokens
		choicesJob();
		this.proxy.faults((n) -> completion(7, 10, "alpha", "beta", "gamma"));

		// when
		Dmr.Result run = dmr("job=choices", "repeat=3");

		// then: each choice is a repetition, the tokens split so that they add up to the usage
		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(this.proxy.chatRequests()).isEqualTo(4);
		List<String> stored = new ArrayList<>();
		try (Connection connection = this.workspace.store();
				ResultSet rows = connection.createStatement()
					.executeQuery("select repetition, prompt_tokens, completion_tokens from dmr_conversation "
							+ "where item_seq = 1 order by repetition")) {
			while (rows.next()) {
				stored.add(rows.getInt(1) + " " + rows.getLong(2) + " " + rows.getLong(3));
			}
		}
		assertThat(stored).containsExactly("1 7 4", "2 0 3", "3 0 3");
		assertThat(this.workspace.count("select sum(prompt_tokens) + sum(completion_tokens) from dmr_conversation")).isEqualTo(68);
		assertThat(this.workspace.results("output/choices/run-1")).filteredOn((r) -> "r1".equals(r.get("id")))
			.extracting((r) -> r.get("repeat") + " " + ((Map<?, ?>) r.get("steps")).get("answer"))
			.containsExactly("1 alpha", "2 beta", "3 gamma");
	}

	@Test
	void aRunnerThatGivesOneChoiceForNIsAskedARequestPerAnswerForTheRestOfTheRun() throws Exception {
		// given: a runner that gives one choice, whatever n
		choicesJob();
		this.proxy.faults((n) -> completion(5, 2, "only"));

		// when
		Dmr.Result run = dmr("job=choices", "repeat=3");

		// then: the first item's request asked for 3, its missing answers and every later item were asked one by one
		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(this.proxy.chatRequests()).isEqualTo(12);
		assertThat(this.proxy.chatBodies()).filteredOn((body) -> body.contains("\"n\":3")).hasSize(1);
		assertThat(this.proxy.chatBodies().get(0)).contains("\"n\":3");
		assertThat(this.workspace.count("select count(*) from dmr_conversation where status = 'ok'")).isEqualTo(12);
		assertThat(run.out()).contains("repeat 3 (3 requests per item and model; the runner gave 1 choice for n=3)");
	}

}
