package dev.dmrbatch.export;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import dev.dmrbatch.check.CheckStore;
import dev.dmrbatch.check.Evaluation;
import dev.dmrbatch.check.ItemVerdicts;
import dev.dmrbatch.conversation.Verdict;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.HeadlessChromium;
import dev.dmrbatch.support.Kinds;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.TestProperties;
import dev.dmrbatch.support.Workspace;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code report.html} opened in headless Chromium: it loads from disk with no console error and no network request,
 * its charts hold the run's data, and its search and status filter narrow the items.
 */
class HtmlReportIT {

	@TempDir
	Path dir;

	@Test
	void reportOfARealRunLoadsOfflineWithItsDataAndFilters() throws Exception {
		// given: a run of six items against the real runner, one of them failing (its title is missing)
		Workspace workspace = new Workspace(this.dir.resolve("work"));
		workspace.file("input/items.jsonl", """
				{"id": "alpha", "title": "Alpha", "text": "first"}
				{"id": "bravo", "title": "Bravo", "text": "second"}
				{"id": "charlie", "text": "third, no title"}
				{"id": "delta", "title": "Delta", "text": "fourth"}
				{"id": "echo", "title": "Echo", "text": "fifth"}
				{"id": "foxtrot", "title": "Foxtrot", "text": "sixth"}
				""");
		workspace.file("jobs/report.yaml", """
				name: report
				input: { format: jsonl, path: input/items.jsonl, id: id }
				model: { name: ai/tiny, max_tokens: 24 }
				steps: [ { name: answer, prompt: "Say something about ${title}: ${text}" } ]
				""");
		Dmr.Result result = Dmr.run(workspace, LocalRunner.baseUrl(), "job=report", "run=shown");
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
		Path report = workspace.path("output/report/shown/report.html");
		assertThat(result.out()).contains("exports: " + report); // html is among the default exports

		try (HeadlessChromium chromium = new HeadlessChromium(this.dir.resolve("chromium"))) {
			// when
			chromium.open(report.toUri());

			// then: no errors, nothing fetched but the file itself
			assertThat(chromium.problems()).isEmpty();
			assertThat(chromium.requests()).allMatch((url) -> url.equals(report.toUri().toString())
					|| url.equals("file://" + report));
			assertThat(chromium.evaluate("document.querySelector('[data-fact=items]').textContent").asString())
				.isEqualTo("6: 5 ok, 1 failed");

			// the charts hold the run's data: every answered item in each distribution, every item in the progress
			assertThat(sum(chromium, "#latency-chart rect.bar")).isEqualTo(5);
			assertThat(sum(chromium, "#tokens-chart rect.bar")).isEqualTo(5);
			assertThat(chromium
				.evaluate("Number([...document.querySelectorAll('#progress-chart circle.point')].pop().dataset.items)")
				.asInt()).isEqualTo(6);
			assertThat(chromium.evaluate("document.querySelectorAll('#failures tr.failure').length").asInt()).isOne();
			assertThat(chromium.evaluate("document.querySelector('#failures tr.failure').textContent").asString())
				.contains("charlie")
				.contains("title");

			// the search and the status filter narrow the items
			assertThat(visible(chromium)).containsExactly("alpha", "bravo", "charlie", "delta", "echo", "foxtrot");
			chromium.evaluate("(() => { const s = document.getElementById('search'); s.value = 'ECHO';"
					+ " s.dispatchEvent(new Event('input')); })()");
			assertThat(visible(chromium)).containsExactly("echo");
			assertThat(chromium.evaluate("document.getElementById('shown').textContent").asString())
				.isEqualTo("1 of 6 items shown");
			chromium.evaluate("(() => { const s = document.getElementById('search'); s.value = '';"
					+ " s.dispatchEvent(new Event('input')); const f = document.getElementById('status');"
					+ " f.value = 'failed'; f.dispatchEvent(new Event('change')); })()");
			assertThat(visible(chromium)).containsExactly("charlie");
			assertThat(chromium.problems()).isEmpty();
			chromium.evaluate("(() => { const f = document.getElementById('status'); f.value = '';"
					+ " f.dispatchEvent(new Event('change')); })()");
			chromium.screenshot(this.dir.resolve("report.png"));
			if (System.getenv("DMR_REPORT_SCREENSHOT") != null) {
				Files.copy(this.dir.resolve("report.png"), Path.of(System.getenv("DMR_REPORT_SCREENSHOT")),
						java.nio.file.StandardCopyOption.REPLACE_EXISTING);
			}
		}
	}

