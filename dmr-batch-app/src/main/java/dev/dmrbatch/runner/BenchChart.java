package dev.dmrbatch.runner;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.export.HtmlPages;

/**
 * {@code bench.html}: a page that opens from disk with no network, with an inline SVG chart of throughput (output
 * tokens/s) and p50/p90 latency against concurrency, written through the {@code bench.ftlh} template. Each point
 * carries its value in a {@code data-value} attribute and a tooltip.
 */
final class BenchChart {

	private BenchChart() {
	}

	static String html(BenchCommand.Bench bench) {
		List<Map<String, Object>> levels = new ArrayList<>();
		for (BenchCommand.Level l : bench.levels()) {
			Map<String, Object> level = new HashMap<>();
			level.put("concurrency", l.concurrency());
			level.put("requests", l.requests());
			level.put("failed", l.failed());
			level.put("requests_per_second", decimal(l.requestsPerSecond()));
			level.put("tokens_per_second", decimal(l.tokensPerSecond()));
			level.put("latency_p50_ms", decimal(l.latencyP50()));
			level.put("latency_p90_ms", decimal(l.latencyP90()));
			level.put("latency_p99_ms", decimal(l.latencyP99()));
			level.put("ttft_p50_ms", decimal(l.ttftP50()));
			level.put("ttft_p90_ms", decimal(l.ttftP90()));
			levels.add(level);
		}
		Map<String, Object> page = Map.of("model", bench.model(), "runner", bench.runner(), "max_tokens",
				bench.maxTokens(), "recommended", bench.recommended(), "why", bench.why(), "levels", levels);
		StringWriter html = new StringWriter();
		try {
			HtmlPages.render(HtmlPages.macro("bench.ftlh", "page", "bench"), Map.of("bench", page), html);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return html.toString();
	}

	/** A figure as its shortest decimal, so it is rounded as bench.json readers round it. */
	private static BigDecimal decimal(double value) {
		return Double.isFinite(value) ? BigDecimal.valueOf(value) : BigDecimal.ZERO;
	}

}
