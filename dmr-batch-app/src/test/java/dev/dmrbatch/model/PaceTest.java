package dev.dmrbatch.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.dmrbatch.config.Pacing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The limiter of {@code rate=} and {@code tokens-rate=}: a sliding window in which a request counts from when it is
 * let go until a window after its answer, and the answered calls' tokens. Short windows, on the real clock.
 */
class PaceTest {

	private static final Duration WINDOW = Duration.ofMillis(300);

	private final ExecutorService threads = Executors.newCachedThreadPool();

	@AfterEach
	void close() {
		this.threads.shutdownNow();
	}

	private static Pace pace(long requests, long tokens) {
		return pace(requests, tokens, WINDOW);
	}

	private static Pace pace(long requests, long tokens, Duration window) {
		return new Pace(new Pacing((requests > 0) ? new Pacing.Rate(requests, window, requests + "/300ms") : null,
				(tokens > 0) ? new Pacing.Rate(tokens, window, tokens + "/300ms") : null), System::nanoTime);
	}

	@Test
	void noWindowHoldsMoreRequestsThanTheRateFromTheirStartToTheirAnswer() throws Exception {
		Pace pace = pace(3, 0);
		// each request: let go, 20 ms in flight, answered; 4 at once
		List<long[]> spans = Collections.synchronizedList(new ArrayList<>());
		List<Future<?>> running = new ArrayList<>();
		for (int worker = 0; worker < 4; worker++) {
			running.add(this.threads.submit(() -> {
				for (int i = 0; i < 3; i++) {
					pace.acquire();
					long start = System.nanoTime();
					Thread.sleep(20);
					long end = System.nanoTime();
					pace.release(10, true);
					spans.add(new long[] { start, end });
				}
				return null;
			}));
		}
		for (Future<?> worker : running) {
			worker.get(10, TimeUnit.SECONDS);
		}

		// then: a request's start comes at least a window after the answer of the one three before it
		List<long[]> sorted = new ArrayList<>(spans);
		sorted.sort((a, b) -> Long.compare(a[0], b[0]));
		assertThat(sorted).hasSize(12);
		List<Long> ends = sorted.stream().map((span) -> span[1]).sorted().toList();
		for (int i = 3; i < sorted.size(); i++) {
			assertThat(sorted.get(i)[0] - ends.get(i - 3)).as("request %d", i).isGreaterThanOrEqualTo(WINDOW.toNanos());
		}
	}

	@Test
	void aRequestWaitsWhileTheAnsweredCallsTokensReachTheLimitAndSaysSo() throws Exception {
		Pace pace = pace(0, 100);
		pace.acquire();
		pace.release(60, true);
		pace.acquire();
		pace.release(60, true);
		long answered = System.nanoTime();

		// when: 120 tokens in the window, over the limit of 100
		Future<Long> third = this.threads.submit(() -> {
			pace.acquire();
			return System.nanoTime();
		});
		Thread.sleep(50);

		// then: it waits, and says on what, until the first call leaves the window
		assertThat(pace.waitingOn()).isEqualTo("tokens-rate=100/300ms");
		assertThat(third.get(5, TimeUnit.SECONDS) - answered).isGreaterThanOrEqualTo(WINDOW.minusMillis(5).toNanos());
		assertThat(pace.waitingOn()).isNull();
	}

	@Test
	void aCallInFlightCountsAtTheMeanOfTheAnsweredOnes() throws Exception {
		// a window longer than the test: only an answer or a failure can let a request in
		Pace pace = pace(0, 100, Duration.ofMinutes(1));
		pace.acquire();
		pace.release(40, true);
		// 40 answered, none in flight: the second goes; 40 and one in flight counted at 40: the third goes
		pace.acquire();
		pace.acquire();
		// 40 answered and two in flight counted at 40 each: 120, so the fourth waits
		Future<?> fourth = this.threads.submit(() -> {
			pace.acquire();
			return null;
		});
		Thread.sleep(50);
		assertThat(fourth).isNotDone();
		assertThat(pace.waitingOn()).isNotNull();

		// when: a failed call ends: no answer, no tokens; 40 + 40 in flight, below 100
		pace.release(0, false);

		// then
		fourth.get(5, TimeUnit.SECONDS);
	}

	@Test
	void aGateWithoutLimitsKeepsNoPace() {
		try (LoadGate gate = new LoadGate(2, "ai/tiny", Pacing.NONE);
				LoadGate paced = new LoadGate(2, "ai/tiny", Pacing.parse("1/s", "rate=", null, "tokens-rate="))) {
			assertThat(gate.paced()).isFalse();
			assertThat(gate.waitingOn()).isNull();
			assertThat(paced.paced()).isTrue();
		}
	}

}