	@Test
	void answersAreRenderedFromMarkdownAndNeverFetchOrRunAnything() throws Exception {
		// given: answers with Markdown, raw HTML, a remote image, a script and a javascript: link
		JdbcDataSource data = new JdbcDataSource();
		data.setURL("jdbc:h2:mem:report-" + this.dir.getFileName() + ";DB_CLOSE_DELAY=-1");
		data.setUser("sa");
		Flyway.configure().dataSource(data).locations("classpath:db/migration/common", "classpath:db/migration/h2").load().migrate();
		ConversationStore store = new ConversationStore(new JdbcTemplate(data));
		RunRecord run = new RunRecord(9, "compare", null, "input/x.csv", this.dir.resolve("out").toString(),
				"{\"name\":\"ai/tiny\"}", Instant.parse("2026-11-25T10:00:00Z"));
		store.registerRun(run);
		String hostile = """
				**bold** and `code`

				![a pixel](http://127.0.0.1:9/pixel.png) <img src="http://127.0.0.1:9/raw.png">
				<script>console.error('ran')</script> [click](javascript:void%20console.error%60clicked%60)
				""";
		Conversation structured = Conversation.answered(3, "item3", "ai/tiny",
				List.of(new Conversation.Turn("user", "extract", "Question 3"),
						new Conversation.Turn("assistant", "extract", "{\"total\": 12}", "<b>sum</b> the lines",
								"{\"total\":12}")),
				List.of(Conversation.Call.answered(0, "extract").finishReason("stop").tokens(5, 7).latency(33)
						.attempts(1).build()));
		store.saveAll(9, List.of(conversation(1, "ai/tiny", hostile), conversation(1, "ai/tiny2", "second model"),
				conversation(2, "ai/tiny", "- one\n- two"), structured));
		new Exports(store, new CheckStore(new JdbcTemplate(data)), TestProperties.home(this.dir), exportFormats()).write(run,
				List.of("html"));
		Path report = this.dir.resolve("out/report.html");

		try (HeadlessChromium chromium = new HeadlessChromium(this.dir.resolve("chromium"))) {
			chromium.open(report.toUri());
			chromium.evaluate("document.querySelector('#item-1 a') && document.querySelector('#item-1 a').click()");

			// then
			assertThat(chromium.problems()).isEmpty();
			assertThat(chromium.requests()).noneMatch((url) -> url.startsWith("http"));
			assertThat(chromium.evaluate("document.querySelectorAll('img, script:not(:last-of-type)').length").asInt())
				.isZero();
			JsonNode answer = chromium.evaluate("document.querySelector('#item-1 .answer').innerHTML");
			assertThat(answer.asString()).contains("<strong>bold</strong>")
				.contains("<code>code</code>")
				.contains("&lt;script&gt;")
				.contains("[image: a pixel] http://127.0.0.1:9/pixel.png")
				.doesNotContain("href=\"javascript");
			assertThat(chromium.evaluate("document.querySelectorAll('a[href^=javascript]').length").asInt()).isZero();
			// two models on the same item: side by side, in one article
			assertThat(chromium.evaluate("[...document.querySelectorAll('#item-1 .conversation')]"
					+ ".map(c => c.dataset.model).join(',')").asString()).isEqualTo("ai/tiny,ai/tiny2");
			assertThat(chromium.evaluate("document.querySelectorAll('#item-2 .answer li').length").asInt()).isEqualTo(2);
			// a JSON step: its reasoning folded away as text, its parsed answer indented
			assertThat(chromium.evaluate("document.querySelector('#item-3 details.reasoning pre').textContent")
				.asString()).isEqualTo("<b>sum</b> the lines");
			assertThat(chromium.evaluate("document.querySelector('#item-3 pre.json').textContent").asString())
				.contains("\"total\" : 12");
			assertThat(chromium.evaluate("document.querySelectorAll('#item-1 details.reasoning, #item-1 pre.json')"
					+ ".length").asInt()).isZero();
		}
	}

