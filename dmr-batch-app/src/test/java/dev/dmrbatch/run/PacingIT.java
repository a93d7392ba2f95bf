package dev.dmrbatch.run;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.FaultProxy;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pacing ({@code rate=}, {@code tokens-rate=}) through the real runner behind a proxy that logs when each request
 * arrives: no window of the proxy's own clock holds more requests than the rate, a 429's {@code Retry-After} is
 * waited out, and a value that is not a rate is refused before anything is sent.
 */
@ExtendWith(WorkspaceExtension.class)
class PacingIT {

	Workspace workspace;

	FaultProxy proxy;

	@BeforeEach
	void setUp() throws Exception {
		this.proxy = new FaultProxy(LocalRunner.baseUrl());
		this.workspace.file("input/items.csv", csv(30))
			.file("templates/ask.ftl", "Item ${record.id}: ${text}")
			.file("jobs/items.yaml", """
					input: { format: csv, path: input/items.csv, id: id }
					model: { name: ai/tiny, max_tokens: 4, temperature: 0 }
					steps:
					  - name: answer
					    template: ask.ftl
					""");
	}

	@AfterEach
	void tearDown() {
		this.proxy.close();
	}

	private static String csv(int records) {
		StringBuilder csv = new StringBuilder("id,text\n");
		for (int i = 1; i <= records; i++) {
			csv.append("t").append(i).append(",text ").append(i).append('\n');
		}
		return csv.toString();
	}

	/** When the chat requests arrived at the proxy, in order (nanoseconds of its clock). */
	private List<Long> chatArrivals(FaultProxy proxy) {
		return proxy.received().stream()
			.filter((seen) -> seen.path().endsWith("/chat/completions"))
			.map(FaultProxy.Received::arrivedNanos)
			.sorted()
			.toList();
	}

	/** The most arrivals in any window of this length: [t, t + window). */
	static int mostInAnyWindow(List<Long> arrivals, Duration window) {
		int most = 0;
		int first = 0;
		for (int last = 0; last < arrivals.size(); last++) {
			while (arrivals.get(last) - arrivals.get(first) >= window.toNanos()) {
				first++;
			}
			most = Math.max(most, last - first + 1);
		}
		return most;
	}

	@Test
	void tenPerSecondNeverHasMoreThanTenRequestsInAnySecondOfTheProxysLog() {
		// when: 30 items, 4 in flight, at most 10 a second
		Dmr.Result run = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "concurrency=4", "rate=10/s",
				"--dmr.progress.mode=plain", "--dmr.progress.every=200ms");

