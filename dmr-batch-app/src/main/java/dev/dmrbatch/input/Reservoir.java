package dev.dmrbatch.input;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Reservoir sampling (Vitter's algorithm R) of record numbers: after any number of offers it holds {@code size} of
 * them, each offered one equally likely to be held, drawn the same for the same seed. It keeps numbers only, never
 * the records, so its memory is {@code size} numbers however long the input.
 */
final class Reservoir {

	private final long[] held;

	private final SplittableRandom random;

	private long offered;

	Reservoir(int size, long seed) {
		this.held = new long[size];
		this.random = new SplittableRandom(seed);
	}

	void offer(long seq) {
		this.offered++;
		if (this.offered <= this.held.length) {
			this.held[(int) (this.offered - 1)] = seq;
			return;
		}
		long slot = this.random.nextLong(this.offered);
		if (slot < this.held.length) {
			this.held[(int) slot] = seq;
		}
	}

	/** How many numbers it holds: never more than its size. */
	int held() {
		return (int) Math.min(this.offered, this.held.length);
	}

	/** The numbers held, in the input's order. */
	long[] sorted() {
		long[] sorted = Arrays.copyOf(this.held, held());
		Arrays.sort(sorted);
		return sorted;
	}

}