	@Test
	void checksHaveTheirPassRatesPerModelAndAFilterForTheItemsFailingOne() throws Exception {
		// given: two models on three items, two checks, verdicts stored as a run gives them
		JdbcDataSource data = new JdbcDataSource();
		data.setURL("jdbc:h2:mem:checks-" + this.dir.getFileName() + ";DB_CLOSE_DELAY=-1");
		data.setUser("sa");
		Flyway.configure().dataSource(data).locations("classpath:db/migration/common", "classpath:db/migration/h2")
			.load()
			.migrate();
		ConversationStore store = new ConversationStore(new JdbcTemplate(data));
		CheckStore checks = new CheckStore(new JdbcTemplate(data));
		RunRecord run = new RunRecord(4, "checked", null, "input/x.csv", this.dir.resolve("out").toString(),
				"{\"name\":\"ai/tiny\"}", Instant.parse("2026-11-25T10:00:00Z"));
		store.registerRun(run);
		store.saveAll(4, List.of(conversation(1, "ai/tiny", "one"), conversation(1, "ai/tiny2", "uno"),
				conversation(2, "ai/tiny", "two"), conversation(2, "ai/tiny2", "dos"), conversation(3, "ai/tiny", "three"),
				conversation(3, "ai/tiny2", "<b>tres</b>")));
		Evaluation evaluation = checks.beginDuringRun(4, List.of("answer.short", "answer.english"), null);
		checks.saveAll(evaluation, List.of(
				new ItemVerdicts(1, "ai/tiny", List.of(new Verdict("answer.short", true, "3 chars"),
						new Verdict("answer.english", true, "is the expected 'one'"))),
				new ItemVerdicts(1, "ai/tiny2", List.of(new Verdict("answer.short", true, "3 chars"),
						new Verdict("answer.english", false, "'uno' is not the expected 'one'"))),
				new ItemVerdicts(2, "ai/tiny", List.of(new Verdict("answer.short", true, "3 chars"),
						new Verdict("answer.english", true, "is the expected 'two'"))),
				new ItemVerdicts(2, "ai/tiny2", List.of(new Verdict("answer.short", true, "3 chars"),
						new Verdict("answer.english", false, "'dos' is not the expected 'two'"))),
				new ItemVerdicts(3, "ai/tiny", List.of(new Verdict("answer.short", false, "5 chars, more than 4"),
						new Verdict("answer.english", true, "is the expected 'three'"))),
				new ItemVerdicts(3, "ai/tiny2", List.of(new Verdict("answer.short", false, "11 chars, more than 4"),
						new Verdict("answer.english", false, "'<script>x</script>' is not the expected 'three'")))));
		new Exports(store, checks, TestProperties.home(this.dir), exportFormats()).write(run, List.of("html"));
		Path report = this.dir.resolve("out/report.html");

		try (HeadlessChromium chromium = new HeadlessChromium(this.dir.resolve("chromium"))) {
			chromium.open(report.toUri());
			assertThat(chromium.problems()).isEmpty();
			// then: a row per check, all models and each model
			assertThat(chromium.evaluate("[...document.querySelectorAll('#checks tr.check')].map(r => "
					+ "[...r.children].map(c => c.textContent).join('|')).join('\\n')").asString())
				.isEqualTo("answer.short|4/6 (66.7%)|2/3 (66.7%)|2/3 (66.7%)\n"
						+ "answer.english|3/6 (50.0%)|3/3 (100.0%)|0/3 (0.0%)");
			assertThat(chromium.evaluate("[...document.querySelectorAll('#checks th')].slice(2, 4)"
					+ ".map(c => c.textContent).join(',')").asString()).isEqualTo("ai/tiny,ai/tiny2");
			// each conversation lists its verdicts; a reason is text, never markup
			assertThat(chromium.evaluate("document.querySelector('#item-3 .conversation[data-model=\"ai/tiny2\"] "
					+ "li[data-check=\"answer.english\"]').textContent").asString())
				.isEqualTo("fail answer.english: '<script>x</script>' is not the expected 'three'");
			assertThat(chromium.evaluate("document.querySelectorAll('ul.checks script').length").asInt()).isZero();
			// the filter: items failing a check, in any model
			assertThat(visible(chromium)).containsExactly("item1", "item2", "item3");
			select(chromium, "answer.short");
			assertThat(visible(chromium)).containsExactly("item3");
			select(chromium, "answer.english");
			assertThat(visible(chromium)).containsExactly("item1", "item2", "item3");
			assertThat(chromium.evaluate("document.getElementById('shown').textContent").asString())
				.isEqualTo("3 of 3 items shown");
			chromium.evaluate("(() => { const s = document.getElementById('search'); s.value = 'dos';"
					+ " s.dispatchEvent(new Event('input')); })()");
			assertThat(visible(chromium)).containsExactly("item2");
			chromium.screenshot(this.dir.resolve("checks.png"));
			if (System.getenv("DMR_REPORT_SCREENSHOT") != null) {
				Files.copy(this.dir.resolve("checks.png"),
						Path.of(System.getenv("DMR_REPORT_SCREENSHOT").replace(".png", "-checks.png")),
						java.nio.file.StandardCopyOption.REPLACE_EXISTING);
			}
		}
	}

	private static void select(HeadlessChromium chromium, String check) throws Exception {
		chromium.evaluate("(() => { const f = document.getElementById('check'); f.value = '" + check + "';"
				+ " f.dispatchEvent(new Event('change')); })()");
	}

	private static Conversation conversation(long seq, String model, String answer) {
		return Conversation.answered(seq, "item" + seq, model,
				List.of(new Conversation.Turn("user", "answer", "Question " + seq),
						new Conversation.Turn("assistant", "answer", answer)),
				List.of(Conversation.Call.answered(0, "answer").finishReason("stop").tokens(5, 7).latency(30 + seq)
						.attempts(1).build()));
	}

	private static long sum(HeadlessChromium chromium, String bars) throws Exception {
		return chromium
			.evaluate("[...document.querySelectorAll('" + bars + "')].reduce((n, b) => n + Number(b.dataset.count), 0)")
			.asLong();
	}

	private static List<String> visible(HeadlessChromium chromium) throws Exception {
		JsonNode ids = chromium.evaluate("[...document.querySelectorAll('article.item')].filter(a => !a.hidden)"
				+ ".map(a => a.querySelector('h3').firstChild.textContent.trim())");
		return ids.valueStream().map(JsonNode::asString).toList();
	}

	private ExportFormats exportFormats() {
		return Kinds.exportFormats(Kinds.plugins(TestProperties.home(this.dir)));
	}

}
