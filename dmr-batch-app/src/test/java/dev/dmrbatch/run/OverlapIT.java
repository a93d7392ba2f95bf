package dev.dmrbatch.run;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;

import dev.dmrbatch.conversation.server.StoreServer;
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
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several dmr-batch processes on one working folder and its H2 store at once, as cron jobs and CI steps overlap:
 * they share the store through its store server, a detached JVM that outlives the process that started it and ends
 * by itself once idle. Each process here is a JVM of its own, as {@code java -jar} runs it.
 */
@ExtendWith(WorkspaceExtension.class)
class OverlapIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	Workspace workspace;

	FaultProxy proxy;

	@BeforeEach
	void setUp() throws Exception {
		this.proxy = new FaultProxy(LocalRunner.baseUrl());
		job("a");
		job("b");
	}

	@AfterEach
	void tearDown() {
		this.proxy.close();
	}

	/** Job {@code <name>} over its own input, whose items are {@code <name>1}, {@code <name>2}... */
	private void job(String name) {
		this.workspace.file("jobs/" + name + ".yaml", """
				input: { format: csv, path: input/%s.csv, id: id }
				model: { name: ai/tiny, max_tokens: 8 }
				steps:
				  - name: answer
				    prompt: "Item ${record.id}: ${text}"
				""".formatted(name));
	}

	private void items(String job, int count) {
		StringBuilder csv = new StringBuilder("id,text\n");
		IntStream.rangeClosed(1, count).forEach((i) -> csv.append(job).append(i).append(",text ").append(i).append('\n'));
		this.workspace.file("input/" + job + ".csv", csv.toString());
	}

	private int sentFor(String job) {
		return (int) this.proxy.forwardedPerItem().keySet().stream().filter((id) -> id.startsWith(job)).count();
	}

	/** Every item of the job once in its results, answered, in input order. */
	private void assertEveryItemOnceAndOk(String job, int run, int count) throws Exception {
		List<String> lines = Files.readAllLines(this.workspace.path("output/" + job + "/run-" + run + "/results.jsonl"));
		assertThat(lines).extracting((line) -> JSON.readTree(line).get("id").asString())
			.containsExactlyElementsOf(IntStream.rangeClosed(1, count).mapToObj((i) -> job + i).toList());
		assertThat(lines).allSatisfy((line) -> assertThat(JSON.readTree(line).get("status").asString()).isEqualTo("ok"));
	}

	/** The store server's file: its port, pid and key; null when there is none. */
	private Properties serverFile() throws Exception {
		Path file = this.workspace.path("data/dmr-batch.server");
		if (!Files.exists(file)) {
			return null;
		}
		Properties server = new Properties();
		try (Reader reader = Files.newBufferedReader(file)) {
			server.load(reader);
		}
		return server;
	}

	private long serverPid() throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (serverFile() == null && System.nanoTime() < deadline) {
			Thread.sleep(50);
		}
		assertThat(serverFile()).as("the store server's file").isNotNull();
		return Long.parseLong(serverFile().getProperty("pid"));
	}

	@Test
	void aStoppingRunIsRefusedToAnotherProcessUntilItsRequestsInFlightAreStored() throws Exception {
		// given: a run whose requests take twelve seconds after its first 40, stopped by SIGTERM as they arrive, with
		// them in flight; the job repository marks the execution STOPPED at once, while the process still finishes
		// and stores them
		items("a", 100);
		this.proxy.faults((n) -> (n > 40) ? new FaultProxy.Slow(12_000) : FaultProxy.FORWARD);
		DmrProcess run = DmrProcess.start(this.workspace, this.proxy.baseUrl(), "job=a");
		run.awaitRequests(this.proxy::chatRequests, 41);
		run.terminate();
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (!run.err().contains("SIGTERM: stopping") && System.nanoTime() < deadline) {
			Thread.sleep(50);
		}
		Thread.sleep(500);
		assertThat(run.isAlive()).as("still finishing its requests in flight").isTrue();

		// when: another process lists the runs and starts the same run meanwhile
		Dmr.Result runs = Dmr.run(this.workspace, null, "job=runs", "--json");
		Dmr.Result same = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=a");

		// then: the run is stopping, not stopped, and the same run is refused, naming the process that has it
		assertThat(run.isAlive()).as("still finishing its requests in flight").isTrue();
		@SuppressWarnings("unchecked")
		List<Map<String, Object>> listed = JSON.readValue(runs.out(), List.class);
		assertThat(listed).singleElement().satisfies((r) -> assertThat(r.get("status")).isEqualTo("STOPPING"));
		assertThat(same.exitCode()).as(same.toString()).isEqualTo(2);
		assertThat(same.err()).contains("error: run 1 of a is still ending (process " + run.pid() + " on ")
			.doesNotContain("Exception");

		// and once stopped, the same command resumes it: every item once, none sent twice
		assertThat(run.waitFor()).as(run.err()).isEqualTo(4);
		this.proxy.faults((n) -> FaultProxy.FORWARD);
		Dmr.Result resumed = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=a");
		assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
		assertEveryItemOnceAndOk("a", 1, 100);
		assertThat(this.proxy.forwardedPerItem()).hasSize(100).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
	}

	@Test
	void whileARunRunsOtherProcessesListAndShowItAndTheSameRunIsRefusedNamingItsProcess() throws Exception {
		// given: a run that goes slowly after its first 60 items
		items("a", 200);
		this.proxy.faults((n) -> (n > 60) ? new FaultProxy.Slow(500) : FaultProxy.FORWARD);
		DmrProcess run = DmrProcess.start(this.workspace, this.proxy.baseUrl(), "job=a");
		run.awaitRequests(this.proxy::forwarded, 60);

		// when: another JVM lists the runs, a third shows this one, a fourth starts the same run
		DmrProcess runs = DmrProcess.start(this.workspace, this.proxy.baseUrl(), "job=runs", "--json");
		assertThat(runs.waitFor()).as(runs.err()).isZero();
		Dmr.Result show = Dmr.run(this.workspace, null, "job=show", "run=1");
		Dmr.Result same = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=a");

		// then: the run is seen running, and the same run is refused, naming the process that has it
		@SuppressWarnings("unchecked")
		List<Map<String, Object>> listed = JSON.readValue(runs.out(), List.class);
		assertThat(listed).singleElement().satisfies((r) -> {
			assertThat(r.get("job")).isEqualTo("a");
			assertThat(r.get("status")).isEqualTo("STARTED");
		});
		assertThat(show.exitCode()).as(show.toString()).isZero();
		assertThat(show.out()).contains("STARTED");
		assertThat(same.exitCode()).as(same.toString()).isEqualTo(2);
		assertThat(same.err()).contains("error: run 1 of a is already running (process " + run.pid() + " on ")
			.doesNotContain("Exception");
		assertThat(run.isAlive()).isTrue();

		// and the run, sped up again, completes with every item once
		this.proxy.faults((n) -> FaultProxy.FORWARD);
		assertThat(run.waitFor()).as(run.err()).isZero();
		assertThat(run.out()).contains("a run 1 COMPLETED: 200 items, 200 ok, 0 failed");
		assertEveryItemOnceAndOk("a", 1, 200);
		assertThat(this.proxy.forwardedPerItem()).hasSize(200).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
	}

	@Test
	void twoJobsRunAtOnceAndTheOneGoesOnAfterTheProcessThatStartedTheStoreServerHasEnded() throws Exception {
		// given: job a starts the store server; job b, slower, starts while a runs
		items("a", 150);
		items("b", 300);
		this.proxy.faultsPerItem((seen) -> seen.item().startsWith("b") ? new FaultProxy.Slow(40) : FaultProxy.FORWARD);
		assertThat(serverFile()).isNull();
		DmrProcess a = DmrProcess.start(this.workspace, this.proxy.baseUrl(), "job=a");
		long server = serverPid();
		a.awaitRequests(() -> sentFor("a"), 20);
		DmrProcess b = DmrProcess.start(this.workspace, this.proxy.baseUrl(), "job=b");
		b.awaitRequests(() -> sentFor("b"), 20);

		// when: a ends while b is mid-run
		assertThat(a.waitFor()).as(a.err()).isZero();
		assertThat(b.isAlive()).as("b still running when a ended").isTrue();
		assertThat(ProcessHandle.of(server).map(ProcessHandle::isAlive)).as("the store server").contains(true);

		// then: b completes with every item, through the same server
		assertThat(b.waitFor()).as(b.err()).isZero();
		assertThat(a.out()).contains("a run 1 COMPLETED: 150 items, 150 ok, 0 failed");
		assertThat(b.out()).contains("b run 2 COMPLETED: 300 items, 300 ok, 0 failed");
		assertEveryItemOnceAndOk("a", 1, 150);
		assertEveryItemOnceAndOk("b", 2, 300);
		assertThat(this.proxy.forwardedPerItem()).hasSize(450).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
		assertThat(serverPid()).isEqualTo(server);
	}

	@Test
	void killDashNineOfTheStoreServerFailsTheRunInOneLineAndTheSameCommandResumesIt() throws Exception {
		// given
		items("a", 300);
		this.proxy.faults((n) -> new FaultProxy.Slow(5));
		DmrProcess run = DmrProcess.start(this.workspace, this.proxy.baseUrl(), "job=a");
		run.awaitRequests(this.proxy::forwarded, 100);

		// when: the store server is killed mid-run
		ProcessHandle server = ProcessHandle.of(serverPid()).orElseThrow();
		server.destroyForcibly();
		server.onExit().get();
		int code = run.waitFor();
		int sentBeforeTheCrash = this.proxy.forwarded();

		// then: the run fails, saying why in one line
		String err = run.err();
		assertThat(code).as(err).isEqualTo(5);
		assertThat(err.lines().filter((line) -> line.contains("error:"))).as(err).hasSize(1);
		assertThat(err).contains("the store server").doesNotContain("Exception").doesNotContain("\tat ");

		// when: the same command again
		Dmr.Result resumed = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=a");

		// then: a new server; the run resumes and completes, without sending answered items again
		assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
		assertThat(resumed.err()).contains("was left STARTED by a process that is gone; recovering it");
		assertThat(resumed.out()).contains("a run 1 COMPLETED: 300 items, 300 ok, 0 failed");
		assertEveryItemOnceAndOk("a", 1, 300);
		assertThat(this.proxy.forwardedPerItem()).hasSize(300).allSatisfy((id, n) -> assertThat(n).isBetween(1, 2));
		assertThat(this.proxy.forwarded() - 300).as("sent again after the crash (%d before it)", sentBeforeTheCrash)
			.isBetween(0, 18);
	}

	@Test
	void twoProcessesStartingAtOnceStartOneStoreServerBetweenThem() throws Exception {
		items("a", 2);
		items("b", 2);
		DmrProcess first = DmrProcess.start(this.workspace, this.proxy.baseUrl(), "job=a");
		DmrProcess second = DmrProcess.start(this.workspace, this.proxy.baseUrl(), "job=b");
		assertThat(first.waitFor()).as(first.err()).isZero();
		assertThat(second.waitFor()).as(second.err()).isZero();

		assertThat(servers()).containsExactly(serverPid());
	}

	/** The store server processes of this working folder's store. */
	private List<Long> servers() {
		String database = this.workspace.path("data/dmr-batch").toString();
		// the whole command line: ProcessHandle's is cut short after a long class path
		return ProcessHandle.allProcesses().map(ProcessHandle::pid).filter((pid) -> {
			try {
				List<String> args = List.of(Files.readString(Path.of("/proc/" + pid + "/cmdline")).split("\0"));
				return args.contains(StoreServer.class.getName()) && args.contains(database);
			}
			catch (java.io.IOException ex) {
				return false; // ended meanwhile
			}
		}).toList();
	}

	@Test
	void runsAndShowWithNoServerUpReadTheStoreThemselvesAndARunStartingMeanwhileWaitsForThem() throws Exception {
		// given: a finished run, written with the store file opened by the process itself; no store server
		items("a", 3);
		items("b", 30);
		Dmr.Result first = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=a", "--dmr.store.shared=false");
		assertThat(first.exitCode()).as(first.toString()).isZero();

		// when: runs alone
		DmrProcess runs = DmrProcess.start(this.workspace, this.proxy.baseUrl(), "job=runs");

		// then: it lists the run, and starts no store server for one short read
		assertThat(runs.waitFor()).as(runs.err()).isZero();
		assertThat(runs.out()).contains("COMPLETED");
		assertThat(serverFile()).as("a store server's file").isNull();
		assertThat(servers()).as("store servers").isEmpty();

		// when: runs and show, with a run starting at the same moment, twice, the server gone in between
		for (int round = 1; round <= 2; round++) {
			DmrProcess listing = DmrProcess.start(this.workspace, this.proxy.baseUrl(), "job=runs", "--json");
			DmrProcess showing = DmrProcess.start(this.workspace, this.proxy.baseUrl(), "job=show", "run=1");
			DmrProcess run = DmrProcess.start(this.workspace, this.proxy.baseUrl(), "job=b", "run=r" + round,
					"--dmr.store.idle=1s");

			// then: each waits for the others' moment with the store, none finds it in use
			assertThat(listing.waitFor()).as(listing.err()).isZero();
			assertThat(showing.waitFor()).as(showing.err()).isZero();
			assertThat(run.waitFor()).as(run.err()).isZero();
			assertThat(JSON.readTree(listing.out()).size()).isBetween(round, round + 1);
			assertThat(showing.out()).contains("COMPLETED");
			assertThat(run.out()).contains("b run r" + round + " COMPLETED: 30 items, 30 ok, 0 failed");
			long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
			while (!servers().isEmpty() && System.nanoTime() < deadline) {
				Thread.sleep(100);
			}
			assertThat(servers()).as("the run's store server after its idle time").isEmpty();
		}
		assertThat(this.proxy.forwardedPerItem()).hasSize(33);
	}

	@Test
	void theStoreServerRunsInASessionOfItsOwnAndEndsAfterItsIdleTimeLeavingNothing() throws Exception {
		items("a", 2);
		DmrProcess runs = DmrProcess.start(this.workspace, this.proxy.baseUrl(), "job=a", "--dmr.store.idle=5s");
		long server = serverPid();
		assertThat(runs.waitFor()).as(runs.err()).isZero();

		// detached: in a session of its own (setsid), so the caller's Ctrl-C or SIGTERM to its group does not reach it
		Path stat = Path.of("/proc/" + server + "/stat");
		if (Files.exists(stat)) {
			String[] fields = Files.readString(stat).substring(Files.readString(stat).lastIndexOf(')') + 2).split(" ");
			assertThat(fields[3]).as("the server's session").isEqualTo(String.valueOf(server));
		}
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (ProcessHandle.of(server).isPresent() && System.nanoTime() < deadline) {
			Thread.sleep(200);
		}
		assertThat(ProcessHandle.of(server)).as("the store server after its idle time").isEmpty();
		try (var files = Files.list(this.workspace.path("data"))) {
			assertThat(files.map((f) -> f.getFileName().toString()))
				.containsExactlyInAnyOrder("dmr-batch.mv.db", "dmr-batch.server.lock");
		}
	}

}
