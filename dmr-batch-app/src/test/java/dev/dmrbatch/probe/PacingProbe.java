package dev.dmrbatch.probe;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.FaultProxy;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A run at {@code rate=120/min} (by default) through a proxy that logs when each request arrives: the most requests
 * in any 60 s window of its log, and how long the run took. Not part of {@code ./mvnw verify}; run it with
 * {@code ./mvnw -B verify -pl dmr-batch-app -am -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=PacingProbe} ({@code -Dprobe.items=N}, default 300, {@code -Dprobe.rate=}, default {@code 120/min}). It
 * prints one {@code PROBE} line.
 */
class PacingProbe {

	@TempDir
	Path dir;

	@Test
	void probe() throws Exception {
		int items = Integer.getInteger("probe.items", 300);
		String rate = System.getProperty("probe.rate", "120/min");
		Duration window = rate.endsWith("/s") ? Duration.ofSeconds(1) : Duration.ofMinutes(1);
		Workspace workspace = new Workspace(this.dir);
		StringBuilder csv = new StringBuilder("id,text\n");
		for (int i = 1; i <= items; i++) {
			csv.append("r").append(i).append(",text ").append(i).append('\n');
		}
		workspace.file("input/i.csv", csv.toString()).file("jobs/j.yaml", """
				input: { format: csv, path: input/i.csv, id: id }
				model: { name: ai/tiny, max_tokens: 4, temperature: 0 }
				steps: [ { name: a, prompt: "Item ${record.id}: ${text}" } ]
				""");
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			long start = System.nanoTime();
			Dmr.Result run = Dmr.run(workspace, proxy.baseUrl(), "job=j", "concurrency=4", "rate=" + rate);
			double seconds = (System.nanoTime() - start) / 1e9;
			assertThat(run.exitCode()).as(run.toString()).isZero();
			List<Long> arrivals = proxy.received().stream()
				.filter((seen) -> seen.path().endsWith("/chat/completions"))
				.map(FaultProxy.Received::arrivedNanos)
				.sorted()
				.toList();
			int most = 0;
			int first = 0;
			for (int last = 0; last < arrivals.size(); last++) {
				while (arrivals.get(last) - arrivals.get(first) >= window.toNanos()) {
					first++;
				}
				most = Math.max(most, last - first + 1);
			}
			System.out.printf("PROBE rate=%s items=%d requests=%d most-in-any-%ds-window=%d run=%.1fs "
					+ "first-to-last-arrival=%.1fs%n", rate, items, arrivals.size(), window.toSeconds(), most, seconds,
					(arrivals.get(arrivals.size() - 1) - arrivals.get(0)) / 1e9);
		}
	}

}
