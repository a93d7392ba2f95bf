package dev.dmrbatch.run.pipeline;

import java.util.Collection;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How a run asks one runner for an item's repeated answers ({@code repeat=N}): in one request for N choices
 * ({@code n}) until the runner gives fewer, then, for the rest of the run, in a request per answer. Thread-safe: the
 * lane's workers share it.
 */
public final class RepeatChoices {

	/** How many choices the runner gave for a request that asked for more, or 0 while it gave all it was asked. */
	private final AtomicInteger refusedWith = new AtomicInteger();

	/** The choices the runner was asked for in one request (the most), 0 while none was asked. */
	private final AtomicInteger asked = new AtomicInteger();

	private final AtomicLong requests = new AtomicLong();

	/** Whether an item's repeated answers may still be asked in one request. */
	public boolean honoured() {
		return this.refusedWith.get() == 0;
	}

	/** A request asked for {@code asked} choices and got {@code given}: fewer, and no request asks for more. */
	public void gave(int asked, int given) {
		this.requests.incrementAndGet();
		this.asked.accumulateAndGet(asked, Math::max);
		if (given < asked) {
			this.refusedWith.compareAndSet(0, Math.max(given, 1));
		}
	}

	/**
	 * How the run asked for the repeated answers, as the summary says it: {@code 3 requests per item and model, one
	 * answer each}, {@code one request per item and model, n=3: 3 choices each}, or
	 * {@code 3 requests per item and model; the runner gave 1 choice for n=3}.
	 * @param runners what each runner of the run did
	 */
	public static String describe(int repeat, Collection<RepeatChoices> runners) {
		RepeatChoices refused = runners.stream().filter((r) -> !r.honoured()).findFirst().orElse(null);
		if (refused != null) {
			int given = refused.refusedWith.get();
			return repeat + " requests per item and model; the runner gave " + given
					+ ((given == 1) ? " choice" : " choices") + " for n=" + refused.asked.get();
		}
		if (runners.stream().anyMatch((r) -> r.requests.get() > 0)) {
			return "one request per item and model, n=" + repeat + ": " + repeat + " choices each";
		}
		return repeat + " requests per item and model, one answer each";
	}

}
