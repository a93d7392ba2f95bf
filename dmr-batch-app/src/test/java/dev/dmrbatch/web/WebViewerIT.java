package dev.dmrbatch.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.DmrProcess;
import dev.dmrbatch.support.FaultProxy;
import dev.dmrbatch.support.HeadlessChromium;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The viewer in headless Chromium, one {@code job=serve} and one browser for every test: the live pages say what is
 * so (after a run's end the run page matches {@code job=show}; a killed run is ABANDONED everywhere; a new run shows
 * on {@code /} without a reload; a stream cut and restored loses no item), the API's answers to mistakes, the grid
 * and its reviews (kept as the {@code human} check, exported, compared), run management (tags, a note, sorting,
 * deleting, stopping a run started here and resuming it from the command line), the chat's continue, stop and errors,
 * a phone's width, compression, and axe-core's verdict on every page.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebViewerIT {

	Path dir;

	Workspace workspace;

	FaultProxy slowRunner;

	Serve serve;

	HeadlessChromium chromium;

	@BeforeAll
	void start(@TempDir Path dir) throws Exception {
		this.dir = dir;
		this.workspace = new Workspace(this.dir.resolve("work"));
		this.workspace.file("input/few.csv", "id,text,expect\nalpha,first,A\nbravo,second,B\ncharlie,third,C\n");
		StringBuilder many = new StringBuilder("id,text\n");
		IntStream.rangeClosed(1, 30).forEach((i) -> many.append("m").append(i).append(",text ").append(i).append('\n'));
		this.workspace.file("input/many.csv", many.toString());
		this.workspace.file("jobs/quick.yaml", """
				description: Three items, checked.
				input: { format: csv, path: input/few.csv, id: id }
				model: { name: ai/tiny, max_tokens: 12, seed: 7, temperature: 0 }
				steps:
				  - name: answer
				    prompt: "Item ${record.id}: ${text}"
				    checks:
				      - { name: nonempty, type: length, min: 1, min-pass-rate: 1.0 }
				      - { name: exact, type: expected, value: "${expect}", min-pass-rate: 0.5 }
				export: [jsonl, csv, html]
				""");
		this.workspace.file("jobs/slow.yaml", """
				description: Thirty items, one at a time.
				input: { format: csv, path: input/many.csv, id: id }
				model: { name: ai/tiny, max_tokens: 6 }
				concurrency: 1
				steps: [ { name: answer, prompt: "Item ${record.id}: ${text}" } ]
				export: [jsonl]
				""");
		// exit 6: the exact check stays below its gate; first with the runner's second model, tagged at launch
		assertThat(Dmr.run(this.workspace, LocalRunner.baseUrl(), "job=quick", "run=first", "model=ai/tiny2",
				"tag=cli,first").exitCode()).isEqualTo(6);
		assertThat(Dmr.run(this.workspace, LocalRunner.baseUrl(), "job=quick", "run=pair", "model=ai/tiny,ai/tiny2")
			.exitCode()).isEqualTo(6);
		this.slowRunner = new FaultProxy(LocalRunner.baseUrl()).faults((n) -> new FaultProxy.Slow(150));
		this.serve = Serve.start(this.workspace, this.slowRunner.baseUrl());
		this.chromium = new HeadlessChromium(Files.createDirectories(this.dir.resolve("chromium")));
		this.chromium.open(this.serve.url);
	}

	@AfterAll
	void stop() throws Exception {
		try {
			if (this.chromium != null) {
				this.chromium.close();
			}
		}
		finally {
			if (this.serve != null) {
				this.serve.close();
			}
			if (this.slowRunner != null) {
				this.slowRunner.close();
			}
		}
	}

	@Test
	@Order(1)
	void theApiAnswersMistakesWithTheirStatus() throws Exception {
		assertThat(this.serve.get("api/runs/99999999999999999999").statusCode()).isEqualTo(404);
		assertThat(error(this.serve.get("api/runs?status=bogus"), 400)).contains("status=bogus", "ABANDONED");
		assertThat(error(this.serve.get("api/runs/first/items?page=2"), 400)).contains("past the last page");
		assertThat(error(this.serve.get("runs/first?page=2"), 400)).contains("past the last page");
		assertThat(error(this.serve.get("api/runs/first/items?regex=(("), 400)).contains("regex=((");
		// the chat: every mistake is a 4xx before the stream starts, never a 200 with an error event
		assertThat(error(chat("{\"model\": \"ai/tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], "
				+ "\"temperature\": 9}"), 400)).contains("temperature");
		assertThat(error(chat("{\"model\": \"ai/nope\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}"), 400))
			.contains("ai/nope");
		assertThat(error(chat("{\"session\": \"no-such\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}"),
				404)).contains("no-such");
		assertThat(error(chat("{\"continue\": \"first:zulu\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}"),
				400)).contains("zulu");
		// an image that is not Base64, not an image, or too large: a 400 naming it
		String hi = "\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]";
		assertThat(error(chat("{\"model\": \"ai/tiny\", " + hi + ", \"image\": {\"name\": \"a.png\", \"data\": \"@@\"}}"),
				400)).contains("a.png", "Base64");
		assertThat(error(chat("{\"model\": \"ai/tiny\", " + hi + ", \"image\": {\"name\": \"a.png\", \"data\": \"aGVsbG8=\"}}"),
				400)).contains("a.png is not a readable PNG image");
		assertThat(error(chat("{\"model\": \"ai/tiny\", " + hi + ", \"image\": {\"name\": \"notes.txt\", \"data\": \"aGVsbG8=\"}}"),
				400)).contains("notes.txt is not an image file");
		assertThat(error(chat("{\"model\": \"ai/tiny\", " + hi + ", \"image\": {\"name\": \"big.png\", \"data\": \""
				+ java.util.Base64.getEncoder().encodeToString(new byte[10 * 1024 * 1024 + 1]) + "\"}}"), 400))
			.contains("big.png", "larger than");
		// a job: an unknown model is a mistake (400), vars must be an object
		assertThat(error(this.serve.post("api/jobs/quick/runs", "{\"model\": \"ai/nope\", \"run\": \"nope\"}", true), 400))
			.contains("ai/nope");
		assertThat(error(this.serve.post("api/jobs/quick/runs", "{\"vars\": \"a=b\"}", true), 400)).contains("vars");
		assertThat(error(this.serve.post("api/jobs/quick/runs", "{\"colour\": \"red\"}", true), 400)).contains("colour");
		// the 202 names the input the run reads, the job file's when none is given
		HttpResponse<String> started = this.serve.post("api/jobs/quick/runs", "{\"run\": \"second\", \"tags\": [\"nightly\"]}",
				true);
		assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
		assertThat(Serve.JSON.readTree(started.body()).path("input").asString()).isEqualTo("input/few.csv");
		this.serve.awaitRun("second", (status) -> status.equals("COMPLETED"));
		// compressed when the browser takes it
		HttpResponse<byte[]> zipped = this.serve.http.send(HttpRequest.newBuilder(this.serve.base.resolve("runs/first"))
			.header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
		assertThat(zipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
	}

	@Test
	@Order(2)
	void theLivePagesSayWhatIsSoAndLoseNothing() throws Exception {
		// the run history opened before the run starts: the run appears, and its counts move, without a reload
		open(this.serve.base.resolve(""));
		this.chromium.evaluate("window.samePage = 'yes'");
		DmrProcess live = DmrProcess.start(this.workspace, this.slowRunner.baseUrl(), "job=slow", "run=live");
		await(() -> number("document.querySelectorAll('tr.run.running').length") == 1, "the new run on /");
		long id = number("document.querySelector('tr.run.running').getAttribute('data-run')");
		long before = number("document.querySelector('tr.run.running td.ok').textContent");
		await(() -> number("(document.querySelector('tr.run[data-run=\"" + id + "\"] td.ok') || {textContent: 0}).textContent")
				> before, "the ok column to move");
		assertThat(text("window.samePage")).isEqualTo("yes");

		// its page, through a network that goes away for a while and comes back: no item lost, none twice
		try (CutProxy proxy = new CutProxy(this.serve.base.getPort())) {
			open(URI.create("http://127.0.0.1:" + proxy.port() + "/runs/live"));
			assertThat(text("document.querySelector('[data-fact=status]').textContent")).isEqualTo("STARTED");
			this.chromium.evaluate("window.samePage = 'yes'");
			long first = number("document.body.getAttribute('data-last-seq')");
			await(() -> number("document.querySelectorAll('#live-items li').length") > 1, "items before the cut");
			proxy.cut();
			await(() -> text("document.getElementById('state').textContent").equals("reconnecting…"), "reconnecting…");
			Thread.sleep(3000);
			proxy.restore();
			assertThat(live.waitFor()).as(live.err()).isZero();
			await(() -> "COMPLETED".equals(text("document.body.getAttribute('data-ended')")), "the end of the run");
			assertThat(text("window.samePage")).isEqualTo("yes");
			JsonNode seqs = this.chromium.evaluate("Array.prototype.map.call(document.querySelectorAll('#live-items li'), "
					+ "function (li) { return Number(li.getAttribute('data-seq')); })");
			List<Long> seen = new ArrayList<>();
			seqs.forEach((seq) -> seen.add(seq.asLong()));
			assertThat(seen).as("every item after %s once, in order", first)
				.containsExactlyElementsOf(IntStream.rangeClosed((int) first + 1, 30).mapToObj(Long::valueOf).toList());
			// the live list shows the answers as they were stored
			assertThat(text("document.querySelector('#live-items li .excerpt').textContent")).isNotBlank();
			// after the end, the page says what job=show says
			JsonNode show = Serve.JSON.readTree(Dmr.run(this.workspace, LocalRunner.baseUrl(), "job=show", "run=live",
					"--json").out());
			assertThat(text("document.querySelector('[data-fact=status]').textContent"))
				.isEqualTo(show.path("status").asString() + ", exit code " + show.path("exit_code").asInt());
			assertThat(text("document.querySelector('[data-fact=items]').textContent"))
				.isEqualTo(show.path("items").asLong() + ": " + show.path("ok").asLong() + " ok, 0 failed");
			assertThat(text("document.querySelector('[data-fact=tokens]').textContent"))
				.isEqualTo(show.path("prompt_tokens").asLong() + " in, " + show.path("completion_tokens").asLong() + " out");
			assertThat(number("document.querySelector('#tokens-chart').getAttribute('data-total')")).isEqualTo(30);
			assertThat(number("document.querySelectorAll('#grid tbody tr.item').length")).isEqualTo(30);
			assertThat(show.path("seconds").asDouble()).isPositive();
		}
		// previous, next and the page numbers
		open(this.serve.base.resolve("runs/live?size=10&page=2"));
		assertThat(text("document.querySelector('nav.pages').textContent")).contains("page 2 of 3", "previous", "next");
		assertThat(number("document.querySelectorAll('#grid tbody tr.item').length")).isEqualTo(10);
		assertThat(text("document.querySelector('#grid tbody tr.item').getAttribute('data-id')")).isEqualTo("m11");
	}

	@Test
	@Order(3)
	void aKilledRunIsAbandonedEverywhere() throws Exception {
		DmrProcess killed = DmrProcess.start(this.workspace, this.slowRunner.baseUrl(), "job=slow", "run=killed");
		long gone = this.serve.awaitRun("killed", (status) -> status.equals("STARTED")).path("id").asLong();
		open(this.serve.base.resolve("runs/" + gone));
		while (this.serve.json("api/runs/" + gone).path("items").asLong() < 2) {
			Thread.sleep(100);
		}
		killed.kill();
		await(() -> "ABANDONED".equals(text("document.body.getAttribute('data-ended')")), "the abandoned run's end");
		assertThat(text("document.querySelector('[data-fact=status]').textContent")).isEqualTo("ABANDONED");
		assertThat(text("document.getElementById('state').textContent")).isEqualTo("ended: ABANDONED");
		JsonNode abandoned = this.serve.json("api/runs/" + gone);
		assertThat(abandoned.path("status").asString()).isEqualTo("ABANDONED");
		assertThat(abandoned.path("running").asBoolean()).isFalse();
		assertThat(this.serve.json("api/runs?status=ABANDONED").size()).isEqualTo(1);
		double worked = abandoned.path("seconds").asDouble();
		assertThat(worked).isPositive();
		Thread.sleep(1500);
		assertThat(this.serve.json("api/runs/" + gone).path("seconds").asDouble()).isEqualTo(worked);
		open(this.serve.base.resolve("?status=ABANDONED"));
		assertThat(number("document.querySelectorAll('tr.run').length")).isEqualTo(1);
	}

	@Test
	@Order(4)
	void reviewsInTheGridAreExportedAndCompared() throws Exception {
		open(this.serve.base.resolve("runs/first"));
		// the checks' pass rates, the gate's verdict and the filter of the answers failing a check
		assertThat(text("document.getElementById('checks').textContent")).contains("answer.nonempty", "answer.exact",
				"100.0%");
		assertThat(text("document.getElementById('gate').textContent")).startsWith("quality gate not met")
			.contains("answer.exact");
		assertThat(number("document.querySelectorAll('#grid ul.verdicts li.badge').length")).isEqualTo(6);
		// from the keyboard: p on the first answer, j, f and 4 on the second
		key("p");
		await(() -> text("document.getElementById('review-status').textContent").contains("pass"), "the first review");
		key("j");
		key("f");
		await(() -> text("document.getElementById('review-status').textContent").contains("bravo"), "the second review");
		key("4");
		await(() -> text("document.getElementById('review-status').textContent").contains("score 4"), "the score");
		open(this.serve.base.resolve("runs/first?check=answer.human"));
		assertThat(text("Array.prototype.map.call(document.querySelectorAll('#grid tbody tr'), function (r) "
				+ "{ return r.getAttribute('data-id'); }).join()")).isEqualTo("bravo");
		assertThat(text("document.querySelector('#grid select[name=verdict]').value")).isEqualTo("fail");
		assertThat(text("document.querySelector('#grid select[name=score]').value")).isEqualTo("4");
		// the picture of the README (docs/web.png), taken when asked for
		if (System.getProperty("dmr.web.screenshot") != null) {
			open(this.serve.base.resolve("runs/first"));
			this.chromium.screenshot(Path.of(System.getProperty("dmr.web.screenshot")));
		}
		open(this.serve.base.resolve("runs/first?view=failures"));
		assertThat(number("document.querySelectorAll('#grid tbody tr').length")).isEqualTo(3);

		// job=export: the review is the human check in results.jsonl, results.csv and report.html, counted
		Dmr.Result export = Dmr.run(this.workspace, LocalRunner.baseUrl(), "job=export", "run=first");
		assertThat(export.exitCode()).as(export.toString()).isZero();
		List<String> lines = Files.readAllLines(this.workspace.path("output/quick/first/results.jsonl"));
		JsonNode alpha = Serve.JSON.readTree(lines.get(0));
		JsonNode bravo = Serve.JSON.readTree(lines.get(1));
		assertThat(alpha.path("checks").path("answer.human").path("pass").asBoolean()).isTrue();
		assertThat(bravo.path("checks").path("answer.human").path("pass").asBoolean()).isFalse();
		assertThat(bravo.path("checks").path("answer.human").path("reason").asString()).contains("score 4/5");
		assertThat(this.workspace.read("output/quick/first/results.csv")).contains("check:answer.human");
		assertThat(this.workspace.read("output/quick/first/report.html")).contains("answer.human").contains("1/2 (50.0%)");
		// job=compare: compared as any check, against a run nobody reviewed
		Dmr.Result compare = Dmr.run(this.workspace, LocalRunner.baseUrl(), "job=compare", "run=first", "run=second",
				"output=output/compared");
		assertThat(compare.exitCode()).as(compare.toString()).isZero();
		JsonNode compared = Serve.JSON.readTree(this.workspace.read("output/compared/compare.json"));
		assertThat(compared.path("checks").path("answer.human").path("first").asDouble()).isEqualTo(0.5);

		// the run's files and any export written now from the store
		open(this.serve.base.resolve("runs/first"));
		assertThat(text("Array.prototype.map.call(document.querySelectorAll('#files ul a'), function (a) "
				+ "{ return a.textContent; }).join()")).contains("report.html", "results.csv", "results.jsonl");
		HttpResponse<String> report = this.serve.get("runs/first/files/report.html");
		assertThat(report.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("nonce-");
		HttpResponse<String> markdown = this.serve.get("runs/first/download?format=markdown");
		assertThat(markdown.statusCode()).isEqualTo(200);
		assertThat(markdown.headers().firstValue("Content-Disposition").orElseThrow()).contains("attachment");
		assertThat(markdown.body()).contains("alpha");
		assertThat(this.serve.get("runs/first/files/.dmr-batch-run").statusCode()).isEqualTo(404);
	}

	@Test
	@Order(5)
	void theGridIsKeyboardDrivenAndTheRunsFilteredByTheirFigures() throws Exception {
		// jump to a page: the filters kept, the page said
		open(this.serve.base.resolve("runs/live?size=10"));
		this.chromium.evaluate("document.querySelector('form.jump input[name=page]').value = '3'; "
				+ "document.querySelector('form.jump').requestSubmit()");
		await(() -> text("location.search").contains("page=3") && text("document.readyState").equals("complete"),
				"page 3");
		assertThat(text("location.search")).contains("size=10");
		assertThat(number("document.querySelectorAll('#grid tbody tr.item').length")).isEqualTo(10);
		assertThat(text("document.querySelector('form.jump input[name=page]').value")).isEqualTo("3");
		// two models side by side: l and h move between their answers, c comments, o opens the conversation
		open(this.serve.base.resolve("runs/pair"));
		key("l");
		String second = text("document.querySelectorAll('#grid thead th[data-column]')[1].getAttribute('data-column')");
		assertThat(text("document.activeElement.getAttribute('data-column')")).isEqualTo(second);
		key("h");
		String first = text("document.querySelectorAll('#grid thead th[data-column]')[0].getAttribute('data-column')");
		assertThat(text("document.activeElement.getAttribute('data-column')")).isEqualTo(first);
		key("l");
		key("c");
		assertThat(text("document.activeElement.name")).isEqualTo("comment");
		// a comment alone is not taken for a review, nor thrown away: it waits for a verdict
		this.chromium.evaluate("var c = document.activeElement; c.value = 'terse but right'; c.form.requestSubmit()");
		await(() -> text("document.getElementById('review-status').textContent").contains("a verdict or a score"),
				"the comment's answer");
		assertThat(text("document.activeElement.value")).isEqualTo("terse but right");
		this.chromium.evaluate("document.activeElement.dispatchEvent(new KeyboardEvent('keydown', "
				+ "{key: 'Escape', bubbles: true}))");
		assertThat(text("document.activeElement.getAttribute('data-column')")).isEqualTo(second);
		key("p");
		await(() -> text("document.getElementById('review-status').textContent").contains("pass saved"), "the review");
		key("o");
		await(() -> text("location.pathname").endsWith("/item") && text("document.readyState").equals("complete"),
				"the conversation");
		// the conversation's own review form: the comment kept, a verdict given there
		String item = text("new URLSearchParams(location.search).get('id')");
		String commented = "Array.prototype.filter.call(document.querySelectorAll('#reviews form.review'), "
				+ "function (f) { return f.comment.value === 'terse but right'; })";
		assertThat(number(commented + ".length")).isEqualTo(1);
		this.chromium.evaluate("var f = " + commented + "[0]; f.verdict.value = 'fail'; "
				+ "f.verdict.dispatchEvent(new Event('change', {bubbles: true}))");
		await(() -> text("document.getElementById('review-status').textContent").contains("fail saved"),
				"the verdict");
		open(this.serve.base.resolve("runs/pair/items/" + item));
		assertThat(text(commented + "[0].verdict.value")).isEqualTo("fail");
		// any format written now from the store, a PDF too
		HttpResponse<byte[]> pdf = this.serve.http.send(HttpRequest.newBuilder(this.serve.base
			.resolve("runs/pair/download?format=pdf")).build(), HttpResponse.BodyHandlers.ofByteArray());
		assertThat(pdf.statusCode()).isEqualTo(200);
		assertThat(pdf.headers().firstValue("Content-Disposition").orElseThrow()).contains("attachment", ".pdf");
		assertThat(new String(pdf.body(), 0, 5, StandardCharsets.ISO_8859_1)).isEqualTo("%PDF-");
		// the runs by pass rate, tokens and age, from the page's own form
		open(this.serve.base.resolve(""));
		this.chromium.evaluate("var f = document.querySelector('form.controls'); f.pass_max.value = '99'; "
				+ "f.since.value = '1h'; f.requestSubmit()");
		await(() -> text("location.search").contains("pass_max=99") && text("document.readyState").equals("complete"),
				"the filtered runs");
		List<String> listed = List.of(text("Array.prototype.map.call(document.querySelectorAll('#runs tbody tr.run "
				+ "td:nth-child(3)'), function (td) { return td.textContent; }).join()").split(","));
		assertThat(listed).contains("first", "pair").doesNotContain("live");
		assertThat(text("document.querySelector('form.controls').since.value")).isEqualTo("1h");
		// a sort keeps the filters
		assertThat(text("document.querySelector('th a[href*=sort]').getAttribute('href')")).contains("pass_max=99",
				"since=1h");
		open(this.serve.base.resolve("?tokens_min=999999999"));
		assertThat(text("document.getElementById('no-runs').textContent")).contains("match these filters");
	}

	@Test
	@Order(6)
	void runsAreTaggedSortedDeletedAndStopped() throws Exception {
		// tags and a note on the run page, listed by job=runs; filtered and sorted on /
		open(this.serve.base.resolve("runs/pair"));
		this.chromium.evaluate("var f = document.querySelector('form.annotations'); f.tags.value = 'baseline, two-models'; "
				+ "f.note.value = 'the pair'; f.submit();");
		await(() -> text("document.querySelector('[data-page=run] form.annotations') && "
				+ "document.querySelector('form.annotations').tags.value").equals("baseline, two-models"), "the tags");
		assertThat(this.serve.json("api/runs?tag=nightly").get(0).path("run").asString()).isEqualTo("second");
		assertThat(this.serve.json("api/runs?tag=cli").get(0).path("tags").toString()).isEqualTo("[\"cli\",\"first\"]");
		assertThat(this.serve.json("api/runs?model=ai/tiny2").size()).isEqualTo(2);
		JsonNode byTokens = this.serve.json("api/runs?sort=tokens&order=desc");
		assertThat(byTokens.get(0).path("prompt_tokens").asLong() + byTokens.get(0).path("completion_tokens").asLong())
			.isGreaterThanOrEqualTo(byTokens.get(1).path("prompt_tokens").asLong()
					+ byTokens.get(1).path("completion_tokens").asLong());
		open(this.serve.base.resolve("?tag=baseline"));
		assertThat(number("document.querySelectorAll('tr.run').length")).isEqualTo(1);
		// the answers of two models side by side: different between them, and columns hidden
		open(this.serve.base.resolve("runs/pair"));
		assertThat(number("document.querySelectorAll('#grid thead th[data-column]').length")).isEqualTo(2);
		this.chromium.evaluate("var box = document.querySelector('input.column-toggle'); box.checked = false; "
				+ "box.dispatchEvent(new Event('change', {bubbles: true}));");
		assertThat(number("document.querySelectorAll('#grid td.cell:not([hidden])').length")).isEqualTo(3);
		long different = this.serve.json("api/runs/pair/items?view=different").path("total").asLong();
		open(this.serve.base.resolve("runs/pair?view=different"));
		assertThat(number("document.querySelectorAll('#grid tbody tr').length")).isEqualTo(different);
		assertThat(this.serve.json("api/runs/pair/items?view=errors").path("total").asLong()).isZero();
		assertThat(this.serve.json("api/runs/pair/items?regex=%5EB").path("total").asLong())
			.isEqualTo(this.serve.json("api/runs/pair/items?regex=%5E%5BB%5D").path("total").asLong());

		// deleted from the web: gone from job=runs, and its output folder with it
		assertThat(this.workspace.path("output/quick/second")).isDirectory();
		open(this.serve.base.resolve("runs/second"));
		this.chromium.evaluate("document.getElementById('delete-run').click()");
		await(() -> text("location.pathname").endsWith("/delete") && text("document.readyState").equals("complete"),
				"the confirmation");
		this.chromium.evaluate("document.getElementById('confirm-delete').click()");
		await(() -> text("location.pathname").equals("/") && text("document.readyState").equals("complete"),
				"the run history");
		// job=runs: the run deleted is gone, the tags are listed, the killed run is ABANDONED there too
		String runs = Dmr.run(this.workspace, LocalRunner.baseUrl(), "job=runs").out();
		assertThat(runs).doesNotContain("second").contains("baseline,two-models", "cli,first", "ABANDONED");
		assertThat(this.workspace.path("output/quick/second")).doesNotExist();
		assertThat(this.serve.get("api/runs/second").statusCode()).isEqualTo(404);

		// started from /jobs, stopped from its page: STOPPED, exit code 4; the command line resumes it
		open(this.serve.base.resolve("jobs"));
		this.chromium.evaluate("var form = document.querySelector('#job-slow form'); form.run.value = 'stopme'; form.submit();");
		long id = this.serve.awaitRun("stopme", (status) -> status.equals("STARTED")).path("id").asLong();
		open(this.serve.base.resolve("runs/" + id));
		while (this.serve.json("api/runs/" + id).path("items").asLong() < 2) {
			Thread.sleep(100);
		}
		this.chromium.evaluate("document.getElementById('stop-run').click()");
		JsonNode stopped = this.serve.awaitRun("stopme", (status) -> status.equals("STOPPED"));
		assertThat(stopped.path("exit_code").asInt()).isEqualTo(4);
		assertThat(stopped.path("items").asLong()).isLessThan(30);
		Dmr.Result resumed = Dmr.run(this.workspace, this.slowRunner.baseUrl(), "job=slow", "run=stopme");
		assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
		JsonNode done = this.serve.json("api/runs/stopme");
		assertThat(done.path("status").asString()).isEqualTo("COMPLETED");
		assertThat(done.path("items").asLong()).isEqualTo(30);
		assertThat(done.path("executions").size()).isEqualTo(2);
	}

	@Test
	@Order(7)
	void theChatContinuesStopsAndKeepsWhatWasTyped() throws Exception {
		// continuing an item of a run made with the runner's second model: that model, and its conversation shown
		open(this.serve.base.resolve("runs/first/items/alpha"));
		this.chromium.evaluate("document.getElementById('continue-chat').click()");
		await(() -> text("location.pathname").equals("/chat") && text("document.readyState").equals("complete"),
				"the chat");
		assertThat(text("document.getElementById('model').value")).isEqualTo("ai/tiny2");
		assertThat(text("document.getElementById('transcript').textContent")).contains("Item alpha: first");
		// Enter sends; the answer comes, the session goes in the address, the focus stays on the prompt
		this.chromium.evaluate("""
				var p = document.getElementById('prompt'); p.focus(); p.value = 'And then?';
				document.querySelector('input[name=max_tokens]').value = '8';
				p.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));
				""");
		await(() -> text("document.getElementById('chat-status').textContent").startsWith("session "), "the answer");
		String session = text("new URLSearchParams(location.search).get('session')");
		assertThat(session).startsWith("chat-");
		assertThat(text("document.activeElement.id")).isEqualTo("prompt");
		assertThat(text("document.getElementById('transcript').getAttribute('aria-live')")).isEqualTo("polite");
		for (JsonNode listed : this.serve.json("api/chat/sessions")) {
			if (listed.path("name").asString().equals(session)) {
				assertThat(listed.path("model").asString()).isEqualTo("ai/tiny2");
			}
		}
		// an error: said, no empty answer left, the prompt given back
		this.chromium.evaluate("""
				document.querySelector('input[name=max_tokens]').value = '';
				document.querySelector('input[name=temperature]').value = '9';
				document.getElementById('prompt').value = 'Keep this';
				document.getElementById('chat-form').requestSubmit();
				""");
		await(() -> text("document.getElementById('chat-status').textContent").contains("temperature"), "the error");
		assertThat(text("document.getElementById('prompt').value")).isEqualTo("Keep this");
		assertThat(number("document.querySelectorAll('#transcript .answer.streaming').length")).isZero();
		// stopped mid-answer: marked so, and so when the session is opened again
		this.chromium.evaluate("""
				document.querySelector('input[name=temperature]').value = '';
				document.querySelector('input[name=max_tokens]').value = '2000';
				document.getElementById('prompt').value = 'Tell me a long story';
				document.getElementById('chat-form').requestSubmit();
				""");
		await(() -> text("(document.querySelector('#transcript .answer.streaming') || {textContent: ''}).textContent")
				.length() > 20, "the answer to start");
		this.chromium.evaluate("document.getElementById('stop').click()");
		await(() -> text("document.getElementById('chat-status').textContent").startsWith("stopped"), "the stop");
		await(() -> {
			open(this.serve.base.resolve("chat?session=" + session));
			return text("Array.prototype.map.call(document.querySelectorAll('#transcript .mark'), "
					+ "function (m) { return m.textContent; }).join()").equals("stopped");
		}, "the stopped answer stored");
		// the prompt comes early in the Tab order
		assertThat(number("""
				(function () {
				  var all = document.querySelectorAll('a[href], button:not([disabled]), input:not([type=hidden]), select, textarea, summary');
				  for (var i = 0; i < all.length; i++) { if (all[i].id === 'prompt') { return i + 1; } }
				  return 99;
				}())""")).isLessThanOrEqualTo(6);
	}

	@Test
	@Order(7)
	void theChatSendsAPickedImageWithTheNextPromptAndShowsThatTheTurnHadIt() throws Exception {
		java.awt.image.BufferedImage picture = new java.awt.image.BufferedImage(40, 30,
				java.awt.image.BufferedImage.TYPE_INT_RGB);
		Path file = this.dir.resolve("picked.png");
		javax.imageio.ImageIO.write(picture, "png", file.toFile());
		long size = Files.size(file);
		open(this.serve.base.resolve("chat"));
		assertThat(text("document.querySelector('label[for=image]').textContent")).isNotBlank();
		assertThat(text("document.getElementById('image').getAttribute('accept')")).isEqualTo("image/*");
		// a file set in the picker as a user's choice sets it
		long root = this.chromium.command("DOM.getDocument", Map.of()).path("root").path("nodeId").asLong();
		long input = this.chromium.command("DOM.querySelector", Map.of("nodeId", root, "selector", "#image"))
			.path("nodeId")
			.asLong();
		this.chromium.command("DOM.setFileInputFiles", Map.of("files", List.of(file.toString()), "nodeId", input));
		this.chromium.evaluate("""
				document.getElementById('model').value = 'ai/tiny-vision';
				document.querySelector('input[name=max_tokens]').value = '3';
				document.getElementById('prompt').value = 'What is it?';
				document.getElementById('chat-form').requestSubmit();
				""");
		await(() -> text("document.getElementById('chat-status').textContent").startsWith("session "), "the answer");
		String shown = "image picked.png (" + size + " bytes)";
		assertThat(text("document.getElementById('transcript').textContent")).contains(shown);
		// the picker is empty for the next prompt; the stored turn keeps the image's reference, shown when reopened
		assertThat(text("document.getElementById('image').value")).isEmpty();
		String session = text("new URLSearchParams(location.search).get('session')");
		open(this.serve.base.resolve("chat?session=" + session));
		assertThat(text("document.getElementById('transcript').textContent")).contains(shown);
		// the next turn sends the image again, from the copy kept with the session
		this.chromium.evaluate("""
				document.querySelector('input[name=max_tokens]').value = '3';
				document.getElementById('prompt').value = 'And now?';
				document.getElementById('chat-form').requestSubmit();
				""");
		await(() -> text("document.getElementById('chat-status').textContent").startsWith("session "), "the answer");
		List<String> bodies = this.slowRunner.chatBodies();
		assertThat(bodies.get(bodies.size() - 1)).contains("And now?").contains("data:image/png;base64,");
		assertThat(number("document.querySelectorAll('#transcript .turn.assistant').length")).isEqualTo(2);
	}

	@Test
	@Order(8)
	void everyPageIsAccessibleAndFitsAPhone() throws Exception {
		String axe = new String(WebViewerIT.class.getResourceAsStream("/axe-core/axe.min.js").readAllBytes(),
				StandardCharsets.UTF_8);
		String session = this.serve.json("api/chat/sessions").get(0).path("name").asString();
		// an answer wider than any screen: an unbroken word, a table of many columns, a long line of code
		String wideAnswer = "W".repeat(300) + "\n\n|" + " column heading |".repeat(16) + "\n|" + "---|".repeat(16) + "\n|"
				+ " cell |".repeat(16) + "\n\n```\n" + "code ".repeat(100) + "\n```\n";
		this.slowRunner.faults((n) -> FaultProxy.reshape((events) -> answering(events, wideAnswer)));
		try {
			open(this.serve.base.resolve("chat?session=" + session));
			this.chromium.evaluate("""
					document.querySelector('input[name=max_tokens]').value = '8';
					document.getElementById('prompt').value = 'Something wide';
					document.getElementById('chat-form').requestSubmit();
					""");
			await(() -> text("document.getElementById('chat-status').textContent").startsWith("session "), "the answer");
		}
		finally {
			this.slowRunner.faults((n) -> new FaultProxy.Slow(150));
		}
		List<String> pages = List.of("", "?status=COMPLETED&sort=tokens&order=desc", "runs/first", "runs/live?size=10&page=2",
				"runs/first/item?id=alpha", "runs/pair/items/bravo", "runs/first/delete", "chat", "chat?session=" + session,
				"jobs", "compare?runs=first,pair", "nosuch");
		List<String> violations = new ArrayList<>();
		for (String path : pages) {
			open(this.serve.base.resolve(path));
			this.chromium.evaluate(axe);
			JsonNode found = this.chromium.evaluate("axe.run(document).then(function (r) { return r.violations.map("
					+ "function (v) { return v.id + ' (' + v.impact + '): ' + v.nodes.map(function (n) { "
					+ "return n.target.join(' '); }).slice(0, 3).join(', '); }); })");
			found.forEach((v) -> violations.add("/" + path + ": " + v.asString()));
		}
		assertThat(violations).isEmpty();
		// 375 px wide: nothing wider than the screen, the tables scroll in their own box
		this.chromium.command("Emulation.setDeviceMetricsOverride",
				Map.of("width", 375, "height", 800, "deviceScaleFactor", 1, "mobile", true));
		try {
			List<String> wide = new ArrayList<>();
			for (String path : pages) {
				open(this.serve.base.resolve(path));
				long width = number("document.documentElement.scrollWidth");
				if (width > 375) {
					wide.add("/" + path + ": " + width + " px");
				}
			}
			assertThat(wide).isEmpty();
		}
		finally {
			this.chromium.command("Emulation.clearDeviceMetricsOverride", Map.of());
		}
		// closing event streams and chats logged no stack trace, and the pages no console error
		assertThat(this.serve.process.out() + this.serve.process.err()).doesNotContain("\tat ");
		assertThat(this.chromium.problems()).allSatisfy((problem) -> assertThat(problem)
			.containsAnyOf("status of 404", "status of 400", "net::ERR", "EventSource"));
	}

	/** A streamed answer's events with the first piece of content replaced by {@code content}, the others emptied. */
	private static List<String> answering(List<String> events, String content) {
		List<String> rewritten = new ArrayList<>();
		boolean given = false;
		for (String event : events) {
			if (!event.startsWith("data: {")) {
				rewritten.add(event);
				continue;
			}
			ObjectNode chunk = (ObjectNode) Serve.JSON.readTree(event.substring("data: ".length()));
			JsonNode delta = chunk.path("choices").path(0).path("delta");
			if (delta instanceof ObjectNode piece && piece.has("content") && !piece.path("content").isNull()) {
				piece.put("content", given ? "" : content);
				given = true;
			}
			rewritten.add("data: " + Serve.JSON.writeValueAsString(chunk));
		}
		return rewritten;
	}

	private HttpResponse<String> chat(String body) throws Exception {
		return this.serve.http.send(HttpRequest.newBuilder(this.serve.base.resolve("api/chat"))
			.header("Content-Type", "application/json")
			.header("Accept", "text/event-stream")
			.header("X-CSRF-Token", this.serve.csrf())
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** The one sentence of an error answered with that status. */
	private static String error(HttpResponse<String> response, int status) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		if (response.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
			return Serve.JSON.readTree(response.body()).path("error").asString();
		}
		return response.body();
	}

	/** A key pressed where nothing is focused, as the grid hears it. */
	private void key(String key) throws Exception {
		this.chromium.evaluate("document.activeElement && document.activeElement.blur && document.activeElement.blur(); "
				+ "document.dispatchEvent(new KeyboardEvent('keydown', {key: '" + key + "', bubbles: true}))");
	}

	private long number(String expression) throws Exception {
		return (long) Double.parseDouble(this.chromium.evaluate("String(" + expression + ")").asString());
	}

	/** The expression's value as text; empty for null. */
	private String text(String expression) throws Exception {
		JsonNode value = this.chromium.evaluate("(function () { var v = " + expression
				+ "; return (v === null || v === undefined) ? '' : String(v); }())");
		return value.asString("");
	}

	/** Opens a page and waits until it is the one shown, loaded. */
	private void open(URI url) throws Exception {
		this.chromium.open(url);
		await(() -> text("location.href").equals(url.toString()) && text("document.readyState").equals("complete"),
				"the page " + url);
	}

	private interface Check {

		boolean holds() throws Exception;

	}

	private static void await(Check check, String what) throws Exception {
		long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
		while (!check.holds()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("waited a minute for " + what);
			}
			Thread.sleep(100);
		}
	}

	/** A TCP proxy to the app whose connections can be cut, as a network that goes away and comes back. */
	private static final class CutProxy implements AutoCloseable {

		private final ServerSocket server;

		private final int target;

		private final List<Socket> open = new CopyOnWriteArrayList<>();

		private volatile boolean cut;

		CutProxy(int target) throws IOException {
			this.target = target;
			this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
			Thread accept = new Thread(this::accept, "cut-proxy");
			accept.setDaemon(true);
			accept.start();
		}

		int port() {
			return this.server.getLocalPort();
		}

		/** Every connection dropped, and new ones closed as they come, until {@link #restore}. */
		void cut() {
			this.cut = true;
			this.open.forEach(CutProxy::quietly);
			this.open.clear();
		}

		void restore() {
			this.cut = false;
		}

		private void accept() {
			while (!this.server.isClosed()) {
				try {
					Socket client = this.server.accept();
					if (this.cut) {
						quietly(client);
						continue;
					}
					Socket app = new Socket(InetAddress.getLoopbackAddress(), this.target);
					this.open.add(client);
					this.open.add(app);
					pump(client, app);
					pump(app, client);
				}
				catch (IOException ex) {
					// closed
				}
			}
		}

		private static void pump(Socket from, Socket to) {
			Thread thread = new Thread(() -> {
				try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
					in.transferTo(out);
				}
				catch (IOException ex) {
					// cut
				}
				finally {
					quietly(from);
					quietly(to);
				}
			}, "cut-proxy-pump");
			thread.setDaemon(true);
			thread.start();
		}

		private static void quietly(Socket socket) {
			try {
				socket.close();
			}
			catch (IOException ex) {
				// closed already
			}
		}

		@Override
		public void close() throws IOException {
			cut();
			this.server.close();
		}

	}

}