		// then: every item answered, and no second of the proxy's clock saw more than 10 of them
		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(run.out()).contains("items run 1 COMPLETED: 30 items, 30 ok, 0 failed");
		List<Long> arrivals = chatArrivals(this.proxy);
		assertThat(arrivals).hasSize(30);
		assertThat(mostInAnyWindow(arrivals, Duration.ofSeconds(1))).isLessThanOrEqualTo(10);
		// 30 requests at 10 a second cannot all arrive within two seconds
		assertThat(arrivals.get(29) - arrivals.get(0)).isGreaterThanOrEqualTo(Duration.ofSeconds(2).toNanos());
		assertThat(run.all()).contains("at most rate=10/s, on top of the concurrency")
			.contains("waiting on rate=10/s");
	}

	@Test
	void eachRunnerOfSeveralHasARateOfItsOwn() throws Exception {
		try (FaultProxy other = new FaultProxy(LocalRunner.baseUrl())) {
			// when: two runners at 5 a second each
			Dmr.Result run = Dmr.run(this.workspace, null, "job=items", "concurrency=2", "rate=5/s",
					"base-url=" + this.proxy.baseUrl() + "," + other.baseUrl());

			// then: neither runner saw more than 5 in any second
			assertThat(run.exitCode()).as(run.toString()).isZero();
			assertThat(chatArrivals(this.proxy).size() + chatArrivals(other).size()).isEqualTo(30);
			assertThat(mostInAnyWindow(chatArrivals(this.proxy), Duration.ofSeconds(1))).isLessThanOrEqualTo(5);
			assertThat(mostInAnyWindow(chatArrivals(other), Duration.ofSeconds(1))).isLessThanOrEqualTo(5);
		}
	}

	@Test
	void aRunnerListedWithARateOfItsOwnKeepsItOverTheRuns() throws Exception {
		// 40 items: enough for a partition each
		this.workspace.file("input/items.csv", csv(40));
		try (FaultProxy other = new FaultProxy(LocalRunner.baseUrl())) {
			// given: a job file's runners, the first with a rate of its own
			this.workspace.file("jobs/spread.yaml", """
					input: { format: csv, path: input/items.csv, id: id }
					model: { name: ai/tiny, max_tokens: 4, temperature: 0 }
					runners:
					  - { url: "%s", concurrency: 2, rate: 2/s }
					  - { url: "%s", concurrency: 2 }
					steps:
					  - name: answer
					    template: ask.ftl
					""".formatted(this.proxy.baseUrl(), other.baseUrl()));

			// when
			Dmr.Result run = Dmr.run(this.workspace, null, "job=spread", "rate=5/s");

			// then: the first at most 2 a second, the other at the run's 5
			assertThat(run.exitCode()).as(run.toString()).isZero();
			assertThat(run.all()).contains("at most rate=2/s to " + this.proxy.baseUrl())
				.contains("at most rate=5/s to " + other.baseUrl());
			assertThat(mostInAnyWindow(chatArrivals(this.proxy), Duration.ofSeconds(1))).isLessThanOrEqualTo(2);
			assertThat(mostInAnyWindow(chatArrivals(other), Duration.ofSeconds(1))).isLessThanOrEqualTo(5);

			// when: the profile's runners, the second with a tokens-rate of its own
			Dmr.Result profile = Dmr.run(this.workspace, null, "job=items", "--dmr.runners[0].url="
					+ this.proxy.baseUrl(), "--dmr.runners[1].url=" + other.baseUrl(),
					"--dmr.runners[1].tokens-rate=100000/min");

			// then
			assertThat(profile.exitCode()).as(profile.toString()).isZero();
			assertThat(profile.all()).contains("at most tokens-rate=100000/min to " + other.baseUrl())
				.doesNotContain("at most tokens-rate=100000/min to " + this.proxy.baseUrl());
		}
	}

	@Test
	void aTooManyRequestsAnswersRetryAfterIsWaitedOutBeforeTheRequestIsSentAgain() {
		// given: the first request is answered 429 with Retry-After: 2, the rest reach the runner
		this.workspace.file("input/items.csv", csv(1));
		this.proxy.faults((n) -> (n == 1) ? new FaultProxy.Status(429,
				"{\"error\": {\"message\": \"rate limit reached\"}}", Map.of("Retry-After", "2")) : FaultProxy.FORWARD);

		// when
		Dmr.Result run = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items");

		// then: answered at the second attempt, sent no sooner than 2 s after the first
		assertThat(run.exitCode()).as(run.toString()).isZero();
		List<Long> arrivals = chatArrivals(this.proxy);
		assertThat(arrivals).hasSize(2);
		assertThat(arrivals.get(1) - arrivals.get(0)).isGreaterThanOrEqualTo(Duration.ofSeconds(2).toNanos());
		assertThat(run.all()).contains("retrying after the 2 s its Retry-After asks");
	}

	@Test
	void aRetryAfterLongerThanTheMostWaitedFailsTheItemSayingSo() {
		// given: every request is answered 429 with Retry-After: 3600
		this.workspace.file("input/items.csv", csv(1));
		this.proxy.faults((n) -> new FaultProxy.Status(429, "{\"error\": {\"message\": \"rate limit reached\"}}",
				Map.of("Retry-After", "3600")));

		// when
		Dmr.Result run = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items");

		// then: not retried; the item failed, its error says why
		assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
		assertThat(this.proxy.chatRequests()).isEqualTo(1);
		assertThat(this.workspace.read("output/items/run-1/results.jsonl"))
			.contains("it asks to wait 3600 s before the next request, longer than the 300 s dmr-batch waits");
	}

	@Test
	void aValueThatIsNotARateExitsTwoNamingTheArgumentBeforeAnythingIsSent() {
		for (String bad : List.of("rate=0/min", "rate=abc", "rate=5/hour", "tokens-rate=100/hour")) {
			// when
			Dmr.Result run = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", bad);

			// then
			assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
			assertThat(run.err()).as(bad).contains(bad + " must be a number of")
				.contains("per second or per minute")
				.doesNotContain("Exception");
		}
		assertThat(this.proxy.chatRequests()).isZero();
	}

	@Test
	void theProfilesRateIsCheckedAsTheSettingsAreReadAndUsedWhenTheJobSaysNone() {
		// when: a profile setting that is not a rate
		Dmr.Result bad = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "--dmr.rate=5/hour");

		// then
		assertThat(bad.exitCode()).as(bad.toString()).isEqualTo(2);
		assertThat(bad.err()).contains("dmr.rate '5/hour' must be a number of requests").doesNotContain("Exception");
		assertThat(this.proxy.chatRequests()).isZero();

		// when: the profile's rate, with no rate= nor rate: in the job file
		this.workspace.file("input/items.csv", csv(6));
		Dmr.Result paced = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items", "--dmr.rate=3/s");

		// then
		assertThat(paced.exitCode()).as(paced.toString()).isZero();
		assertThat(paced.all()).contains("at most rate=3/s, on top of the concurrency");
		assertThat(mostInAnyWindow(chatArrivals(this.proxy), Duration.ofSeconds(1))).isLessThanOrEqualTo(3);
	}

	@Test
	void aJobFilesRateIsCheckedAsTheFileIsRead() {
		// given
		this.workspace.file("jobs/paced.yaml", """
				input: { format: csv, path: input/items.csv, id: id }
				model: { name: ai/tiny, max_tokens: 4, temperature: 0 }
				rate: 5/hour
				steps:
				  - name: answer
				    template: ask.ftl
				""");

		// when
		Dmr.Result run = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=paced");

		// then
		assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
		assertThat(run.err()).contains("rate '5/hour' must be a number of requests");
		assertThat(this.proxy.chatRequests()).isZero();
	}

}
