package dev.dmrbatch.export;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.ConversationStore.Histogram;
import dev.dmrbatch.conversation.ConversationStore.Measure;
import dev.dmrbatch.conversation.RunRecord;

/**
 * A run's statistics as the charts of {@code charts.ftlh} draw them, for {@code report.html} and the web app's run
 * page alike: the latency and completion tokens of the answered items ({@value #BINS} bins each, counted by the
 * store) and the items stored over time.
 */
public final class RunCharts {

	/** The bins of each histogram. */
	static final int BINS = 24;

	/** Points the progress chart keeps at most. */
	static final int PROGRESS_POINTS = 240;

	private RunCharts() {
	}

	/** The charts' data: {@code latency} and {@code tokens} for the {@code histogram} macro, {@code progress}. */
	public static Map<String, Object> of(ConversationStore store, RunRecord run) {
		Map<String, Object> charts = new HashMap<>();
		charts.put("latency", histogram(store.histogram(run.id(), Measure.LATENCY_MS, BINS)));
		charts.put("tokens", histogram(store.histogram(run.id(), Measure.COMPLETION_TOKENS, BINS)));
		charts.put("progress", progress(run.createdAt().toEpochMilli(), store.progress(run.id())));
		return charts;
	}

	/** A histogram for the {@code histogram} macro. */
	static Map<String, Object> histogram(Histogram h) {
		List<Long> counts = new ArrayList<>(h.counts().length);
		for (long count : h.counts()) {
			counts.add(count);
		}
		return Map.of("lo", h.lo(), "width", h.width(), "counts", counts, "total", h.total());
	}

	/**
	 * Items stored over time from the run's start, one point per commit, thinned to a few hundred points: each
	 * {@code [milliseconds since the start, items stored]}, for the {@code progress} macro.
	 */
	static List<List<Long>> progress(long start, List<long[]> commits) {
		List<long[]> points = new ArrayList<>(commits.size() + 1);
		points.add(new long[] { start, 0 });
		points.addAll(commits);
		int step = Math.max(1, (points.size() + PROGRESS_POINTS - 1) / PROGRESS_POINTS);
		List<List<Long>> thinned = new ArrayList<>();
		for (int i = 0; i < points.size(); i++) {
			if (i % step == 0 || i == points.size() - 1) {
				thinned.add(List.of(points.get(i)[0] - start, points.get(i)[1]));
			}
		}
		return thinned;
	}

}
