package dev.dmrbatch.web;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.IntStream;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.DmrProcess;
import dev.dmrbatch.support.FaultProxy;
import dev.dmrbatch.support.HeadlessChromium;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web app's pages in headless Chromium, with the real runner and a job running in a process of its own: the run
 * page's count rises and new items appear without a reload, the chat's answer grows while it streams, a job started
 * from {@code /jobs} completes and shows on {@code /}; no console error, no request leaves the app.
 */
class WebPagesIT {

	@TempDir
	Path dir;

	@Test
	void pagesOnTheDefaultH2Store() throws Exception {
		pages(WebStore.H2);
	}

	void pages(WebStore kind) throws Exception {
		Workspace workspace = new Workspace(this.dir.resolve("work"));
		workspace.file("input/few.csv", "id,text\nalpha,first\nbravo,second\ncharlie,third\n");
		StringBuilder many = new StringBuilder("id,text\n");
		IntStream.rangeClosed(1, 40).forEach((i) -> many.append("m").append(i).append(",text ").append(i).append('\n'));
		workspace.file("input/many.csv", many.toString());
		workspace.file("jobs/quick.yaml", """
				description: Three items.
				input: { format: csv, path: input/few.csv, id: id }
				model: { name: ai/tiny, max_tokens: 12 }
				steps: [ { name: answer, prompt: "Item ${record.id}: ${text}" } ]
				export: [jsonl]
				""");
		workspace.file("jobs/slow.yaml", """
				description: Forty items, one at a time.
				input: { format: csv, path: input/many.csv, id: id }
				model: { name: ai/tiny, max_tokens: 8 }
				concurrency: 1
				steps: [ { name: answer, prompt: "Item ${record.id}: ${text}" } ]
				export: [jsonl]
				""");
		String[] store = kind.prepare(workspace);
		Dmr.Result quick = Dmr.run(workspace, LocalRunner.baseUrl(), WebStore.with(store, "job=quick", "run=first"));
		assertThat(quick.exitCode()).as(quick.toString()).isZero();
		try (FaultProxy slowRunner = new FaultProxy(LocalRunner.baseUrl()).faults((n) -> new FaultProxy.Slow(300));
				Serve serve = Serve.start(workspace, LocalRunner.baseUrl(), store);
				HeadlessChromium chromium = new HeadlessChromium(Files.createDirectories(this.dir.resolve("chromium")))) {
			// without the token: refused with one sentence, nothing of the app shown
			chromium.open(serve.base);
			assertThat(text(chromium, "document.body.textContent").strip())
				.isEqualTo("this app needs its token: open the address job=serve printed (with ?token=)");
			// the browser logs in: the printed address (its token in it) leaves the cookie every later request carries
			chromium.open(serve.url);
			assertThat(text(chromium, "document.title")).isNotBlank();
			// the run page of a run going on in another process
			DmrProcess slow = DmrProcess.start(workspace, slowRunner.baseUrl(), WebStore.with(store, "job=slow", "run=live"));
			long live = serve.awaitRun("live", (status) -> status.equals("STARTED")).path("id").asLong();
			chromium.open(serve.base.resolve("runs/" + live));
			chromium.evaluate("window.samePage = 'yes'");
			long before = number(chromium, "document.getElementById('done').textContent");
			await(() -> number(chromium, "document.getElementById('done').textContent") > before
					&& number(chromium, "document.querySelectorAll('#live-items li').length") > 0, "the count to rise");
			assertThat(chromium.evaluate("window.samePage").asString()).isEqualTo("yes"); // no reload
			assertThat(number(chromium, "document.getElementById('progress').value")).isPositive();
			assertThat(chromium.evaluate("document.querySelector('#live-items li a').textContent").asString()).startsWith("m");
			assertThat(slow.waitFor()).as(slow.err()).isZero();
			await(() -> text(chromium, "document.getElementById('state').textContent").equals("ended: COMPLETED"),
					"the end of the run");
			assertThat(number(chromium, "document.getElementById('done').textContent")).isEqualTo(40);
			assertThat(chromium.evaluate("window.samePage").asString()).isEqualTo("yes");

			// one conversation, with its button to go on in the chat
			chromium.open(serve.base.resolve("runs/first/items/alpha"));
			assertThat(text(chromium, "document.querySelector('article.item .turn.assistant .answer').textContent"))
				.isNotBlank();
			assertThat(text(chromium, "document.getElementById('continue-chat').getAttribute('href')"))
				.matches("/chat\\?continue=\\d+%3Aalpha");

			// the chat: the answer grows while it streams
			chromium.open(serve.base.resolve("chat"));
			chromium.evaluate("""
					window.lengths = [];
					new MutationObserver(function () {
					  var a = document.querySelector('#transcript .answer.streaming');
					  if (a) { window.lengths.push(a.textContent.length); }
					}).observe(document.getElementById('transcript'), { subtree: true, childList: true, characterData: true });
					document.querySelector('input[name=max_tokens]').value = '96';
					document.querySelector('input[name=seed]').value = '5';
					document.getElementById('prompt').value = 'Tell me a long story';
					document.getElementById('chat-form').requestSubmit();
					""");
			await(() -> text(chromium, "document.getElementById('chat-status').textContent").startsWith("session "),
					"the answer to end", () -> text(chromium, "document.getElementById('chat-status').textContent"));
			JsonNode lengths = chromium.evaluate("window.lengths.filter(function (n) { return n > 0; })");
			assertThat(lengths.size()).as("lengths while streaming: %s", lengths).isGreaterThan(2);
			assertThat(lengths.get(lengths.size() - 1).asInt()).isGreaterThan(lengths.get(0).asInt());
			assertThat(number(chromium, "document.querySelectorAll('#transcript .answer.streaming').length")).isZero();
			assertThat(text(chromium, "document.querySelector('#transcript .turn.assistant .answer').textContent"))
				.isNotBlank();

			// a job started from /jobs completes and shows on /
			chromium.open(serve.base.resolve("jobs"));
			chromium.evaluate("""
					var form = document.querySelector('#job-quick form');
					form.run.value = 'from-browser';
					form.submit();
					""");
			await(() -> text(chromium, "location.pathname").equals("/") && text(chromium, "document.readyState")
				.equals("complete"), "the run history after the start");
			serve.awaitRun("from-browser", (status) -> status.equals("COMPLETED"));
			chromium.open(serve.base.resolve(""));
			String table = text(chromium, "document.getElementById('runs').textContent");
			assertThat(table).contains("from-browser").contains("COMPLETED").contains("live").contains("chat session");
			// the compare view of two runs of the same input, under its own nonce policy
			chromium.open(serve.base.resolve("compare?runs=first,from-browser"));
			assertThat(text(chromium, "document.title")).contains("compare");
			assertThat(text(chromium, "document.body.textContent")).contains("from-browser");

			// no problem but the refusals before the browser logged in (the page and its icon)
			assertThat(chromium.problems()).allSatisfy((problem) -> assertThat(problem).contains("status of 401")
				.containsAnyOf("\"url\":\"" + serve.base + "\"", "\"url\":\"" + serve.base + "favicon.ico\""));
			assertThat(chromium.requests()).isNotEmpty()
				.allSatisfy((url) -> assertThat(url).satisfiesAnyOf((u) -> assertThat(u).startsWith(serve.base.toString()),
						(u) -> assertThat(u).startsWith("data:"), (u) -> assertThat(u).isEqualTo("about:blank")));
		}
	}

	private static long number(HeadlessChromium chromium, String expression) throws Exception {
		return (long) Double.parseDouble(chromium.evaluate("String(" + expression + ")").asString());
	}

	private static String text(HeadlessChromium chromium, String expression) throws Exception {
		return chromium.evaluate("String(" + expression + ")").asString();
	}

	private interface Check {

		boolean holds() throws Exception;

	}

	private static void await(Check check, String what) throws Exception {
		await(check, what, () -> "");
	}

	/** @param seen what the page shows instead, for the message */
	private static void await(Check check, String what, java.util.concurrent.Callable<String> seen) throws Exception {
		long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
		while (!check.holds()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("waited two minutes for " + what + "; the page says: " + seen.call());
			}
			Thread.sleep(100);
		}
	}


}
