package dev.dmrbatch.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.stereotype.Component;

/**
 * {@code job=bench [model=] [concurrency=1,2,4,8] [requests=N] [max_tokens=N]}: how fast a model is on this runner,
 * as Docker Model Runner's {@code docker model bench} measures it, and more: per concurrency level, requests/s,
 * output tokens/s, latency p50/p90/p99 and time to first token p50/p90 (streamed requests). It picks the
 * concurrency it would use for batch runs and says why.
 */
@Component
public class BenchCommand {

	private static final String PROMPT = "Write a long story about a lighthouse keeper and a cat.";

	private final RunnerHttp http;

	BenchCommand(RunnerHttp http) {
		this.http = http;
	}

	/** One concurrency level's figures; times in milliseconds. */
	public record Level(int concurrency, int requests, int failed, double seconds, double requestsPerSecond,
			double tokensPerSecond, double latencyP50, double latencyP90, double latencyP99, double ttftP50,
			double ttftP90) {
	}

	/** The whole benchmark. */
	public record Bench(String model, String runner, int maxTokens, List<Level> levels, int recommended,
			String why) {
	}

	public Bench bench(String model, String runner, List<Integer> concurrencies, int requests, int maxTokens)
			throws InterruptedException {
		// one request first, so no level pays for loading the model
		timed(model, maxTokens);
		List<Level> levels = new ArrayList<>();
		for (int concurrency : concurrencies) {
			levels.add(level(model, concurrency, requests, maxTokens));
		}
		double best = levels.stream().mapToDouble(Level::tokensPerSecond).max().orElse(0);
		Level pick = levels.stream().filter((l) -> l.failed() == 0 && l.tokensPerSecond() >= 0.9 * best).findFirst()
			.orElse(levels.get(levels.size() - 1));
		boolean highest = pick == levels.get(levels.size() - 1);
		String why = String.format(Locale.ROOT,
				"concurrency %d reaches %.0f output tokens/s, %.0f%% of the best measured (%.0f), with p90 latency %.0f ms; %s",
				pick.concurrency(), pick.tokensPerSecond(), (best > 0) ? 100 * pick.tokensPerSecond() / best : 0, best,
				pick.latencyP90(), highest
						? "it is the highest level tried, so try higher ones (concurrency=" + pick.concurrency() + ","
								+ 2 * pick.concurrency() + ") to see whether throughput still grows"
						: "more requests in flight only queue on the runner and lengthen each one");
		return new Bench(model, runner, maxTokens, levels, pick.concurrency(), why);
	}

	private record Timing(double latency, double ttft, long tokens, boolean ok) {
	}

	private Level level(String model, int concurrency, int requests, int maxTokens) throws InterruptedException {
		ExecutorService pool = Executors.newFixedThreadPool(concurrency);
		List<Future<Timing>> futures = new ArrayList<>();
		long start = System.nanoTime();
		for (int i = 0; i < requests; i++) {
			futures.add(pool.submit(() -> timed(model, maxTokens)));
		}
		List<Timing> timings = new ArrayList<>();
		for (Future<Timing> future : futures) {
			try {
				timings.add(future.get());
			}
			catch (java.util.concurrent.ExecutionException ex) {
				timings.add(new Timing(0, 0, 0, false));
			}
		}
		double seconds = (System.nanoTime() - start) / 1e9;
		pool.shutdown();
		List<Double> latencies = new ArrayList<>();
		List<Double> ttfts = new ArrayList<>();
		long tokens = 0;
		int failed = 0;
		for (Timing t : timings) {
			if (!t.ok()) {
				failed++;
				continue;
			}
			latencies.add(t.latency());
			ttfts.add(t.ttft());
			tokens += t.tokens();
		}
		Collections.sort(latencies);
		Collections.sort(ttfts);
		return new Level(concurrency, requests, failed, seconds, (requests - failed) / seconds, tokens / seconds,
				percentile(latencies, 50), percentile(latencies, 90), percentile(latencies, 99), percentile(ttfts, 50),
				percentile(ttfts, 90));
	}

