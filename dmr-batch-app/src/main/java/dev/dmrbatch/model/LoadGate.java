package dev.dmrbatch.model;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import dev.dmrbatch.config.Pacing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests a run has in flight to the runner: at most its concurrency, lowered while llama-server reports its
 * shared KV cache full (500 "Context size has been exceeded.", sent to every request decoding at that moment) and
 * raised again, one at a time, once the runner copes. It also tells the user when the runner has been silent for a
 * while, since a model's first request blocks while the runner loads it.
 */
public final class LoadGate implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(LoadGate.class);

	static final Duration CALM_BEFORE_RAISING = Duration.ofSeconds(10);

	static final Duration SILENCE_WORTH_A_WORD = Duration.ofSeconds(15);

	private final int max;

	private final String model;

	private final ScheduledExecutorService heartbeat;

	/** Nanoseconds, as {@link System#nanoTime()} counts them. */
	private final LongSupplier clock;

	private int limit;

	private int inFlight;

	private long calmSince;

	private long lastAnswer;

	/** The runner's {@code rate=} and {@code tokens-rate=}, or {@code null} when neither is set. */
	private final Pace pace;

	public LoadGate(int concurrency, String model) {
		this(concurrency, model, Pacing.NONE);
	}

	/** A gate that also keeps the runner's requests within {@code pacing}'s limits. */
	public LoadGate(int concurrency, String model, Pacing pacing) {
		this(concurrency, model, pacing, System::nanoTime);
	}

	/** A gate on its own clock, so that a test can let the calm pass without waiting for it. */
	LoadGate(int concurrency, String model, LongSupplier clock) {
		this(concurrency, model, Pacing.NONE, clock);
	}

	LoadGate(int concurrency, String model, Pacing pacing, LongSupplier clock) {
		this.pace = pacing.isNone() ? null : new Pace(pacing, clock);
		this.clock = clock;
		this.calmSince = clock.getAsLong();
		this.lastAnswer = this.calmSince;
		this.max = concurrency;
		this.limit = concurrency;
		this.model = model;
		this.heartbeat = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "load-gate");
			thread.setDaemon(true);
			return thread;
		});
		long every = SILENCE_WORTH_A_WORD.toSeconds();
		this.heartbeat.scheduleAtFixedRate(this::reportSilence, every, every, TimeUnit.SECONDS);
	}

	/** Waits for one of the slots, then, with a {@code rate=} or {@code tokens-rate=}, for the limits to allow it. */
	void acquire() throws InterruptedException {
		synchronized (this) {
			while (this.inFlight >= this.limit) {
				wait();
			}
			this.inFlight++;
		}
		if (this.pace != null) {
			try {
				this.pace.acquire();
			}
			catch (InterruptedException ex) {
				releaseSlot(false);
				throw ex;
			}
		}
	}

	/** Whether the gate keeps a {@code rate=} or {@code tokens-rate=}: it is then told each answer's tokens. */
	boolean paced() {
		return this.pace != null;
	}

	/** @param overloaded whether the runner answered that its shared context is full */
	void release(boolean overloaded) {
		release(overloaded, 0, false);
	}

	/**
	 * @param overloaded whether the runner answered that its shared context is full
	 * @param tokens the answer's prompt and completion tokens, for {@code tokens-rate=}
	 * @param answered whether an answer came
	 */
	void release(boolean overloaded, long tokens, boolean answered) {
		if (this.pace != null) {
			this.pace.release(tokens, answered);
		}
		releaseSlot(overloaded);
	}

	/** The limits a request is waiting on now ({@code rate=10/s}), or {@code null}: for the progress line. */
	public String waitingOn() {
		return (this.pace != null) ? this.pace.waitingOn() : null;
	}

	private synchronized void releaseSlot(boolean overloaded) {
		this.inFlight--;
		long now = this.clock.getAsLong();
		this.lastAnswer = now;
		if (overloaded) {
			if (this.limit > 1) {
				this.limit = Math.max(1, this.limit / 2);
				log.warn("the runner's shared context is full (\"Context size has been exceeded.\"): "
						+ "lowering concurrency to {} for a while", this.limit);
			}
			this.calmSince = now;
		}
		else if (this.limit < this.max && now - this.calmSince > CALM_BEFORE_RAISING.toNanos()) {
			this.limit++;
			this.calmSince = now;
			log.info("raising concurrency back to {}", this.limit);
		}
		notifyAll();
	}

	synchronized int limit() {
		return this.limit;
	}

	private synchronized void reportSilence() {
		long silent = Duration.ofNanos(this.clock.getAsLong() - this.lastAnswer).toSeconds();
		// those waiting on a rate= are not sent yet: the runner owes them nothing
		int sent = this.inFlight - ((this.pace != null) ? this.pace.waiting() : 0);
		if (sent > 0 && silent >= SILENCE_WORTH_A_WORD.toSeconds()) {
			log.info("waiting for {}: no answer for {} s with {} requests in flight (the runner may be loading the "
					+ "model; a first request can take minutes)", this.model, silent, sent);
		}
	}

	static boolean isContextFull(ModelCallException error) {
		return error.status() == 500 && error.getMessage().contains("Context size has been exceeded");
	}

	@Override
	public void close() {
		this.heartbeat.shutdownNow();
	}

}
