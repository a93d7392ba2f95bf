package dev.dmrbatch.runner;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * {@code bench.html}: a page that opens from disk with no network, with an inline SVG chart of throughput (output
 * tokens/s) and p50/p90 latency against concurrency. Each point carries its value in a {@code data-value}
 * attribute and a tooltip.
 */
final class BenchChart {

	private static final int WIDTH = 720;

	private static final int HEIGHT = 380;

	private static final int LEFT = 70;

	private static final int RIGHT = 70;

	private static final int TOP = 30;

	private static final int BOTTOM = 50;

	private BenchChart() {
	}

	static String html(BenchCommand.Bench bench) {
		List<BenchCommand.Level> levels = bench.levels();
		double maxTokens = max(levels, BenchCommand.Level::tokensPerSecond);
		double maxLatency = Math.max(max(levels, BenchCommand.Level::latencyP90), 1);
		StringBuilder svg = new StringBuilder();
		svg.append(String.format(Locale.ROOT,
				"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\" "
						+ "aria-label=\"throughput and latency against concurrency\">%n",
				WIDTH, HEIGHT));
		int plotWidth = WIDTH - LEFT - RIGHT;
		int plotHeight = HEIGHT - TOP - BOTTOM;
		svg.append(String.format(Locale.ROOT,
				"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fafafa\" stroke=\"#ccc\"/>%n", LEFT, TOP,
				plotWidth, plotHeight));
		for (int i = 0; i < levels.size(); i++) {
			double x = x(i, levels.size(), plotWidth);
			svg.append(String.format(Locale.ROOT,
					"<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"12\">%d</text>%n", x, HEIGHT - BOTTOM + 18,
					levels.get(i).concurrency()));
		}
		svg.append(String.format(Locale.ROOT,
				"<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"12\">concurrency</text>%n",
				LEFT + plotWidth / 2, HEIGHT - 8));
		svg.append(String.format(Locale.ROOT,
				"<text x=\"12\" y=\"%d\" font-size=\"12\" fill=\"#1b6e3a\" transform=\"rotate(-90 12 %d)\">output tokens/s (max %.0f)</text>%n",
				TOP + plotHeight - 10, TOP + plotHeight - 10, maxTokens));
		svg.append(String.format(Locale.ROOT,
				"<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#1f4e99\" transform=\"rotate(90 %d %d)\">latency ms (max %.0f)</text>%n",
				WIDTH - 14, TOP + 10, WIDTH - 14, TOP + 10, maxLatency));
		series(svg, "tokens_per_second", "#1b6e3a", levels, BenchCommand.Level::tokensPerSecond, maxTokens, plotWidth,
				plotHeight);
		series(svg, "latency_p50_ms", "#1f4e99", levels, BenchCommand.Level::latencyP50, maxLatency, plotWidth,
				plotHeight);
		series(svg, "latency_p90_ms", "#8aa7d6", levels, BenchCommand.Level::latencyP90, maxLatency, plotWidth,
				plotHeight);
		svg.append("</svg>\n");

		StringBuilder rows = new StringBuilder();
		for (BenchCommand.Level l : levels) {
			rows.append(String.format(Locale.ROOT,
					"<tr><td>%d</td><td>%d</td><td>%d</td><td>%.1f</td><td>%.1f</td><td>%.0f</td><td>%.0f</td><td>%.0f</td>"
							+ "<td>%.0f</td><td>%.0f</td></tr>%n",
					l.concurrency(), l.requests(), l.failed(), l.requestsPerSecond(), l.tokensPerSecond(), l.latencyP50(),
					l.latencyP90(), l.latencyP99(), l.ttftP50(), l.ttftP90()));
		}
		return """
				<!DOCTYPE html>
				<html lang="en"><head><meta charset="utf-8"><title>dmr-batch bench: %s</title>
				<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}
				td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}.legend span{margin-right:1.5em}</style>
				</head><body>
				<h1>%s on %s</h1>
				<p>max_tokens %d. Recommended concurrency for batch runs: <strong>%d</strong> — %s.</p>
				<p class="legend"><span style="color:#1b6e3a">● output tokens/s</span><span style="color:#1f4e99">● latency p50</span><span style="color:#8aa7d6">● latency p90</span></p>
				%s
				<table><tr><th>concurrency</th><th>requests</th><th>failed</th><th>req/s</th><th>tokens/s</th><th>p50 ms</th>
				<th>p90 ms</th><th>p99 ms</th><th>TTFT p50 ms</th><th>TTFT p90 ms</th></tr>
				%s</table>
				</body></html>
				""".formatted(escape(bench.model()), escape(bench.model()), escape(bench.runner()), bench.maxTokens(),
				bench.recommended(), escape(bench.why()), svg, rows);
	}

	private static void series(StringBuilder svg, String name, String color, List<BenchCommand.Level> levels,
			ToDoubleFunction<BenchCommand.Level> value, double max, int plotWidth, int plotHeight) {
		StringBuilder points = new StringBuilder();
		StringBuilder dots = new StringBuilder();
		for (int i = 0; i < levels.size(); i++) {
			double v = value.applyAsDouble(levels.get(i));
			double x = x(i, levels.size(), plotWidth);
			double y = TOP + plotHeight - ((max > 0) ? v / max : 0) * (plotHeight - 10);
			points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
			dots.append(String.format(Locale.ROOT,
					"<circle class=\"point\" data-series=\"%s\" data-concurrency=\"%d\" data-value=\"%.2f\" cx=\"%.1f\" "
							+ "cy=\"%.1f\" r=\"4\" fill=\"%s\"><title>%s at concurrency %d: %.1f</title></circle>%n",
					name, levels.get(i).concurrency(), v, x, y, color, name, levels.get(i).concurrency(), v));
		}
		svg.append(String.format(Locale.ROOT,
				"<polyline data-series=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n", name,
				color, points.toString().strip()));
		svg.append(dots);
	}

	private static double x(int index, int count, int plotWidth) {
		return LEFT + ((count == 1) ? plotWidth / 2.0 : 20 + index * (plotWidth - 40.0) / (count - 1));
	}

	private static double max(List<BenchCommand.Level> levels, ToDoubleFunction<BenchCommand.Level> value) {
		return levels.stream().mapToDouble(value).max().orElse(0);
	}

	private static String escape(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
	}

}
