package dev.dmrbatch.model;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

import dev.dmrbatch.config.Pacing;

/**
 * A runner's {@code rate=} and {@code tokens-rate=}: sliding windows, exact, with no burst beyond them.
 * <p>
 * A request counts against {@code rate=} from the moment it is let go until one window after its answer (or
 * failure) came back: the runner (or a gateway before it) saw the request at some moment between the two, so
 * whatever the network's delays, no window of the runner's own clock ever holds more requests than the rate.
 * <p>
 * {@code tokens-rate=} counts the prompt and completion tokens of the answered calls, as the runner reports them, in
 * the window after each answer; a call in flight, whose tokens are not known yet, is counted at the mean of the
 * calls answered so far (nothing before the first answer). A request waits while those add up to the limit.
 */
final class Pace {

	private final Pacing pacing;

	/** Nanoseconds, as {@link System#nanoTime()} counts them. */
	private final LongSupplier clock;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition changed = this.lock.newCondition();

	private final long requestLimit;

	private final long requestWindow;

	/** When each request answered in the last window came back, oldest first: a ring of {@code requestLimit}. */
	private final long[] answered;

	private int answeredHead;

	private int answeredCount;

	private final long tokenLimit;

	private final long tokenWindow;

	/** The answered calls' times and tokens within the last window, oldest first. */
	private final java.util.ArrayDeque<long[]> tokenCalls = new java.util.ArrayDeque<>();

	private long tokensInWindow;

	private long tokensEver;

	private long callsEver;

	private int inFlight;

	private int waiting;

	Pace(Pacing pacing, LongSupplier clock) {
		this.pacing = pacing;
		this.clock = clock;
		this.requestLimit = (pacing.requests() != null) ? pacing.requests().amount() : 0;
		this.requestWindow = (pacing.requests() != null) ? pacing.requests().per().toNanos() : 0;
		this.answered = new long[(int) this.requestLimit];
		this.tokenLimit = (pacing.tokens() != null) ? pacing.tokens().amount() : 0;
		this.tokenWindow = (pacing.tokens() != null) ? pacing.tokens().per().toNanos() : 0;
	}

	/** Waits until a request may be sent, then counts it as in flight. */
	void acquire() throws InterruptedException {
		this.lock.lockInterruptibly();
		try {
			long wait;
			while ((wait = untilAllowed(this.clock.getAsLong())) > 0) {
				this.waiting++;
				try {
					this.changed.awaitNanos(wait);
				}
				finally {
					this.waiting--;
				}
			}
			this.inFlight++;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * A request let go by {@link #acquire()} has ended.
	 * @param tokens the prompt and completion tokens of its answer; 0 when none came
	 * @param gotAnswer whether it was answered (tokens then count, and the mean they are estimated at)
	 */
	void release(long tokens, boolean gotAnswer) {
		this.lock.lock();
		try {
			long now = this.clock.getAsLong();
			this.inFlight--;
			if (this.requestLimit > 0) {
				expireRequests(now);
				this.answered[(this.answeredHead + this.answeredCount) % this.answered.length] = now;
				this.answeredCount++;
			}
			if (this.tokenLimit > 0 && gotAnswer) {
				this.callsEver++;
				this.tokensEver += tokens;
				if (tokens > 0) {
					this.tokenCalls.addLast(new long[] { now, tokens });
					this.tokensInWindow += tokens;
				}
			}
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/** 0 when a request may go now, else how long until it may at the soonest (or something changes). */
	private long untilAllowed(long now) {
		long wait = 0;
		if (this.requestLimit > 0) {
			expireRequests(now);
			if (this.inFlight + this.answeredCount >= this.requestLimit) {
				// the oldest answer leaves the window then; with none, an answer must come first
				wait = (this.answeredCount > 0) ? this.answered[this.answeredHead] + this.requestWindow - now
						: TimeUnit.SECONDS.toNanos(1);
			}
		}
		if (this.tokenLimit > 0) {
			while (!this.tokenCalls.isEmpty() && this.tokenCalls.peekFirst()[0] + this.tokenWindow <= now) {
				this.tokensInWindow -= this.tokenCalls.removeFirst()[1];
			}
			long estimated = (this.callsEver > 0) ? this.inFlight * (this.tokensEver / this.callsEver) : 0;
			if (this.tokensInWindow + estimated >= this.tokenLimit) {
				long until = this.tokenCalls.isEmpty() ? TimeUnit.SECONDS.toNanos(1)
						: this.tokenCalls.peekFirst()[0] + this.tokenWindow - now;
				wait = Math.max(wait, until);
			}
		}
		return Math.max(0, wait);
	}

	private void expireRequests(long now) {
		while (this.answeredCount > 0 && this.answered[this.answeredHead] + this.requestWindow <= now) {
			this.answeredHead = (this.answeredHead + 1) % this.answered.length;
			this.answeredCount--;
		}
	}

	/** How many requests are waiting on the limits now. */
	int waiting() {
		this.lock.lock();
		try {
			return this.waiting;
		}
		finally {
			this.lock.unlock();
		}
	}

	/** The limits, as given at launch, when a request is waiting on them now; else {@code null}. */
	String waitingOn() {
		this.lock.lock();
		try {
			return (this.waiting > 0) ? this.pacing.describe() : null;
		}
		finally {
			this.lock.unlock();
		}
	}

}
