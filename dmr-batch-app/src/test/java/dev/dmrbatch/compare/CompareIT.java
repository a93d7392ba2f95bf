package dev.dmrbatch.compare;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.HeadlessChromium;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code job=compare} on real runs (temperature 0 with a seed, so answers repeat): what it writes is recomputed here
 * from the runs' own {@code results.jsonl}, and {@code compare.html} is opened in headless Chromium.
 */
class CompareIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String JOB = """
			name: answers
			input: { format: jsonl, path: input/items.jsonl, id: id }
			model: { name: ai/tiny, temperature: 0, seed: 42, max_tokens: %d }
			steps:
			  - name: answer
			    prompt: "%s"
			    checks:
			      - { name: short, type: length, max: 12 }
			      - { name: long, type: length, min: 13 }
			export: [jsonl]
			""";

	private static final String PROMPT = "Say something about ${title}.";

	@TempDir
	Path dir;

	private Workspace workspace;

	@BeforeEach
	void items() {
		this.workspace = new Workspace(this.dir.resolve("work"));
		StringBuilder items = new StringBuilder();
		String[] titles = { "apples", "boats", "clouds", "dunes", "eels", "ferns", "gulls", "harbours", "islands",
				"juniper" };
		for (int i = 0; i < titles.length; i++) {
			items.append("{\"id\": \"item-").append(i + 1).append("\", \"title\": \"").append(titles[i]).append("\"}\n");
		}
		this.workspace.file("input/items.jsonl", items.toString());
	}

	private void run(int maxTokens, String prompt, String label) {
		this.workspace.file("jobs/answers.yaml", JOB.formatted(maxTokens, prompt));
		Dmr.Result result = Dmr.run(this.workspace, LocalRunner.baseUrl(), "job=answers", "run=" + label);
		assertThat(result.exitCode()).as(result.toString()).isZero();
	}

	@Test
	void twoRunsThatDifferInMaxTokens() throws Exception {
		// given: the same input and prompt, 4 tokens then 24
		run(4, PROMPT, "short");
		run(24, PROMPT, "long");
		Map<String, String> shortAnswers = answers("output/answers/short/results.jsonl", "ai/tiny");
		Map<String, String> longAnswers = answers("output/answers/long/results.jsonl", "ai/tiny");

		// and the verdicts of the job file's checks, worked out here from the answers: a short one passes the first
		Map<String, Map<String, Boolean>> shortVerdicts = verdicts(shortAnswers);
		Map<String, Map<String, Boolean>> longVerdicts = verdicts(longAnswers);

		// when
		Dmr.Result result = Dmr.run(this.workspace, null, "job=compare", "run=short", "run=long");

		// then: the summary, and the files where it says
		assertThat(result.exitCode()).as(result.toString()).isZero();
		Path folder = this.workspace.path("output/compare/short-vs-long");
		Map<String, Double> expected = new LinkedHashMap<>();
		shortAnswers.forEach((id, answer) -> expected.put(id, distance(answer, longAnswers.get(id))));
		long changed = expected.values().stream().filter((d) -> d > 0).count();
		assertThat(changed).as("the longer answers differ").isPositive();
		assertThat(result.out()).contains("compared short vs long: 10 items, 10 in all, 0 in some only\n")
			.contains("answers changed: " + changed + " of 10 items answered on both sides against short")
			.contains("compare: " + folder.resolve("compare.json"))
			.contains("compare: " + folder.resolve("compare.md"))
			.contains("compare: " + folder.resolve("compare.html"));
		assertThat(result.err()).doesNotContain("error");
		assertThat(result.out()).containsPattern("\n  short: job answers, run \\d+, model ai/tiny; 10 ok, 0 failed; tokens "
				+ "\\d+ in, \\d+ out; latency p50 \\d+ ms, p90 \\d+ ms\n  long: job answers");

		JsonNode json = JSON.readTree(folder.resolve("compare.json").toFile());
		assertThat(json.path("runs")).hasSize(2);
		assertThat(json.path("runs").get(0).path("label").asString()).isEqualTo("short");
		assertThat(json.path("runs").get(0).path("job").asString()).isEqualTo("answers");
		assertThat(json.path("runs").get(0).path("model").asString()).isEqualTo("ai/tiny");
		assertThat(json.path("runs").get(0).path("settings").path("max_tokens").asInt()).isEqualTo(4);
		assertThat(json.path("runs").get(1).path("label").asString()).isEqualTo("long");
		assertThat(json.path("runs").get(1).path("settings").path("max_tokens").asInt()).isEqualTo(24);
		assertThat(json.path("runs").get(0).path("id").asLong()).isNotEqualTo(json.path("runs").get(1).path("id").asLong());
		for (JsonNode run : json.path("runs")) {
			assertThat(run.path("ok").asInt()).isEqualTo(10);
			assertThat(run.path("latency_ms").path("p50").asLong()).isPositive()
				.isLessThanOrEqualTo(run.path("latency_ms").path("p90").asLong());
			assertThat(run.path("completion_tokens").asLong()).isPositive();
		}
		assertThat(json.path("measure").asString()).contains("normalised Levenshtein distance");
		// the same prompts: no template changed
		assertThat(json.path("templates")).isNotEmpty()
			.allSatisfy((t) -> assertThat(t.path("status").asString()).isEqualTo("same"));

		List<String> ids = new ArrayList<>();
		List<String> down = new ArrayList<>();
		List<String> up = new ArrayList<>();
		for (JsonNode item : json.path("items")) {
			String id = item.path("id").asString();
			ids.add(id);
			assertThat(item.path("answers").path("short").asString()).isEqualTo(shortAnswers.get(id));
			assertThat(item.path("answers").path("long").asString()).isEqualTo(longAnswers.get(id));
			assertThat(item.path("distance").path("long").asDouble()).as(id).isCloseTo(expected.get(id), within(1e-9));
			for (String check : CHECKS) {
				assertThat(item.path("checks").path("short").path(check).path("pass").asBoolean())
					.isEqualTo(shortVerdicts.get(id).get(check));
				assertThat(item.path("checks").path("long").path(check).path("pass").asBoolean())
					.isEqualTo(longVerdicts.get(id).get(check));
			}
			// the flips, pass to fail first
			List<String> flips = new ArrayList<>();
			for (boolean from : new boolean[] { true, false }) {
				for (String check : CHECKS) {
					boolean was = shortVerdicts.get(id).get(check);
					boolean now = longVerdicts.get(id).get(check);
					if (was == from && now != was) {
						flips.add(check + " " + (was ? "pass" : "fail") + "->" + (now ? "pass" : "fail") + " long");
						(was ? down : up).add(id);
					}
				}
			}
			List<String> flipped = new ArrayList<>();
			item.path("flipped").forEach((f) -> flipped.add(f.path("check").asString() + " " + f.path("from").asString()
					+ "->" + f.path("to").asString() + " " + f.path("label").asString()));
			assertThat(flipped).as(id).containsExactlyElementsOf(flips);
		}
		assertThat(ids).containsExactlyElementsOf(shortAnswers.keySet());
		assertThat(down).as("the longer answers fail the short check").isNotEmpty();
		assertThat(up).as("the longer answers pass the long check").isNotEmpty();
		for (String check : CHECKS) {
			long shortPassed = shortVerdicts.values().stream().filter((v) -> v.get(check)).count();
			long longPassed = longVerdicts.values().stream().filter((v) -> v.get(check)).count();
			assertThat(json.path("checks").path(check).path("short").asDouble()).isEqualTo(shortPassed / 10.0);
			assertThat(json.path("checks").path(check).path("long").asDouble()).isEqualTo(longPassed / 10.0);
			long downs = ids.stream().filter((id) -> shortVerdicts.get(id).get(check) && !longVerdicts.get(id).get(check))
				.count();
			long ups = ids.stream().filter((id) -> !shortVerdicts.get(id).get(check) && longVerdicts.get(id).get(check))
				.count();
			assertThat(result.out()).contains(String.format(java.util.Locale.ROOT,
					"check %s: short %d/10 (%.1f%%), long %d/10 (%.1f%%, %+.1f points); %d flipped pass->fail, %d fail->pass",
					check, shortPassed, shortPassed * 10.0, longPassed, longPassed * 10.0,
					(longPassed - shortPassed) * 10.0, downs, ups));
		}
		assertThat(json.path("summary").path("answers_changed").asLong()).isEqualTo(changed);
		List<String> mostChanged = expected.entrySet()
			.stream()
			.filter((e) -> e.getValue() > 0)
			.sorted(Map.Entry.<String, Double>comparingByValue().reversed())
			.map(Map.Entry::getKey)
			.limit(Tally.CHANGED_LISTED)
			.toList();
		List<String> listed = new ArrayList<>();
		json.path("most_changed").forEach((id) -> listed.add(id.asString()));
		assertThat(listed).containsExactlyElementsOf(mostChanged);

		String markdown = Files.readString(folder.resolve("compare.md"));
		assertThat(markdown).contains("# compare short vs long")
			.contains("normalised Levenshtein distance")
			.contains("| max_tokens (differs) | 4 | 24 |")
			.contains("## Answers changed most (" + changed + ")")
			.contains("### " + mostChanged.get(0));

		// compare.html: offline, no error, the most changed items with their answers side by side
		Path html = folder.resolve("compare.html");
		try (HeadlessChromium chromium = new HeadlessChromium(this.dir.resolve("chromium"))) {
			chromium.open(html.toUri());
			assertThat(chromium.problems()).isEmpty();
			assertThat(chromium.requests()).allMatch((url) -> url.equals(html.toUri().toString())
					|| url.equals("file://" + html));
			assertThat(strings(chromium.evaluate("[...document.querySelectorAll('#changed article')]"
					+ ".map((a) => a.dataset.id)"))).containsExactlyElementsOf(mostChanged);
			String first = mostChanged.get(0);
			assertThat(strings(chromium.evaluate("[...document.querySelectorAll('#changed article:first-of-type "
					+ ".conversation')].map((c) => c.dataset.label + '=' + c.querySelector('pre.answer').textContent)")))
				.containsExactly("short=" + shortAnswers.get(first), "long=" + longAnswers.get(first));
			assertThat(chromium.evaluate("document.querySelector('tr.differs th').textContent").asString())
				.isEqualTo("max_tokens");
			assertThat(strings(chromium.evaluate("[...document.querySelectorAll('#flipped-down article')]"
					+ ".map((a) => a.dataset.id)"))).containsExactlyElementsOf(down);
			assertThat(strings(chromium.evaluate("[...document.querySelectorAll('#flipped-up article')]"
					+ ".map((a) => a.dataset.id)"))).containsExactlyElementsOf(up);
			assertThat(strings(chromium.evaluate("[...document.querySelectorAll('#checks tr.check')]"
					+ ".map((r) => r.dataset.check)"))).containsExactly(CHECKS);
		}

		// the short check loosened and evaluated again on the long run: compared again, its latest verdicts count
		this.workspace.file("jobs/answers.yaml", JOB.formatted(24, PROMPT).replace("max: 12", "max: 1000"));
		Dmr.Result checked = Dmr.run(this.workspace, null, "job=check", "run=long");
		assertThat(checked.exitCode()).as(checked.toString()).isZero();
		Dmr.Result again = Dmr.run(this.workspace, null, "job=compare", "run=short", "run=long");
		assertThat(again.exitCode()).as(again.toString()).isZero();
		long shortPassed = shortVerdicts.values().stream().filter((v) -> v.get(CHECKS[0])).count();
		assertThat(again.out()).contains("check answer.short: short " + shortPassed + "/10 (" + shortPassed * 10
				+ ".0%), long 10/10 (100.0%, " + String.format(java.util.Locale.ROOT, "%+.1f", 100 - shortPassed * 10.0)
				+ " points); 0 flipped pass->fail, " + (10 - shortPassed) + " fail->pass");
		JsonNode latest = JSON.readTree(folder.resolve("compare.json").toFile());
		assertThat(latest.path("checks").path(CHECKS[0]).path("long").asDouble()).isEqualTo(1.0);
	}

	@Test
	void aChangedPromptIsShownAsALineDiffAndItemsOfOneRunOnlyAsSuch() throws Exception {
		run(6, PROMPT, "before");
		// the input edited: its last item gone, another added
		String input = this.workspace.read("input/items.jsonl");
		this.workspace.file("input/items.jsonl", input.substring(0, input.lastIndexOf("{\"id\": \"item-10\""))
				+ "{\"id\": \"item-11\", \"title\": \"kelp\"}\n");
		run(6, "Say something about ${title}.\\nIn one line.", "after");

		Dmr.Result result = Dmr.run(this.workspace, null, "job=compare", "run=before", "run=after", "output=prompts");

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.out()).contains("compared before vs after: 11 items, 9 in all, 2 in some only");
		JsonNode json = JSON.readTree(this.workspace.path("prompts/compare.json").toFile());
		List<String> only = new ArrayList<>();
		for (JsonNode item : json.path("items")) {
			if (item.has("only_in")) {
				only.add(item.path("id").asString() + " " + strings(item.path("only_in")));
				assertThat(item.path("distance").isEmpty()).isTrue();
			}
		}
		assertThat(only).containsExactly("item-10 [before]", "item-11 [after]");
		assertThat(json.path("summary").path("answers_measured").asInt()).isEqualTo(9);
		assertThat(json.path("templates")).hasSize(1);
		JsonNode template = json.path("templates").get(0);
		assertThat(template.path("name").asString()).isEqualTo("steps.answer");
		assertThat(template.path("status").asString()).isEqualTo("changed");
		assertThat(strings(template.path("diff"))).containsExactly("  Say something about ${title}.", "+ In one line.");
		assertThat(Files.readString(this.workspace.path("prompts/compare.md"))).contains("+ In one line.")
			.contains("## Items on some sides only (2)")
			.contains("**after**: not in this run");
	}

	@Test
	void theModelsOfOneRun() throws Exception {
		this.workspace.file("jobs/pair.yaml", """
				name: pair
				input: { format: jsonl, path: input/items.jsonl, id: id }
				models: [ai/tiny, ai/tiny2]
				model: { temperature: 0, seed: 7, max_tokens: 12 }
				steps: [ { name: answer, prompt: "Say something about ${title}." } ]
				export: [jsonl]
				""");
		Dmr.Result made = Dmr.run(this.workspace, LocalRunner.baseUrl(), "job=pair", "run=both");
		assertThat(made.exitCode()).as(made.toString()).isZero();
		Map<String, String> tiny = answers("output/pair/both/results.jsonl", "ai/tiny");
		Map<String, String> tiny2 = answers("output/pair/both/results.jsonl", "ai/tiny2");

		Dmr.Result result = Dmr.run(this.workspace, null, "job=compare", "run=both");

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.out()).contains("compared ai/tiny vs ai/tiny2: 10 items, 10 in all, 0 in some only");
		Path folder = this.workspace.path("output/compare/both-ai_tiny-vs-ai_tiny2");
		JsonNode json = JSON.readTree(folder.resolve("compare.json").toFile());
		assertThat(json.path("runs")).extracting((r) -> r.path("model").asString()).containsExactly("ai/tiny", "ai/tiny2");
		assertThat(json.path("runs")).extracting((r) -> r.path("label").asString()).containsExactly("ai/tiny", "ai/tiny2");
		assertThat(json.path("runs").get(0).path("id").asLong()).isEqualTo(json.path("runs").get(1).path("id").asLong());
		for (JsonNode item : json.path("items")) {
			String id = item.path("id").asString();
			assertThat(item.path("answers").path("ai/tiny").asString()).isEqualTo(tiny.get(id));
			assertThat(item.path("answers").path("ai/tiny2").asString()).isEqualTo(tiny2.get(id));
			assertThat(item.path("distance").path("ai/tiny2").asDouble()).isCloseTo(distance(tiny.get(id), tiny2.get(id)),
					within(1e-9));
		}
		assertThat(json.path("items")).hasSize(10);
		Path html = folder.resolve("compare.html");
		try (HeadlessChromium chromium = new HeadlessChromium(this.dir.resolve("chromium"))) {
			chromium.open(html.toUri());
			assertThat(chromium.problems()).isEmpty();
		}
	}

	@Test
	void mistakesAreOneSentenceAndExitTwo() throws Exception {
		run(4, PROMPT, "one");
		run(8, PROMPT, "two");
		this.workspace.file("input/other.jsonl", "{\"id\": \"item-1\", \"title\": \"apples\"}\n");
		this.workspace.file("jobs/answers.yaml", JOB.formatted(4, PROMPT));
		assertThat(Dmr.run(this.workspace, LocalRunner.baseUrl(), "job=answers", "input=input/other.jsonl", "run=other")
			.exitCode()).isZero();

		assertMistake(Dmr.run(this.workspace, null, "job=compare", "run=one", "run=nope"),
				"error: there is no run labelled 'nope' (job=runs lists them)");
		assertMistake(Dmr.run(this.workspace, null, "job=compare", "run=one", "run=one"),
				"error: run=one names run 1 again: a run is compared with another run, not with itself");
		assertMistake(Dmr.run(this.workspace, null, "job=compare", "run=one", "run=other"),
				"error: run other (id 3) read input/other.jsonl but run one (id 1) read input/items.jsonl: job=compare "
						+ "compares runs of the same input");
		assertMistake(Dmr.run(this.workspace, null, "job=compare", "run=one"),
				"error: run one (id 1) answered with one model (ai/tiny): give another run=<id|label> to compare it with");
		assertMistake(Dmr.run(this.workspace, null, "job=compare"),
				"error: job=compare needs run=<id|label> twice or more, or once for a run made with several models "
						+ "(job=runs lists them)");
		Dmr.Result taken = Dmr.run(this.workspace, null, "job=compare", "run=one", "run=two",
				"output=output/answers/one");
		assertThat(taken.exitCode()).as(taken.toString()).isEqualTo(2);
		assertThat(taken.err().strip()).startsWith("error: output folder ").contains("holds the exports of answers run one")
			.doesNotContain("\n");
		assertThat(this.workspace.path("output/answers/one/compare.json")).doesNotExist();
		assertMistake(Dmr.run(this.workspace, null, "job=show", "run=one", "run=two"),
				"error: argument run= is given twice (only job=compare takes several runs)");
	}

	/** The job file's checks: an answer of at most 12 characters passes the first, of 13 or more the second. */
	private static final String[] CHECKS = { "answer.short", "answer.long" };

	private static Map<String, Map<String, Boolean>> verdicts(Map<String, String> answers) {
		Map<String, Map<String, Boolean>> verdicts = new LinkedHashMap<>();
		answers.forEach((id, answer) -> {
			int length = answer.codePointCount(0, answer.length());
			verdicts.put(id, Map.of(CHECKS[0], length <= 12, CHECKS[1], length > 12));
		});
		return verdicts;
	}

	private static void assertMistake(Dmr.Result result, String message) {
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
		assertThat(result.err().strip()).isEqualTo(message);
		assertThat(result.out()).isEmpty();
	}

	/** Each item's answer with a model, from a run's results.jsonl, in input order. */
	private Map<String, String> answers(String jsonl, String model) throws Exception {
		Map<String, String> answers = new LinkedHashMap<>();
		for (String line : Files.readAllLines(this.workspace.path(jsonl))) {
			JsonNode item = JSON.readTree(line);
			if (item.path("model").asString().equals(model)) {
				assertThat(item.path("status").asString()).isEqualTo("ok");
				answers.put(item.path("id").asString(), item.path("steps").path("answer").asString());
			}
		}
		return answers;
	}

	private static List<String> strings(JsonNode array) {
		List<String> strings = new ArrayList<>();
		array.forEach((node) -> strings.add(node.asString()));
		return strings;
	}

	/** The normalised Levenshtein distance, by the full table over code points: the textbook definition. */
	private static double distance(String a, String b) {
		int[] x = a.codePoints().toArray();
		int[] y = b.codePoints().toArray();
		int[][] d = new int[x.length + 1][y.length + 1];
		for (int i = 0; i <= x.length; i++) {
			for (int j = 0; j <= y.length; j++) {
				d[i][j] = (i == 0) ? j : (j == 0) ? i
						: Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1),
								d[i - 1][j - 1] + ((x[i - 1] == y[j - 1]) ? 0 : 1));
			}
		}
		int longer = Math.max(x.length, y.length);
		return (longer == 0) ? 0 : (double) d[x.length][y.length] / longer;
	}

}
