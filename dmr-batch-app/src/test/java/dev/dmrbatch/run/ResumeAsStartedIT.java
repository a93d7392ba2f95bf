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
 * A resumed run carries on with the job file, templates, request settings and checks it was started with, whoever
 * resumes it and whatever became of the files since; a resume given other settings is refused, naming them. The
 * runs fail mid-way for real (the runner goes away behind a proxy), then the same run is resumed.
 */
@ExtendWith(WorkspaceExtension.class)
class ResumeAsStartedIT {

	private static final JsonMapper JSON = JsonMapper.shared();

	Workspace workspace;

	FaultProxy proxy;

	@BeforeEach
	void setUp() throws Exception {
		this.proxy = new FaultProxy(LocalRunner.baseUrl());
		StringBuilder csv = new StringBuilder("id,text\n");
		for (int i = 1; i <= 120; i++) {
			csv.append("r").append(i).append(",text ").append(i).append('\n');
		}
		this.workspace.file("input/items.csv", csv.toString())
			.file("templates/ask.ftl", "Item ${record.id}: ${text}")
			.file("jobs/items.yaml", """
					input: { format: csv, path: input/items.csv, id: id }
					model: { name: ai/tiny, max_tokens: 8, temperature: 0.5 }
					steps:
					  - name: answer
					    template: ask.ftl
					    checks:
					      - { name: some, type: length, min: 0 }
					gate: { min-pass-rate: 0.5 }
					""");
	}

	@AfterEach
	void tearDown() {
		this.proxy.close();
	}

