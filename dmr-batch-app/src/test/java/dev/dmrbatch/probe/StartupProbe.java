package dev.dmrbatch.probe;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.DmrProcess;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one command costs the integration tests, wall clock and this JVM's CPU, by the way it is run: in-process in a
 * working folder already used, a small job there, in-process in a fresh working folder (its first command starts the
 * folder's store server), the same with the store not shared, and in a JVM of its own. The figures behind which
 * tests run dmr-batch in-process. Not part of {@code ./mvnw verify} (its name ends neither in Test nor in IT); run it
 * with {@code ./mvnw -B verify -pl dmr-batch-app -am -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=StartupProbe} ({@code -Dprobe.rounds=N}, default 30). It prints one {@code PROBE} line per way.
 */
class StartupProbe {

	@TempDir
	Path dir;

	@Test
	void probe() throws Exception {
		String url = LocalRunner.baseUrl();
		int rounds = Integer.getInteger("probe.rounds", 30);
		Workspace used = new Workspace(this.dir.resolve("used"));
		used.file("jobs/j.yaml", """
				input: { format: csv, path: input/i.csv, id: id }
				model: { name: ai/tiny, max_tokens: 4 }
				steps: [ { name: a, prompt: "Item ${record.id}: ${text}" } ]
				""");
		used.file("input/i.csv", "id,text\nr1,a\nr2,b\nr3,c\n");
		for (int i = 0; i < 10; i++) { // warm-up
			assertThat(Dmr.run(used, url, "job=runs").exitCode()).isZero();
		}
		report("runs", rounds, (n) -> Dmr.run(used, url, "job=runs").exitCode());
		report("job-3-items", rounds / 2, (n) -> Dmr.run(used, url, "job=j", "run=r" + n).exitCode());
		report("fresh-workspace-runs", rounds / 3,
				(n) -> Dmr.run(new Workspace(this.dir.resolve("fresh-" + n)), url, "job=runs").exitCode());
		report("fresh-workspace-runs-unshared", rounds / 3,
				(n) -> Dmr.run(new Workspace(this.dir.resolve("unshared-" + n)), url, "job=runs",
						"--dmr.store.shared=false")
					.exitCode());
		report("process-runs", 4, (n) -> DmrProcess.start(used, url, "job=runs").waitFor());
	}

	/** A command that returns its exit code. */
	private interface Command {

		int run(int round) throws Exception;

	}

	/** Runs the command this many times, each must exit 0, and prints the medians and minimums. */
	private static void report(String what, int times, Command command) throws Exception {
		List<Long> wall = new ArrayList<>();
		List<Long> cpu = new ArrayList<>();
		LongSupplier cpuMillis = () -> ((com.sun.management.OperatingSystemMXBean) ManagementFactory
			.getOperatingSystemMXBean()).getProcessCpuTime() / 1_000_000;
		for (int i = 0; i < times; i++) {
			long start = System.nanoTime();
			long startCpu = cpuMillis.getAsLong();
			assertThat(command.run(i)).as(what + " round " + i).isZero();
			wall.add((System.nanoTime() - start) / 1_000_000);
			cpu.add(cpuMillis.getAsLong() - startCpu);
		}
		wall.sort(null);
		cpu.sort(null);
		System.out.println("PROBE " + what + " n=" + times + " wall ms median " + wall.get(times / 2) + " min "
				+ wall.get(0) + " | this JVM's cpu ms median " + cpu.get(times / 2) + " min " + cpu.get(0)
				+ " | load average " + ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
	}

}
