package dev.dmrbatch.progress;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

import dev.dmrbatch.conversation.Conversation;

/** Counts a running job's stored items, from any thread, and says where it stands in one line. */
final class ProgressMeter {

	private final long startNanos = System.nanoTime();

	/** Items stored by earlier executions of the same run. */
	private final long before;

	private final long failedBefore;

	private final LongAdder stored = new LongAdder();

	private final LongAdder failed = new LongAdder();

	private final LongAdder completionTokens = new LongAdder();

	/** The input's item count once known (counted in the background), else -1. */
	private volatile long total = -1;

	/** What the requests wait on now besides the runner ({@code rate=10/s}), or {@code null}; asked once a line. */
	private volatile java.util.function.Supplier<String> waitingOn = () -> null;

	ProgressMeter(long before, long failedBefore) {
		this.before = before;
		this.failedBefore = failedBefore;
	}

	/** One item's conversations, one per model: the item failed when any of them did. */
	void record(List<Conversation> item) {
		this.stored.increment();
		if (item.stream().anyMatch((c) -> !c.isOk())) {
			this.failed.increment();
		}
		item.forEach((c) -> this.completionTokens.add(c.completionTokens()));
	}

	/**
	 * What other processes stored (a cluster's workers): the run's stored items, failed items and completion
	 * tokens in all, read from the store.
	 */
	void storedInAll(long items, long failedItems, long tokens) {
		set(this.stored, items - this.before);
		set(this.failed, failedItems - this.failedBefore);
		set(this.completionTokens, tokens);
	}

	private static void set(LongAdder adder, long value) {
		adder.reset();
		adder.add(Math.max(0, value));
	}

	void waitingOn(java.util.function.Supplier<String> waitingOn) {
		this.waitingOn = waitingOn;
	}

	void total(long total) {
		this.total = total;
	}

	long done() {
		return this.before + this.stored.sum();
	}

	/** Percent done, or -1 while the total is unknown. */
	int percent() {
		long total = this.total;
		return (total > 0) ? (int) Math.min(100, done() * 100 / total) : (total == 0) ? 100 : -1;
	}

	/**
	 * "42/1000 items (4%), 1 failed, 8.3 items/s, 530 tokens/s, 0:05 elapsed, 1:55 left", and ", waiting on
	 * rate=120/min" while a request waits for a limit.
	 */
	String line() {
		return line(false);
	}

	/** The same, short enough for an 80-column terminal: "42/1000 (4%) | 1 failed | 8.3/s | 530 tok/s | 0:05 | 1:55 left" */
	String compactLine() {
		return line(true);
	}

	private String line(boolean compact) {
		double seconds = Math.max(0.001, (System.nanoTime() - this.startNanos) / 1e9);
		long answered = this.stored.sum();
		long done = this.before + answered;
		long total = this.total;
		double rate = answered / seconds;
		StringBuilder line = new StringBuilder();
		String sep = compact ? " | " : ", ";
		line.append(done);
		if (total >= 0) {
			line.append('/').append(total).append(compact ? " (" : " items (").append(percent()).append("%)");
		}
		else {
			line.append(" items");
		}
		line.append(sep).append(this.failedBefore + this.failed.sum()).append(" failed");
		line.append(String.format(Locale.ROOT, compact ? " | %.1f/s | %.0f tok/s | %s" : ", %.1f items/s, %.0f tokens/s, %s elapsed",
				rate, this.completionTokens.sum() / seconds, clock(seconds)));
		if (total > done && rate > 0 && answered >= 1) {
			line.append(sep).append(clock((total - done) / rate)).append(" left");
		}
		String waiting = this.waitingOn.get();
		if (waiting != null) {
			line.append(sep).append("waiting on ").append(waiting);
		}
		return line.toString();
	}

	static String clock(double seconds) {
		long s = Math.round(seconds);
		return (s >= 3600) ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60)
				: String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
	}

}
