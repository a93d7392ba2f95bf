package dev.dmrbatch.model;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.support.FakeRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The requests in flight to one runner: never more than the limit; halved (down to one) when the runner says its
 * shared context is full, and raised one at a time once it has coped for a while. On a clock of the test's own, so
 * the calm passes at once.
 */
class LoadGateTest {

	private static final String CONTEXT_FULL = "{\"error\":{\"code\":500,\"message\":\"Context size has been exceeded.\","
			+ "\"type\":\"server_error\"}}";

	@TempDir
	Path home;

	private final AtomicLong now = new AtomicLong();

	private final LoadGate gate = new LoadGate(4, "ai/tiny", this.now::get);

	private final ExecutorService threads = Executors.newCachedThreadPool();

	@AfterEach
	void close() {
		this.gate.close();
		this.threads.shutdownNow();
	}

	@Test
	void noMoreThanTheLimitInFlightAndEachReleaseLetsTheNextOneIn() throws Exception {
		for (int i = 0; i < 4; i++) {
			this.gate.acquire();
		}
		CountDownLatch in = new CountDownLatch(1);
		Future<?> fifth = this.threads.submit(() -> {
			this.gate.acquire();
			in.countDown();
			return null;
		});

		assertThat(in.await(50, TimeUnit.MILLISECONDS)).as("a fifth request while four are in flight").isFalse();
		this.gate.release(false);
		assertThat(in.await(5, TimeUnit.SECONDS)).as("the fifth once one was answered").isTrue();
		fifth.get();
	}

	@Test
	void aFullContextHalvesTheLimitDownToOneAndItRisesOneAtATimeAfterEachCalm() throws Exception {
		for (int i = 0; i < 4; i++) {
			this.gate.acquire();
		}
		this.gate.release(true);
		assertThat(this.gate.limit()).isEqualTo(2);
		this.gate.release(true);
		this.gate.release(true);
		assertThat(this.gate.limit()).isEqualTo(1);

		// answers within the calm leave it where it is
		this.now.addAndGet(LoadGate.CALM_BEFORE_RAISING.toNanos());
		this.gate.release(false);
		assertThat(this.gate.limit()).isEqualTo(1);

		// past the calm, one more; the next calm starts from that answer
		List<Integer> limits = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			this.now.addAndGet(LoadGate.CALM_BEFORE_RAISING.toNanos() + 1);
			this.gate.acquire();
			this.gate.release(false);
			limits.add(this.gate.limit());
			this.gate.acquire();
			this.gate.release(false);
			assertThat(this.gate.limit()).as("raised at most once a calm").isEqualTo(limits.get(i));
		}
		assertThat(limits).containsExactly(2, 3, 4, 4, 4);

		// a full context again starts a new calm: no raise right after it
		this.gate.acquire();
		this.gate.release(true);
		assertThat(this.gate.limit()).isEqualTo(2);
		this.now.addAndGet(Duration.ofSeconds(1).toNanos());
		this.gate.acquire();
		this.gate.release(false);
		assertThat(this.gate.limit()).isEqualTo(2);
	}

	@Test
	void onlyTheRunnersContextFullAnswerCountsAsAFullContext() {
		assertThat(LoadGate.isContextFull(new ModelCallException("answered 500: Context size has been exceeded.", 500,
				true, null))).isTrue();
		assertThat(LoadGate.isContextFull(new ModelCallException("answered 500: out of memory", 500, true, null)))
			.isFalse();
		assertThat(LoadGate.isContextFull(new ModelCallException("answered 400: Context size has been exceeded.", 400,
				false, null))).isFalse();
	}

	@Test
	void theChatServiceSendsNoMoreAtOnceThanTheGateLetsThrough() throws Exception {
		try (FakeRunner runner = new FakeRunner(); LoadGate two = new LoadGate(2, "ai/tiny")) {
			CountDownLatch bothIn = new CountDownLatch(2);
			runner.answers((request) -> {
				bothIn.countDown();
				await(bothIn);
				return FakeRunner.ECHO.apply(request);
			});
			ChatService chat = runner.chatService(this.home);
			List<Future<ModelReply>> replies = new ArrayList<>();
			for (int i = 0; i < 6; i++) {
				String prompt = "hello " + i;
				replies.add(this.threads.submit(() -> chat.complete(settings(), List.of(ChatMessage.user(prompt)), null,
						retry(1), two)));
			}
			for (Future<ModelReply> reply : replies) {
				assertThat(reply.get(10, TimeUnit.SECONDS).content()).startsWith("Echo: hello ");
			}
			assertThat(runner.requests()).hasSize(6);
			assertThat(runner.mostAtOnce()).isEqualTo(2);
		}
	}

	@Test
	void aFullContextAnswerLowersTheGateAndTheRequestIsSentAgain() {
		try (FakeRunner runner = new FakeRunner()) {
			runner.answers((request) -> (request.n() == 1) ? new FakeRunner.Status(500, CONTEXT_FULL)
					: FakeRunner.ECHO.apply(request));
			ChatService chat = runner.chatService(this.home);

			ModelReply reply = chat.complete(settings(), List.of(ChatMessage.user("hi")), null, retry(2), this.gate);

			assertThat(reply.content()).isEqualTo("Echo: hi");
			assertThat(reply.attempts()).isEqualTo(2);
			assertThat(this.gate.limit()).isEqualTo(2);
		}
	}

	@Test
	void aRefusalLeavesTheGateAsItWasAndReleasesItsPlace() throws Exception {
		try (FakeRunner runner = new FakeRunner(); LoadGate one = new LoadGate(1, "ai/tiny")) {
			runner.answers((request) -> new FakeRunner.Status(400, "{\"error\":{\"message\":\"bad request\"}}"));
			ChatService chat = runner.chatService(this.home);

			assertThatExceptionOfType(ModelCallException.class)
				.isThrownBy(() -> chat.complete(settings(), List.of(ChatMessage.user("hi")), null, retry(3), one))
				.satisfies((ex) -> assertThat(ex.status()).isEqualTo(400))
				.withMessageContaining("answered 400: bad request");

			assertThat(runner.requests()).as("a 400 is not sent again").hasSize(1);
			assertThat(one.limit()).isEqualTo(1);
			one.acquire(); // its one place is free again
			one.release(false);
		}
	}

	private static ModelSettings settings() {
		return ModelSettings.NONE.withName("ai/tiny").with("max_tokens", 8);
	}

	private static DmrProperties.Retry retry(int attempts) {
		return new DmrProperties.Retry(attempts, Duration.ofMillis(1), Duration.ofMillis(1));
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