	/** Starts run {@code live} with {@code max_tokens=5} at launch; the runner goes away after 40 requests. */
	private Dmr.Result startAndFailMidway() {
		this.proxy.faults((n) -> (n > 40) ? new FaultProxy.Drop() : FaultProxy.FORWARD);
		Dmr.Result failed = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "run=live", "max_tokens=5",
				"--dmr.retry.attempts=2", "--dmr.retry.backoff=20ms");
		assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(5);
		this.proxy.faults((n) -> FaultProxy.FORWARD);
		return failed;
	}

	/** The job file and the template edited while the run lay stopped: other tokens, prompt and gate. */
	private void editTheFiles() {
		this.workspace.file("templates/ask.ftl", "Item ${record.id}: EDITED ${text}").file("jobs/items.yaml", """
				input: { format: csv, path: input/items.csv, id: id }
				model: { name: ai/tiny, max_tokens: 12, temperature: 0.5 }
				steps:
				  - name: answer
				    template: ask.ftl
				    checks:
				      - { name: some, type: length, min: 0 }
				      - { name: never, type: contains, value: "no answer holds this" }
				gate: { min-pass-rate: 1.0 }
				""");
	}

	private List<JsonNode> bodiesFrom(int first) {
		return this.proxy.chatBodiesSince(first).stream().map(JSON::readTree).toList();
	}

	@Test
	void theSameCommandWithoutTheLaunchSettingsGoesOnWithThoseTheRunStartedWithAndItsPromptsAndGate() {
		// given: run live started with max_tokens=5 at launch, stopped by a runner gone, then the files edited
		startAndFailMidway();
		editTheFiles();
		int sentBefore = this.proxy.chatBodies().size();

		// when: resumed as cron would, without max_tokens=
		Dmr.Result resumed = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "run=live");

		// then: every request of the resume carries the run's own settings and prompt
		assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
		assertThat(resumed.err()).contains("resuming run 1 of items")
			.contains("run live of items goes on with the job file, templates and settings it was started with; "
					+ "changed since: the job file, the templates, the request settings (run=new starts a new run "
					+ "with them)");
		List<JsonNode> sent = bodiesFrom(sentBefore);
		assertThat(sent).isNotEmpty().allSatisfy((body) -> {
			assertThat(body.path("max_tokens").asInt()).isEqualTo(5);
			assertThat(body.path("temperature").asDouble()).isEqualTo(0.5);
			assertThat(body.path("messages").get(0).path("content").asString()).doesNotContain("EDITED");
		});
		// the gate is the run's own (0.5, one check), not the edited file's (1.0, a check no answer passes)
		assertThat(resumed.out()).contains("items run live COMPLETED: 120 items, 120 ok, 0 failed")
			.contains("check answer.some: 120/120 passed")
			.doesNotContain("answer.never");
	}

	@Test
	void aResumeIsHeldToTheQualityGateTheRunStartedWithNotTheEditedFiles() {
		// given: a check that the answers of even-numbered items pass (about half), under a gate of 40%
		String job = """
				input: { format: csv, path: input/items.csv, id: id }
				model: { name: ai/tiny, max_tokens: 8, temperature: 0.5 }
				steps:
				  - name: answer
				    template: ask.ftl
				    checks:
				      - name: even
				        type: expected
				        value: '<#if record.id?remove_beginning("r")?number % 2 == 0>${steps.answer}<#else>-</#if>'
				gate: { min-pass-rate: 0.4 }
				""";
		this.workspace.file("jobs/items.yaml", job);
		startAndFailMidway();
		// and then the gate raised to 100% in the job file, the checks the same
		this.workspace.file("jobs/items.yaml", job.replace("min-pass-rate: 0.4", "min-pass-rate: 1.0"));

		// when: resumed as cron would
		Dmr.Result resumed = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "run=live");

		// then: held to its own 40%, which it passes; the edited file's 100% would fail it (exit 6)
		assertThat(resumed.out()).contains("items run live COMPLETED: 120 items, 120 ok, 0 failed")
			.containsPattern("check answer\\.even: (5\\d|60)/120 passed");
		assertThat(resumed.err()).contains("run live of items goes on with the job file, templates and settings it was "
				+ "started with; changed since: the job file").doesNotContain("quality gate not met");
		assertThat(resumed.exitCode()).as(resumed.toString()).isZero();

		// and a new run under the edited file is held to its 100%, which it fails
		Dmr.Result fresh = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "run=new", "max_tokens=5");
		assertThat(fresh.err()).containsPattern("quality gate not met: answer\\.even \\d+/120 passed \\([\\d.]+%\\), "
				+ "needs 100%");
		assertThat(fresh.exitCode()).as(fresh.toString()).isEqualTo(6);
	}

	@Test
	void aResumeGivenOtherSettingsIsRefusedNamingThemAndSendsNothingWhileRunNewStartsAFreshRun() {
		// given
		startAndFailMidway();
		int sentBefore = this.proxy.chatBodies().size();

		// when: resumed with another max_tokens, then with another temperature from the environment's place
		Dmr.Result refused = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "run=live", "max_tokens=7");

		// then
		assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
		assertThat(refused.err()).contains("run live of items was started with max_tokens 5 (this launch gives 7, "
				+ "from the command line (max_tokens=)): resume it without that setting to go on as it started, or "
				+ "give run=new for a new run")
			.doesNotContain("\tat ");
		assertThat(this.proxy.chatBodies()).hasSize(sentBefore);

		// and the same value as it started with is no difference
		Dmr.Result same = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "run=live", "max_tokens=5");
		assertThat(same.exitCode()).as(same.toString()).isZero();
		assertThat(bodiesFrom(sentBefore)).allSatisfy((body) -> assertThat(body.path("max_tokens").asInt()).isEqualTo(5));

		// and run=new is a new run, under the settings given now
		int sentBeforeNew = this.proxy.chatBodies().size();
		Dmr.Result fresh = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "run=new", "max_tokens=7");
		assertThat(fresh.exitCode()).as(fresh.toString()).isZero();
		assertThat(bodiesFrom(sentBeforeNew)).hasSize(120)
			.allSatisfy((body) -> assertThat(body.path("max_tokens").asInt()).isEqualTo(7));
	}

	@Test
	void aJobFileThatNowRepeatsDoesNotMakeAResumeRepeatWhileARepeatGivenAtLaunchIsRefused() {
		// given: run live started asking each item once, stopped midway, then its job file made to ask three times
		startAndFailMidway();
		this.workspace.file("jobs/items.yaml", this.workspace.read("jobs/items.yaml") + "repeat: 3\n");
		int sentBefore = this.proxy.chatBodies().size();

		// when: resumed with repeat=3 given at launch
		Dmr.Result refused = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "run=live", "max_tokens=5",
				"repeat=3");

		// then: refused, nothing sent
		assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
		assertThat(refused.err()).contains("run live of items was started with repeat 1 (this launch gives 3)");
		assertThat(this.proxy.chatBodies()).hasSize(sentBefore);

		// when: resumed as cron would, saying nothing of repeat
		Dmr.Result resumed = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "run=live");

		// then: it goes on asking once, as it started: each item one answer, none marked as a repetition
		assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
		assertThat(resumed.out()).contains("items run live COMPLETED: 120 items, 120 ok, 0 failed");
		assertThat(this.proxy.chatBodies().size() - sentBefore).isLessThanOrEqualTo(120);
		assertThat(this.workspace.read("output/items/live/results.jsonl").lines()).hasSize(120)
			.noneMatch((line) -> line.contains("\"repeat\""));
	}

	@Test
	void aResumedRunsTokensPerSecondAreThoseOfThisExecution() {
		// given
		startAndFailMidway();

		// when
		Dmr.Result resumed = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "run=live");

		// then: tokens/s out is this execution's tokens over its time, not the whole run's
		assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
		java.util.regex.Matcher line = java.util.regex.Pattern
			.compile("(\\d+) answered in this execution in ([\\d.]+) s .*tokens \\d+ in, (\\d+) out \\((\\d+) tokens/s out\\)")
			.matcher(resumed.out());
		assertThat(line.find()).as(resumed.out()).isTrue();
		long answeredNow = Long.parseLong(line.group(1));
		double seconds = Double.parseDouble(line.group(2));
		long tokensOut = Long.parseLong(line.group(3));
		long rate = Long.parseLong(line.group(4));
		assertThat(answeredNow).isLessThan(120);
		// at most 5 tokens an answer, so this execution received at most 5 per item it answered
		assertThat((double) rate).isLessThanOrEqualTo(answeredNow * 5 / Math.max(seconds - 0.05, 0.01) + 1)
			.isLessThan(tokensOut / seconds);
	}

}