	private Timing timed(String model, int maxTokens) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("model", model);
		body.put("messages", List.of(Map.of("role", "user", "content", PROMPT)));
		body.put("max_tokens", maxTokens);
		body.put("stream", true);
		body.put("stream_options", Map.of("include_usage", true));
		long start = System.nanoTime();
		AtomicLong first = new AtomicLong();
		AtomicLong tokens = new AtomicLong();
		AtomicLong deltas = new AtomicLong();
		try {
			this.http.stream(body, (event) -> {
				if (!(this.http.parse(event) instanceof Map<?, ?> chunk)) {
					return;
				}
				if (chunk.get("choices") instanceof List<?> choices && !choices.isEmpty()
						&& choices.get(0) instanceof Map<?, ?> choice && choice.get("delta") instanceof Map<?, ?> delta
						&& delta.get("content") instanceof String text && !text.isEmpty()) {
					first.compareAndSet(0, System.nanoTime());
					deltas.incrementAndGet();
				}
				if (chunk.get("usage") instanceof Map<?, ?> usage && usage.get("completion_tokens") instanceof Number n) {
					tokens.set(n.longValue());
				}
			});
		}
		catch (IOException ex) {
			return new Timing(0, 0, 0, false);
		}
		long end = System.nanoTime();
		long firstToken = (first.get() != 0) ? first.get() : end;
		return new Timing((end - start) / 1e6, (firstToken - start) / 1e6,
				(tokens.get() > 0) ? tokens.get() : deltas.get(), true);
	}

	static double percentile(List<Double> sorted, int p) {
		if (sorted.isEmpty()) {
			return 0;
		}
		int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
		return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
	}

	// --- output

	public String table(Bench bench) {
		StringBuilder out = new StringBuilder("model " + bench.model() + " on " + bench.runner() + ", max_tokens "
				+ bench.maxTokens() + "\n");
		out.append(String.format(Locale.ROOT, "%-11s %8s %6s %9s %11s %9s %9s %9s %9s %9s%n", "CONCURRENCY", "REQUESTS",
				"FAILED", "REQ/S", "TOKENS/S", "P50 MS", "P90 MS", "P99 MS", "TTFT P50", "TTFT P90"));
		for (Level l : bench.levels()) {
			out.append(String.format(Locale.ROOT, "%-11d %8d %6d %9.1f %11.1f %9.0f %9.0f %9.0f %9.0f %9.0f%n",
					l.concurrency(), l.requests(), l.failed(), l.requestsPerSecond(), l.tokensPerSecond(), l.latencyP50(),
					l.latencyP90(), l.latencyP99(), l.ttftP50(), l.ttftP90()));
		}
		out.append("recommended concurrency for batch runs: ").append(bench.recommended()).append(" — ")
			.append(bench.why());
		return out.toString();
	}

	public List<Path> write(Bench bench, Path folder) throws IOException {
		Files.createDirectories(folder);
		Path json = folder.resolve("bench.json");
		Path csv = folder.resolve("bench.csv");
		Path html = folder.resolve("bench.html");
		this.http.json().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), bench);
		StringBuilder rows = new StringBuilder(
				"concurrency,requests,failed,seconds,requests_per_second,tokens_per_second,latency_p50_ms,"
						+ "latency_p90_ms,latency_p99_ms,ttft_p50_ms,ttft_p90_ms\r\n");
		for (Level l : bench.levels()) {
			rows.append(String.format(Locale.ROOT, "%d,%d,%d,%.3f,%.2f,%.2f,%.1f,%.1f,%.1f,%.1f,%.1f\r\n",
					l.concurrency(), l.requests(), l.failed(), l.seconds(), l.requestsPerSecond(), l.tokensPerSecond(),
					l.latencyP50(), l.latencyP90(), l.latencyP99(), l.ttftP50(), l.ttftP90()));
		}
		Files.writeString(csv, rows);
		Files.writeString(html, BenchChart.html(bench));
		return List.of(json, csv, html);
	}

}
