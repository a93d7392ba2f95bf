package dev.dmrbatch.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.DmrProcess;
import dev.dmrbatch.support.FaultProxy;
import dev.dmrbatch.support.LocalPostgres;
import dev.dmrbatch.support.LocalRabbitMq;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.NetworkNamespace;
import dev.dmrbatch.support.Workspace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One run across several processes as across several machines: a manager and worker JVMs, each worker in a working
 * folder of its own beside a llama-server of its own (the local runner on three more ports, one CPU thread each, each
 * behind a proxy that counts what it answered), a real RabbitMQ broker ({@code scripts/local-rabbitmq}) and a real
 * PostgreSQL ({@code scripts/local-postgres}) shared by all. Workers killed with -9, a worker joining late, the
 * manager killed with -9 and resumed, a worker whose runner lacks the model, a worker stopped with SIGTERM, the broker
 * restarted: every item answered once, and sent again at most what was in flight. A worker in a network namespace of
 * its own, beside a runner that only it can reach, as on a machine whose runner is exposed to no one.
 */
class ClusterIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final int PORT_A = LocalRunner.PORT + 6;

	private static final int PORT_B = LocalRunner.PORT + 7;

	private static final int PORT_C = LocalRunner.PORT + 8;

	/** The port of the runner inside a network namespace (on its loopback, so on no port of the host's). */
	private static final int PORT_NS = LocalRunner.PORT + 9;

	/**
	 * What a worker killed with -9 can have sent and not committed: its read-ahead window and the uncommitted part of
	 * its chunk (8 and 8 at the runner's 4 slots), as a lane of one process can.
	 */
	private static final int IN_FLIGHT = 18;

	private static String runnerA;

	private static String runnerB;

	private static String runnerC;

	@TempDir
	Path dir;

	String database;

	String broker;

	final List<DmrProcess> processes = new ArrayList<>();

	final List<FaultProxy> proxies = new ArrayList<>();

	@BeforeAll
	static void startRunners() {
		runnerA = LocalRunner.start(PORT_A, List.of("--threads", "1"));
		runnerB = LocalRunner.start(PORT_B, List.of("--threads", "1"));
		runnerC = LocalRunner.start(PORT_C, List.of("--threads", "1"));
	}

	@AfterAll
	static void stopRunners() {
		LocalRunner.stop(PORT_A);
		LocalRunner.stop(PORT_B);
		LocalRunner.stop(PORT_C);
	}

	@BeforeEach
	void setUp() {
		this.database = LocalPostgres.freshDatabase();
		this.broker = LocalRabbitMq.url();
	}

	@AfterEach
	void tearDown() throws Exception {
		for (DmrProcess process : this.processes) {
			if (process.isAlive()) {
				process.kill();
			}
			// what each process said, for a failure's diagnosis
			String[] lines = process.err().split("\n");
			System.out.println("--- process " + process.pid() + ", last lines:");
			System.out.println(String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 25),
					lines.length)));
		}
		this.proxies.forEach(FaultProxy::close);
	}

	/** A host's working folder: the job file, the input at the same path as everywhere, the postgres profile. */
	private Workspace host(String name, int items) throws Exception {
		Workspace host = new Workspace(this.dir.resolve(name));
		host.itemsJob("export: [jsonl]");
		StringBuilder csv = new StringBuilder("id,text\n");
		IntStream.rangeClosed(1, items).forEach((i) -> csv.append("r").append(i).append(",text ").append(i).append('\n'));
		host.file("input/items.csv", csv.toString());
		host.file("config/application-postgres.yaml", Files.readString(Path.of("config/application-postgres.yaml")));
		return host;
	}

	private String[] args(String... args) {
		List<String> all = new ArrayList<>(List.of(args));
		all.add("profile=postgres");
		all.add("--spring.datasource.url=" + this.database);
		all.add("--dmr.cluster.broker=" + this.broker);
		return all.toArray(String[]::new);
	}

	private FaultProxy proxy(String runner) throws Exception {
		FaultProxy proxy = new FaultProxy(runner);
		this.proxies.add(proxy);
		return proxy;
	}

	/** A worker JVM in a working folder of its own, talking to its runner only; returned once it takes partitions. */
	private DmrProcess worker(String name, FaultProxy runner, int items, String... options) throws Exception {
		return ready(startWorker(name, runner, items, options));
	}

	/** A worker JVM started: {@link #ready} waits until it takes partitions (JVMs started together start sooner). */
	private DmrProcess startWorker(String name, FaultProxy runner, int items, String... options) throws Exception {
		List<String> command = new ArrayList<>(List.of("worker"));
		command.addAll(List.of(options));
		DmrProcess worker = DmrProcess.start(host(name, items), runner.baseUrl(), args(command.toArray(String[]::new)));
		this.processes.add(worker);
		return worker;
	}

	private static DmrProcess ready(DmrProcess worker) throws Exception {
		awaitLog(worker, "taking partitions (Ctrl-C or SIGTERM to leave)", Duration.ofMinutes(1));
		return worker;
	}

	private static void awaitLog(DmrProcess process, String text, Duration limit) throws Exception {
		long deadline = System.nanoTime() + limit.toNanos();
		while (!process.err().contains(text)) {
			if (System.nanoTime() > deadline || !process.isAlive()) {
				throw new AssertionError("no '" + text + "' within " + limit.toSeconds() + " s: " + process.err());
			}
			Thread.sleep(50);
		}
	}

	/**
	 * Waits for what a test's events wait on (requests through a proxy), failing instead of waiting for ever when the
	 * run they watch ended early.
	 */
	private static void awaitUntil(java.util.function.BooleanSupplier done, String what) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
		while (!done.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("still " + what + " after three minutes");
			}
			Thread.sleep(5);
		}
	}

	/** The events' thread, which ends by itself within minutes ({@link #awaitUntil}). */
	private static void join(Thread events) throws InterruptedException {
		events.join(Duration.ofMinutes(5).toMillis());
		assertThat(events.isAlive()).as("the test's events still waiting").isFalse();
	}

	private static int forwarded(List<FaultProxy> proxies) {
		return proxies.stream().mapToInt(FaultProxy::forwarded).sum();
	}

	/** Requests each item cost, every runner together. */
	private static Map<String, Integer> perItem(List<FaultProxy> proxies) {
		Map<String, Integer> all = new TreeMap<>();
		proxies.forEach((proxy) -> proxy.forwardedPerItem().forEach((id, n) -> all.merge(id, n, Integer::sum)));
		return all;
	}

	@SuppressWarnings("unchecked")
	private static void assertEveryItemOnceAndOk(Workspace manager, int count) throws Exception {
		List<Map<String, Object>> results = Files.readAllLines(manager.path("output/items/run-1/results.jsonl"))
			.stream()
			.map((line) -> (Map<String, Object>) JSON.readValue(line, Map.class))
			.toList();
		assertThat(results).extracting((r) -> r.get("id"))
			.containsExactlyElementsOf(IntStream.rangeClosed(1, count).mapToObj((i) -> "r" + i).toList());
		assertThat(results).extracting((r) -> r.get("status")).containsOnly("ok");
	}

	@Test
	void threeWorkersShareARunOneJoiningLateOneKilledMidPartitionWhosePartitionAnotherResumes() throws Exception {
		int items = 3000;
		FaultProxy a = proxy(runnerA);
		FaultProxy b = proxy(runnerB);
		FaultProxy c = proxy(runnerC);
		List<FaultProxy> all = List.of(a, b, c);
		DmrProcess first = startWorker("host-a", a, items);
		DmrProcess second = ready(startWorker("host-b", b, items));
		ready(first);
		Workspace manager = host("manager", items);
		AtomicReference<DmrProcess> late = new AtomicReference<>();
		AtomicLong killedAt = new AtomicLong();
		AtomicLong resumedAfter = new AtomicLong(-1);
		AtomicReference<Throwable> failed = new AtomicReference<>();
		// while the run goes on: a third worker joins, then the first is killed in the middle of a partition
		Thread events = new Thread(() -> {
			try {
				awaitUntil(() -> !(forwarded(all) < 300), "forwarded(all) < 300");
				late.set(worker("host-c", c, items));
				awaitUntil(() -> !(a.forwarded() < 700), "a.forwarded() < 700");
				int before = second.err().split("resuming it at its last commit", -1).length
						+ late.get().err().split("resuming it at its last commit", -1).length;
				first.kill();
				killedAt.set(System.nanoTime());
				long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
				while (System.nanoTime() < deadline) {
					int now = second.err().split("resuming it at its last commit", -1).length
							+ late.get().err().split("resuming it at its last commit", -1).length;
					if (now > before) {
						resumedAfter.set((System.nanoTime() - killedAt.get()) / 1_000_000);
						break;
					}
					Thread.sleep(20);
				}
			}
			catch (Throwable ex) {
				failed.set(ex);
			}
		});
		events.start();
		long started = System.nanoTime();

		Dmr.Result result = Dmr.run(manager, null, args("job=items", "cluster=on"));
		double seconds = (System.nanoTime() - started) / 1e9;
		join(events);

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(failed.get()).isNull();
		assertThat(result.out()).contains("items run 1 COMPLETED: 3000 items, 3000 ok, 0 failed");
		assertEveryItemOnceAndOk(manager, items);
		// each worker took partitions, the late one too; the one killed kept what it had committed
		assertThat(a.forwarded()).isGreaterThanOrEqualTo(700);
		assertThat(b.forwarded()).isPositive();
		assertThat(c.forwarded()).isPositive();
		assertThat(result.out()).containsPattern("  worker \\S+ \\(pid " + first.pid() + "\\), runner " + a.baseUrl()
				+ ": \\d+ partitions?, \\d+ items")
			.contains("(pid " + second.pid() + "), runner " + b.baseUrl())
			.contains("(pid " + late.get().pid() + "), runner " + c.baseUrl());
		// what each worker stored adds up to the run, the killed one's commits included
		java.util.regex.Matcher shares = java.util.regex.Pattern.compile("  worker .*: \\d+ partitions?, (\\d+) items")
			.matcher(result.out());
		long stored = 0;
		while (shares.find()) {
			stored += Long.parseLong(shares.group(1));
		}
		assertThat(stored).isEqualTo(items);
		// the killed worker's partition ran again on another worker, from its last commit
		assertThat(resumedAfter.get()).as("a worker resumed the killed worker's partition").isNotNegative();
		Map<String, Integer> perItem = perItem(all);
		assertThat(perItem).hasSize(items).allSatisfy((id, n) -> assertThat(n).isBetween(1, 2));
		assertThat(forwarded(all) - items).as("sent again").isBetween(0, IN_FLIGHT);
		System.out.printf("cluster: %d items over 3 workers in %.1f s (%.0f items/s); the killed worker's partition "
				+ "running again %d ms after the kill; %d sent again%n", items, seconds, items / seconds,
				resumedAfter.get(), forwarded(all) - items);

		// show lists the workers of the run, from any host: the killed one gone, the others alive
		Dmr.Result show = Dmr.run(host("elsewhere", 1), null, args("job=show", "run=1"));
		assertThat(show.exitCode()).as(show.toString()).isZero();
		assertThat(show.out()).contains("workers:\n")
			.containsPattern("\\(pid " + first.pid() + "\\), runner " + java.util.regex.Pattern.quote(a.baseUrl())
					+ ": .* items/s \\(gone\\)\n")
			.containsPattern("\\(pid " + late.get().pid() + "\\), runner " + java.util.regex.Pattern.quote(c.baseUrl())
					+ ": .* items/s\n");
		// and runs counts them in its table
		Dmr.Result runs = Dmr.run(host("elsewhere", 1), null, args("job=runs"));
		assertThat(runs.exitCode()).as(runs.toString()).isZero();
		assertThat(runs.out()).contains("WORKERS").contains(" 3, 1 gone ");
	}

	@Test
	void theManagerKilledMidRunIsResumedAWorkerWhoseRunnerDiesHandsBackAndOneWithoutTheModelRefuses() throws Exception {
		int items = 600;
		FaultProxy a = proxy(runnerA);
		// a runner without ai/tiny: the worker beside it must not take the run's partitions
		FaultProxy without = proxy(runnerB).answer("/models",
				new FaultProxy.Status(200, "{\"object\":\"list\",\"data\":[{\"id\":\"ai/other\",\"object\":\"model\"}]}"));
		DmrProcess refusing = startWorker("host-x", without, items);
		DmrProcess worker = ready(startWorker("host-a", a, items, "--dmr.retry.attempts=2", "--dmr.retry.backoff=50ms"));
		ready(refusing);
		Workspace host = host("manager", items);
		DmrProcess manager = DmrProcess.start(host, LocalRunner.baseUrl(), args("job=items", "cluster=on"));
		this.processes.add(manager);
		manager.awaitRequests(a::forwarded, 150);
		AtomicReference<Throwable> failed = new AtomicReference<>();
		// once the resumed run goes on, the worker's runner stops answering for a while
		Thread events = new Thread(() -> {
			try {
				awaitUntil(() -> !(a.forwarded() < 350), "a.forwarded() < 350");
				a.faults((n) -> new FaultProxy.Drop());
				awaitLog(worker, "goes back to the queue (its runner stopped answering)", Duration.ofMinutes(1));
				a.faults((n) -> FaultProxy.FORWARD);
			}
			catch (Throwable ex) {
				failed.set(ex);
			}
		});

		manager.kill();
		events.start();
		Dmr.Result resumed = Dmr.run(host, null, args("job=items", "cluster=on"));
		join(events);

		assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
		assertThat(failed.get()).isNull();
		assertThat(resumed.err()).contains("was left STARTED by a process that is gone; recovering it");
		assertThat(resumed.out()).contains("items run 1 COMPLETED: 600 items, 600 ok, 0 failed");
		assertEveryItemOnceAndOk(host, items);
		assertThat(perItem(List.of(a))).hasSize(items).allSatisfy((id, n) -> assertThat(n).isBetween(1, 2));
		assertThat(a.forwarded() - items).as("sent again").isBetween(0, IN_FLIGHT);
		// the worker without the model said why, and sent nothing
		assertThat(without.chatRequests()).isZero();
		assertThat(refusing.err()).contains("cannot run the partitions of run 1 of items: ")
			.contains("ai/tiny")
			.contains("they go back to the queue for other workers")
			.doesNotContain("\tat ");
		assertThat(resumed.out()).doesNotContain("runner " + without.baseUrl());
		// the worker whose runner stopped answering gave its partition back, waited, and went on once it answered
		assertThat(worker.err()).contains("does not answer (")
			.contains("this worker takes no partition until it does")
			.contains("answers again: taking partitions")
			.doesNotContain("\tat ");
	}

	@Test
	void aWorkerStoppedWithSigtermHandsItsPartitionBackAndTheWorkersRideOutARestartOfTheBroker() throws Exception {
		int items = 600;
		FaultProxy a = proxy(runnerA);
		FaultProxy b = proxy(runnerB);
		DmrProcess first = startWorker("host-a", a, items);
		DmrProcess second = ready(startWorker("host-b", b, items));
		ready(first);
		Workspace manager = host("manager", items);
		AtomicReference<Throwable> failed = new AtomicReference<>();
		int[] firstExit = { -1 };
		Thread events = new Thread(() -> {
			try {
				awaitUntil(() -> !(a.forwarded() < 60), "a.forwarded() < 60");
				first.terminate();
				firstExit[0] = first.waitFor();
				int sent = b.forwarded();
				awaitUntil(() -> !(b.forwarded() < sent + 20), "b.forwarded() < sent + 20");
				LocalRabbitMq.stop();
				LocalRabbitMq.restart();
			}
			catch (Throwable ex) {
				failed.set(ex);
			}
		});
		events.start();

		Dmr.Result result = Dmr.run(manager, null, args("job=items", "cluster=on"));
		join(events);

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(failed.get()).isNull();
		assertThat(result.out()).contains("items run 1 COMPLETED: 600 items, 600 ok, 0 failed");
		assertEveryItemOnceAndOk(manager, items);
		// the worker stopped with SIGTERM committed what it had answered, gave its partition back and left (exit 4)
		assertThat(firstExit[0]).as(first.err()).isEqualTo(4);
		assertThat(first.err()).contains("SIGTERM: leaving once conversations:items-")
			.contains("goes back to the queue (its worker left): another worker resumes it at its last commit")
			.contains("worker left: ")
			.doesNotContain("\tat ");
		// the other lost the broker, had it back, and went on; the partition it was running was not run twice
		assertThat(second.err()).contains("lost the broker " + this.broker + "/; reconnecting")
			.contains("connected to the broker " + this.broker + "/ again")
			.doesNotContain("\tat ");
		// a clean stop and a broker's restart cost nothing sent twice
		assertThat(perItem(List.of(a, b))).hasSize(items).allSatisfy((id, n) -> assertThat(n).isOne());
	}

	@Test
	void theManagerStoppedWithSigtermEndsStoppedAndTheSameCommandFinishesTheRunSendingNothingTwice() throws Exception {
		int items = 600;
		FaultProxy a = proxy(runnerA);
		DmrProcess worker = worker("host-a", a, items);
		Workspace host = host("manager", items);
		DmrProcess manager = DmrProcess.start(host, LocalRunner.baseUrl(), args("job=items", "cluster=on"));
		this.processes.add(manager);
		manager.awaitRequests(a::forwarded, 100);

		// the stop reaches the worker's partition at its next commit; the partitions no worker took end with the run
		manager.terminate();
		assertThat(manager.waitFor(Duration.ofSeconds(90))).as(manager.err()).isEqualTo(4);
		assertThat(manager.out()).contains("items run 1 STOPPED");
		assertThat(manager.err()).contains("SIGTERM: stopping after the requests in flight").doesNotContain("\tat ");

		// the worker stays for the next run; the same command finishes this one
		assertThat(worker.isAlive()).isTrue();
		Dmr.Result resumed = Dmr.run(host, null, args("job=items", "cluster=on"));
		assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
		assertThat(resumed.out()).contains("items run 1 COMPLETED: 600 items, 600 ok, 0 failed");
		assertEveryItemOnceAndOk(host, items);
		assertThat(perItem(List.of(a))).hasSize(items).allSatisfy((id, n) -> assertThat(n).isOne());
	}

	@Test
	void aBrokerThatDoesNotAnswerIsNamedInOneSentenceAndNothingIsSent() throws Exception {
		Workspace host = host("alone", 20);
		FaultProxy runner = proxy(LocalRunner.baseUrl());
		String nowhere = "--dmr.cluster.broker=amqp://someone:secret@127.0.0.1:1/";

		Dmr.Result manager = Dmr.run(host, runner.baseUrl(), "job=items", "cluster=on", nowhere);
		Dmr.Result worker = Dmr.run(host, runner.baseUrl(), "worker", nowhere);

		for (Dmr.Result result : List.of(manager, worker)) {
			assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
			assertThat(result.err()).contains("error: cannot reach the broker amqp://127.0.0.1:1/ (dmr.cluster.broker): "
					+ "Connection refused")
				.doesNotContain("secret")
				.doesNotContain("\tat ");
		}
		assertThat(runner.chatRequests()).isZero();
	}

	@Test
	void aRunWithoutTheClusterLoadsNothingOfTheBrokerOrOfSpringIntegration() throws Exception {
		Workspace host = host("plain", 20);
		Path plain = this.dir.resolve("plain-classes.log");
		Path cluster = this.dir.resolve("cluster-classes.log");

		DmrProcess run = DmrProcess.start(host, Map.of("JDK_JAVA_OPTIONS", "-Xlog:class+load=info:file=" + plain),
				LocalRunner.baseUrl(), "job=items");
		assertThat(run.waitFor()).as(run.err()).isZero();
		// the same JVM's probe sees them when the cluster is on (here with a broker that does not answer)
		DmrProcess manager = DmrProcess.start(host, Map.of("JDK_JAVA_OPTIONS", "-Xlog:class+load=info:file=" + cluster),
				LocalRunner.baseUrl(), "job=items", "run=new", "cluster=on", "--dmr.cluster.broker=amqp://127.0.0.1:1/");
		assertThat(manager.waitFor()).as(manager.err()).isEqualTo(2);

		assertThat(run.out()).contains("items run 1 COMPLETED: 20 items, 20 ok, 0 failed");
		List<String> broker = List.of(" com.rabbitmq.", " org.springframework.amqp.", " org.springframework.integration.",
				" org.springframework.batch.integration.");
		assertThat(Files.readAllLines(plain)).hasSizeGreaterThan(1000)
			.noneMatch((line) -> broker.stream().anyMatch(line::contains));
		assertThat(Files.readAllLines(cluster)).anyMatch((line) -> line.contains(" com.rabbitmq."));
	}


	@Test
	void aWorkerInANetworkNamespaceOfItsOwnTakesPartitionsFromARunnerTheHostCannotReach() throws Exception {
		int items = 400;
		try (NetworkNamespace namespace = namespace()) {
			// the broker and PostgreSQL listen on the host's loopback: the namespace reaches them through the veth pair
			namespace.forward(LocalRabbitMq.PORT);
			namespace.forward(LocalPostgres.PORT);
			String inside = LocalRunner.start(namespace.prefix(), PORT_NS, List.of("--threads", "1"));
			DmrProcess isolated = null;
			try {
				// the runner is on the namespace's loopback: neither the host's loopback nor the pair reaches it
				for (String address : List.of("127.0.0.1", namespace.address())) {
					assertThatThrownBy(() -> new java.net.Socket(address, PORT_NS).close()).as(address + ":" + PORT_NS)
						.isInstanceOf(java.net.ConnectException.class);
				}
				FaultProxy a = proxy(runnerA);
				DmrProcess hosted = startWorker("host-a", a, items);
				String[] through = java.util.Arrays.stream(args("worker"))
					.map((arg) -> arg.replace("127.0.0.1:", namespace.hostAddress() + ":"))
					.toArray(String[]::new);
				isolated = DmrProcess.startWith(namespace.prefix(), host("host-ns", items), inside, through);
				this.processes.add(isolated);
				ready(isolated);
				ready(hosted);
				Workspace manager = host("manager", items);

				Dmr.Result result = Dmr.run(manager, null, args("job=items", "cluster=on"));

				assertThat(result.exitCode()).as(result.toString()).isZero();
				assertThat(result.out()).contains("items run 1 COMPLETED: 400 items, 400 ok, 0 failed");
				assertEveryItemOnceAndOk(manager, items);
				// each worker took a share, the one in the namespace from its own runner only
				java.util.regex.Matcher share = java.util.regex.Pattern
					.compile("  worker \\S+ \\(pid " + isolated.pid() + "\\), runner "
							+ java.util.regex.Pattern.quote(inside) + ": \\d+ partitions?, (\\d+) items")
					.matcher(result.out());
				assertThat(share.find()).as(result.out()).isTrue();
				int isolatedItems = Integer.parseInt(share.group(1));
				assertThat(isolatedItems).isPositive();
				assertThat(a.forwarded()).isPositive();
				assertThat(perItem(List.of(a))).hasSize(items - isolatedItems)
					.allSatisfy((id, n) -> assertThat(n).isOne());
				assertThat(isolated.err()).doesNotContain("\tat ");
			}
			finally {
				// what runs in the namespace ends before it goes
				if (isolated != null && isolated.isAlive()) {
					isolated.kill();
				}
				LocalRunner.stop(PORT_NS);
			}
		}
	}

	/**
	 * A network namespace of the test's own; without root or iproute2 the test fails on CI and is skipped elsewhere,
	 * saying why.
	 */
	private static NetworkNamespace namespace() {
		try {
			return NetworkNamespace.create("cluster");
		}
		catch (IllegalStateException ex) {
			String why = "a worker in a network namespace of its own needs root and iproute2 ('ip netns'): "
					+ ex.getMessage();
			if (System.getenv("CI") != null) {
				throw new AssertionError(why);
			}
			Assumptions.abort(why);
			throw ex;
		}
	}

}
