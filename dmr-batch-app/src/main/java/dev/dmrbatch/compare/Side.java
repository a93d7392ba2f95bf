package dev.dmrbatch.compare;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.dmrbatch.conversation.ConversationStore.ItemFacts;
import dev.dmrbatch.conversation.RunRecord;

/**
 * One side of a comparison: a run's conversations with one of its models, named by its label; with the figures
 * counted while its items are indexed.
 */
final class Side {

	private final RunRecord run;

	private final String model;

	private String label;

	/** Its items' record numbers by item id, in input order; the first of an id that the input holds twice. */
	private final Map<String, Long> items = new LinkedHashMap<>();

	private long duplicates;

	private long ok;

	private long failed;

	private long promptTokens;

	private long completionTokens;

	/** The latency of each answered conversation, in milliseconds. */
	private long[] latencies = new long[64];

	private int answered;

	Side(RunRecord run, String model) {
		this.run = run;
		this.model = model;
	}

	RunRecord run() {
		return this.run;
	}

	String model() {
		return this.model;
	}

	String label() {
		return this.label;
	}

	void label(String label) {
		this.label = label;
	}

	Map<String, Long> items() {
		return this.items;
	}

	long duplicates() {
		return this.duplicates;
	}

	/** How many times its run asked each item ({@code repeat=N}): its highest repetition; 1 for once. */
	private int repeat = 1;

	/** How its run's answers agree item by item, when it asked each several times; else {@code null}. */
	private dev.dmrbatch.check.Agreement agreement;

	int repeat() {
		return this.repeat;
	}

	dev.dmrbatch.check.Agreement agreement() {
		return this.agreement;
	}

	void add(ItemFacts facts) {
		if (facts.repetition() > 1) {
			// another answer to an item already indexed: counted with the run's figures, never a duplicate
			this.repeat = Math.max(this.repeat, facts.repetition());
			count(facts);
			return;
		}
		if (this.items.putIfAbsent(facts.itemId(), facts.itemSeq()) != null) {
			this.duplicates++;
			return;
		}
		count(facts);
	}

	/** Once every item is indexed: a side whose run asked each item several times tells how its answers agree. */
	void indexed(boolean checked) {
		sortLatencies();
		if (this.repeat > 1) {
			this.agreement = new dev.dmrbatch.check.Agreement(this.repeat, Map.of(), checked);
		}
	}

	private void count(ItemFacts facts) {
		this.promptTokens += facts.promptTokens();
		this.completionTokens += facts.completionTokens();
		if (facts.isOk()) {
			this.ok++;
			if (this.answered == this.latencies.length) {
				this.latencies = Arrays.copyOf(this.latencies, this.answered * 2);
			}
			this.latencies[this.answered++] = facts.latencyMillis();
		}
		else {
			this.failed++;
		}
	}

	long ok() {
		return this.ok;
	}

	long failed() {
		return this.failed;
	}

	long promptTokens() {
		return this.promptTokens;
	}

	long completionTokens() {
		return this.completionTokens;
	}

	/** Sorts the latencies once all items are counted, for {@link #latency}. */
	private void sortLatencies() {
		Arrays.sort(this.latencies, 0, this.answered);
	}

	/**
	 * The latency that {@code percent} of the answered conversations did not exceed (nearest rank), in milliseconds;
	 * {@code null} when none was answered.
	 */
	Long latency(int percent) {
		if (this.answered == 0) {
			return null;
		}
		int rank = (int) Math.ceil(percent / 100.0 * this.answered);
		return this.latencies[Math.max(0, rank - 1)];
	}

}
