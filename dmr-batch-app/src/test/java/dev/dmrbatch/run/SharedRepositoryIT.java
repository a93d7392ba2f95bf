package dev.dmrbatch.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.DmrProcess;
import dev.dmrbatch.support.FaultProxy;
import dev.dmrbatch.support.LocalPostgres;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job repository and the conversation store in a real PostgreSQL (Debian's package, started by
 * {@code scripts/local-postgres}) through the shipped {@code postgres} profile: several processes share it, see each
 * other's runs, never run one run twice, and a run killed with -9 resumes exactly as it does with the H2 file.
 * Each process here has a working folder of its own, as it would on its own host.
 */
class SharedRepositoryIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@TempDir
	Path dir;

	Workspace first;

	Workspace second;

	FaultProxy proxy;

	String database;

	@BeforeEach
	void setUp() throws Exception {
		this.database = LocalPostgres.freshDatabase();
		this.proxy = new FaultProxy(LocalRunner.baseUrl());
		this.first = workspace("host-a");
		this.second = workspace("host-b");
	}

	@AfterEach
	void tearDown() {
		this.proxy.close();
	}

	private Workspace workspace(String name) throws Exception {
		Workspace workspace = new Workspace(this.dir.resolve(name));
		workspace.itemsJob();
		StringBuilder csv = new StringBuilder("id,text\n");
		IntStream.rangeClosed(1, 600).forEach((i) -> csv.append("r").append(i).append(",text ").append(i).append('\n'));
		workspace.file("input/items.csv", csv.toString());
		// the profile as shipped; only the database differs, one per test
		workspace.file("config/application-postgres.yaml", Files.readString(Path.of("config/application-postgres.yaml")));
		return workspace;
	}

	private String[] args(String... args) {
		List<String> all = new java.util.ArrayList<>(List.of(args));
		all.add("profile=postgres");
		all.add("--spring.datasource.url=" + this.database);
		return all.toArray(String[]::new);
	}

	@Test
	void aSecondHostSeesTheRunIsToldItIsRunningAndResumesItAfterKillDashNine() throws Exception {
		// given: host A is running the job
		DmrProcess a = DmrProcess.start(this.first, this.proxy.baseUrl(), args("job=items"));
		a.awaitRequests(this.proxy::forwarded, 150);

		// when: host B runs the same command, and lists the runs
		Dmr.Result refused = Dmr.run(this.second, this.proxy.baseUrl(), args("job=items"));
		Dmr.Result runs = Dmr.run(this.second, null, args("job=runs", "--json"));

		// then: B is refused, naming A's process, and changes nothing; it sees A's run in progress
		assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
		assertThat(refused.err()).contains("error: run 1 of items is already running (process " + a.pid() + " on ")
			.contains("wait for it to end, stop it, or give a new run=<label>")
			.doesNotContain("Exception");
		assertThat(runs.exitCode()).as(runs.toString()).isZero();
		List<Map<String, Object>> listed = list(runs.out());
		assertThat(listed).singleElement().satisfies((run) -> {
			assertThat(run.get("job")).isEqualTo("items");
			assertThat(run.get("status")).isEqualTo("STARTED");
			assertThat(run.get("output").toString()).startsWith(this.first.root().toString());
		});

		// when: A is killed with -9, and B runs the same command
		a.kill();
		int sentBeforeTheCrash = this.proxy.forwarded();
		Dmr.Result resumed = Dmr.run(this.second, this.proxy.baseUrl(), args("job=items"));

		// then: B recovers the run and finishes it; nothing answered is sent again beyond what was in flight
		assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
		assertThat(resumed.err()).contains("was left STARTED by a process that is gone; recovering it")
			.contains("resuming run 1 of items");
		assertThat(resumed.out()).contains("items run 1 COMPLETED: 600 items, 600 ok, 0 failed");
		assertThat(this.proxy.forwardedPerItem()).hasSize(600).allSatisfy((id, n) -> assertThat(n).isBetween(1, 2));
		assertThat(this.proxy.forwarded() - 600).as("sent again after the crash (%d before it)", sentBeforeTheCrash)
			.isBetween(0, 64);
		// the run's exports are where A said they would be, written by B
		List<String> lines = Files.readAllLines(this.first.path("output/items/run-1/results.jsonl"));
		assertThat(lines).hasSize(600);
		assertThat(lines.get(599)).contains("\"id\":\"r600\"");

		// and A's working folder, run again, finds the run complete
		Dmr.Result again = Dmr.run(this.first, this.proxy.baseUrl(), args("job=items"));
		assertThat(again.out()).contains("items run 1 is already complete (600 ok, 0 failed); nothing was sent");
	}

	@Test
	void aRunLeftByAnotherHostIsTakenOverOnlyWhenItsHeartbeatHasStopped() throws Exception {
		DmrProcess a = DmrProcess.start(this.first, this.proxy.baseUrl(), args("job=items"));
		a.awaitRequests(this.proxy::forwarded, 100);
		a.kill();
		// as if A had run on another host, whose pid this host cannot check: only its heartbeat tells
		LocalPostgres.execute(this.database, "update dmr_run_process set host = 'build-7', "
				+ "heartbeat_at = current_timestamp - interval '12 seconds'");

		Dmr.Result refused = Dmr.run(this.second, this.proxy.baseUrl(), args("job=items"));
		assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
		// 12 s when it was set; a busy machine may take a few seconds more to ask
		assertThat(refused.err()).containsPattern("is already running \\(process " + a.pid()
				+ " on build-7, last heard from 1[2-9] s ago\\)");

		LocalPostgres.execute(this.database, "update dmr_run_process set heartbeat_at = current_timestamp - interval '40 seconds'");
		Dmr.Result resumed = Dmr.run(this.second, this.proxy.baseUrl(), args("job=items"));
		assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
		assertThat(resumed.out()).contains("items run 1 COMPLETED: 600 items, 600 ok, 0 failed");
		assertThat(this.proxy.forwardedPerItem()).hasSize(600);
	}

	@Test
	void theSchemaAndHistoryWorkOnPostgresAsOnH2() throws Exception {
		Dmr.Result run = Dmr.run(this.first, this.proxy.baseUrl(), args("job=items", "run=pg"));
		Dmr.Result show = Dmr.run(this.second, null, args("job=show", "run=pg"));
		Dmr.Result export = Dmr.run(this.second, null, args("job=export", "run=pg", "export=csv",
				"output=" + this.second.path("again")));

		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(show.exitCode()).as(show.toString()).isZero();
		assertThat(show.out()).containsPattern("items: +600: 600 ok, 0 failed").contains("COMPLETED, exit code 0");
		assertThat(export.exitCode()).as(export.toString()).isZero();
		assertThat(Files.readAllLines(this.second.path("again/results.csv"))).hasSize(601);
	}

	@Test
	void aDatabaseThatCannotBeOpenedIsNamedInOneLine() {
		String missing = this.database.replaceAll("/[^/]+$", "/no_such_database");
		Dmr.Result result = Dmr.run(this.first, this.proxy.baseUrl(), "job=items", "profile=postgres",
				"--spring.datasource.url=" + missing);

		assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
		assertThat(result.err()).contains("error: cannot open the job repository database (spring.datasource.url): "
				+ "FATAL: database \"no_such_database\" does not exist")
			.doesNotContain("\tat ");
		assertThat(this.proxy.chatRequests()).isZero();
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> list(String json) {
		return JSON.readValue(json, List.class);
	}

}
