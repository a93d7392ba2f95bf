package dev.dmrbatch.check;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.FaultProxy;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks on every answer against the real runner at temperature 0 with a seed and one request at a time, so a job's
 * answers repeat from one run to the next: the checks are written from the answers of a first run, and every
 * verdict is recomputed by the test from the answers the checked run stored.
 */
class ChecksIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** The answering steps every job here has, so their answers are the same in every run. */
	private static final String STEPS = """
			input: { format: jsonl, path: input/tickets.jsonl, id: id }
			model: { name: ai/tiny, max_tokens: 12, temperature: 0, seed: 7 }
			concurrency: 1
			export: [jsonl, csv, markdown, text]
			steps:
			  - name: answer
			    prompt: "Ticket ${record.id}: ${text}"
			""";

	private static final String EXTRACT = """
			  - name: extract
			    prompt: "Name and total for ${text}"
			    max_tokens: 60
			    response_format: json_schema
			    schema:
			      type: object
			      properties:
			        name: { type: string, pattern: "^[a-z]{1,6}$" }
			        total: { type: integer, minimum: 0, maximum: 99 }
			      required: [name, total]
			      additionalProperties: false
			""";

	@TempDir
	Path dir;

	Workspace workspace;

	@BeforeEach
	void setUp() {
		this.workspace = new Workspace(this.dir);
		tickets("unknown", "unknown", "unknown", "unknown");
	}

	private void tickets(String... labels) {
		String[] texts = { "my invoice is wrong", "cannot log in", "the app crashes on start", "refund please" };
		StringBuilder jsonl = new StringBuilder();
		for (int i = 0; i < texts.length; i++) {
			jsonl.append(JSON.writeValueAsString(Map.of("id", "t" + (i + 1), "text", texts[i], "label", labels[i])))
				.append('\n');
		}
		this.workspace.file("input/tickets.jsonl", jsonl.toString());
	}

	private List<JsonNode> results(String folder) throws Exception {
		List<JsonNode> items = new ArrayList<>();
		for (String line : Files.readAllLines(this.workspace.path(folder).resolve("results.jsonl"))) {
			items.add(JSON.readTree(line));
		}
		return items;
	}

	private static String yamlString(String value) {
		return JSON.writeValueAsString(value);
	}

	@Test
	void everyCheckTypePassesAndFailsAsTheStoredAnswersSay() throws Exception {
		// given: the answers of a first run, without checks
		this.workspace.file("jobs/first.yaml", "name: first\n" + STEPS + EXTRACT);
		Dmr.Result firstRun = Dmr.run(this.workspace, LocalRunner.baseUrl(), "job=first", "output=first");
		assertThat(firstRun.exitCode()).as(firstRun.toString()).isZero();
		assertThat(firstRun.out()).doesNotContain("check ");
		JsonNode first = results("first").get(0);
		String answer = first.path("steps").path("answer").asString();
		JsonNode extracted = first.path("json").path("extract");
		assertThat(answer).isNotBlank();
		String word = answer.strip().substring(0, Math.min(4, answer.strip().length()));
		// labelled data: the first ticket's label is its answer (in another case), the others' are not
		tickets(answer.strip().toUpperCase(Locale.ROOT), "billing", "login", "crash");

		// and: a job with the same steps and a check of every type, written from those answers
		this.workspace.file("jobs/checked.yaml", "name: checked\n" + STEPS + """
				    checks:
				      - { name: has-word, type: contains, value: %1$s }
				      - { name: has-word-any-case, type: contains, value: %2$s, ignore-case: true }
				      - { name: has-snowman, type: contains, value: "☃" }
				      - { name: no-snowman, type: not-contains, value: "☃" }
				      - { name: no-word, type: not-contains, value: %1$s }
				      - { name: is-first, type: equals, value: %3$s, trim: true }
				      - { name: is-never, type: equals, value: "never this" }
				      - { name: among, type: one-of, values: [%3$s, "other"], trim: true }
				      - { name: among-never, type: one-of, values: ["other", "else"] }
				      - { name: starts, type: regex, pattern: %4$s }
				      - { name: empty, type: regex, pattern: "\\\\A\\\\z" }
				      - { name: some-chars, type: length, min: 1, max: 1000 }
				      - { name: long, type: length, min: 1000 }
				      - { name: no-words, type: length, max: 0, unit: words }
				      - { name: label, type: expected, value: "${label}", ignore-case: true }
				""".formatted(yamlString(word), yamlString(word.toUpperCase(Locale.ROOT)), yamlString(answer.strip()),
				yamlString("^" + Pattern.quote(word))) + EXTRACT + """
				    checks:
				      - { name: has-name, type: json-path, path: $.name, exists: true }
				      - { name: has-extra, type: json-path, path: $.extra, exists: true }
				      - { name: name-is, type: json-path, path: $.name, equals: %1$s }
				      - { name: total-in, type: json-path, path: $.total, in: [%2$s, -1] }
				      - { name: total-never, type: json-path, path: $.total, equals: 1000 }
				""".formatted(yamlString(extracted.path("name").asString()), extracted.path("total").asInt()));

		// when
		Dmr.Result run = Dmr.run(this.workspace, LocalRunner.baseUrl(), "job=checked", "output=checked");

		// then: no gate, so the run passes whatever its verdicts
		assertThat(run.exitCode()).as(run.toString()).isZero();
		List<JsonNode> items = results("checked");
		assertThat(items).hasSize(4);
		Map<String, Predicate<JsonNode>> expected = new LinkedHashMap<>();
		String label = answer.strip().toUpperCase(Locale.ROOT);
		List<String> labels = List.of(label, "billing", "login", "crash");
		expected.put("answer.has-word", (item) -> text(item).contains(word));
		expected.put("answer.has-word-any-case",
				(item) -> text(item).toLowerCase(Locale.ROOT).contains(word.toLowerCase(Locale.ROOT)));
		expected.put("answer.has-snowman", (item) -> text(item).contains("☃"));
		expected.put("answer.no-snowman", (item) -> !text(item).contains("☃"));
		expected.put("answer.no-word", (item) -> !text(item).contains(word));
		expected.put("answer.is-first", (item) -> text(item).strip().equals(answer.strip()));
		expected.put("answer.is-never", (item) -> text(item).equals("never this"));
		expected.put("answer.among", (item) -> List.of(answer.strip(), "other").contains(text(item).strip()));
		expected.put("answer.among-never", (item) -> List.of("other", "else").contains(text(item)));
		expected.put("answer.starts", (item) -> Pattern.compile("^" + Pattern.quote(word)).matcher(text(item)).find());
		expected.put("answer.empty", (item) -> text(item).isEmpty());
		expected.put("answer.some-chars",
				(item) -> between(text(item).codePointCount(0, text(item).length()), 1, 1000));
		expected.put("answer.long", (item) -> text(item).codePointCount(0, text(item).length()) >= 1000);
		expected.put("answer.no-words", (item) -> text(item).isBlank());
		expected.put("answer.label", (item) -> text(item).strip()
			.equalsIgnoreCase(labels.get(Integer.parseInt(item.path("id").asString().substring(1)) - 1)));
		expected.put("extract.has-name", (item) -> json(item).has("name"));
		expected.put("extract.has-extra", (item) -> json(item).has("extra"));
		expected.put("extract.name-is", (item) -> json(item).path("name").asString().equals(extracted.path("name")
			.asString()));
		expected.put("extract.total-in", (item) -> json(item).path("total").asInt() == extracted.path("total").asInt()
				|| json(item).path("total").asInt() == -1);
		expected.put("extract.total-never", (item) -> json(item).path("total").asInt() == 1000);

		for (JsonNode item : items) {
			assertThat(item.path("status").asString()).isEqualTo("ok");
			JsonNode checks = item.path("checks");
			assertThat(checks.propertyNames()).containsExactlyElementsOf(expected.keySet());
			expected.forEach((key, pass) -> {
				assertThat(checks.path(key).path("pass").asBoolean()).as("%s on %s: %s", key, item.path("id"),
						checks.path(key)).isEqualTo(pass.test(item));
				assertThat(checks.path(key).path("reason").asString()).isNotBlank();
			});
		}
		// every type both passed and failed somewhere (the first ticket passes what was written from its answers)
		Map<String, List<Boolean>> byType = new LinkedHashMap<>();
		String[] types = { "has-word", "contains", "has-word-any-case", "contains", "has-snowman", "contains",
				"no-snowman", "not-contains", "no-word", "not-contains", "is-first", "equals", "is-never", "equals",
				"among", "one-of", "among-never", "one-of", "starts", "regex", "empty", "regex", "some-chars", "length",
				"long", "length", "no-words", "length", "label", "expected", "has-name", "json-path", "has-extra",
				"json-path", "name-is", "json-path", "total-in", "json-path", "total-never", "json-path" };
		for (int i = 0; i < types.length; i += 2) {
			String name = types[i];
			String key = expected.keySet().stream().filter((k) -> k.endsWith("." + name)).findFirst().orElseThrow();
			for (JsonNode item : items) {
				byType.computeIfAbsent(types[i + 1], (t) -> new ArrayList<>()).add(expected.get(key).test(item));
			}
		}
		assertThat(byType).hasSize(8)
			.allSatisfy((type, verdicts) -> assertThat(verdicts).as(type).contains(true, false));

		// the summary has a line per check, counted from the same answers
		expected.forEach((key, pass) -> {
			long passed = items.stream().filter(pass).count();
			assertThat(run.out()).contains(String.format(Locale.ROOT, "check %s: %d/4 passed (%.1f%%)", key, passed,
					passed * 100.0 / 4));
		});
		// the other exports: a column per check, a line per check
		List<String> csv = Files.readAllLines(this.workspace.path("checked/results.csv"), StandardCharsets.UTF_8);
		assertThat(csv.get(0)).contains(",check:answer.has-word,check:answer.has-word-any-case,")
			.contains(",check:extract.total-never,prompt_tokens,");
		assertThat(csv.get(1)).contains(",pass,");
		String markdown = this.workspace.read("checked/results.md");
		assertThat(markdown).contains("- pass answer.has-word: contains '" + word + "'")
			.contains("- fail answer.is-never: ")
			.contains("| check answer.no-snowman | 4/4 passed (100.0%) |");
		assertThat(this.workspace.read("checked/results.txt")).contains("check answer.long: fail - ")
			.contains("check answer.no-snowman: 4/4 passed (100.0%)");
		// the answers are those of the first run: the checks were evaluated on known answers
		assertThat(text(items.get(0))).isEqualTo(answer);
	}

	@Test
	void aCheckBelowTheGateEndsTheRunWithExitSixNamingItAndFailedItemsComeFirst() throws Exception {
		// given: a gate for every check, one check below it, one with a lower rate of its own, one above
		this.workspace.file("jobs/gated.yaml", "name: gated\n" + STEPS + """
				    checks:
				      - { name: is-never, type: equals, value: "never this" }
				      - { name: lenient, type: equals, value: "never this", min-pass-rate: 0 }
				      - { name: no-snowman, type: not-contains, value: "☃" }
				gate: { min-pass-rate: 0.75 }
				""");

		// when
		Dmr.Result run = Dmr.run(this.workspace, LocalRunner.baseUrl(), "job=gated", "output=gated");

		// then: the counts the message gives are those of the stored answers
		List<JsonNode> items = results("gated");
		assertThat(items.stream().filter((item) -> text(item).equals("never this")).count()).isZero();
		assertThat(items.stream().filter((item) -> !text(item).contains("☃")).count()).isEqualTo(4);
		assertThat(run.exitCode()).as(run.toString()).isEqualTo(6);
		assertThat(run.err()).contains("error: finished; quality gate not met: answer.is-never 0/4 passed (0.0%), "
				+ "needs 75%\n")
			.doesNotContain("lenient")
			.doesNotContain("no-snowman");
		assertThat(run.out()).contains("gated run 1 COMPLETED: 4 items, 4 ok, 0 failed")
			.contains("check answer.is-never: 0/4 passed (0.0%)")
			.contains("check answer.lenient: 0/4 passed (0.0%)")
			.contains("check answer.no-snowman: 4/4 passed (100.0%)");
		assertThat(this.workspace.read("gated/dmr-batch.log")).contains("quality gate not met: answer.is-never");
		// the runs' list gives the exit code the run ended with
		Dmr.Result runs = Dmr.run(this.workspace, null, "job=runs", "--json");
		assertThat(JSON.readTree(runs.out()).get(0).path("exit_code").asInt()).as(runs.out()).isEqualTo(6);

		// when: the same checks on an input where an item fails
		this.workspace.file("input/failing.jsonl", "{\"id\": \"a\", \"text\": \"fine\"}\n{\"id\": \"b\"}\n");
		Dmr.Result failing = Dmr.run(this.workspace, LocalRunner.baseUrl(), "job=gated", "input=input/failing.jsonl",
				"output=failing");

		// then: the failed item decides the exit code; the gate is still reported
		assertThat(failing.exitCode()).as(failing.toString()).isEqualTo(3);
		assertThat(failing.out()).contains("2 items, 1 ok, 1 failed").contains("check answer.is-never: 0/1 passed");
		assertThat(failing.err()).contains("quality gate not met: answer.is-never 0/1 passed (0.0%)");
	}

	@Test
	void aJudgeAsksItsGraderAndItsVerdictIsWhatTheStoredGradeSays() throws Exception {
		// given: a judge graded by the second model, with settings of its own
		this.workspace.file("jobs/judged.yaml", "name: judged\n" + STEPS + """
				    checks:
				      - name: quality
				        type: judge
				        rubric: "Ticket: ${text}\\nReply: ${steps.answer}\\nIs the reply helpful?"
				        model: { name: ai/tiny2, max_tokens: 200, temperature: 0, seed: 3 }
				        pass-score: 3
				""");

		// when
		Dmr.Result run = Dmr.run(this.workspace, LocalRunner.baseUrl(), "job=judged", "output=judged");

		// then: each verdict is what the grader's stored reply implies
		assertThat(run.exitCode()).as(run.toString()).isZero();
		int passed = 0;
		try (Connection db = store(); Statement sql = db.createStatement()) {
			ResultSet verdicts = sql.executeQuery("select item_seq, passed, reason, judge_reply from dmr_check "
					+ "where run_id = 1 and evaluation = 0 and check_key = 'answer.quality' order by item_seq");
			int rows = 0;
			while (verdicts.next()) {
				rows++;
				String reply = verdicts.getString("judge_reply");
				assertThat(reply).as("the grader's reply is kept").isNotNull();
				JsonNode grade = parse(reply);
				boolean graded = grade != null && grade.path("score").isInt() && grade.path("reason").isString();
				if (graded) {
					int score = grade.path("score").asInt();
					assertThat(verdicts.getBoolean("passed")).as(reply).isEqualTo(score >= 3);
					assertThat(verdicts.getString("reason")).startsWith("score " + score + " of 5 (passes at 3): ");
					passed += (score >= 3) ? 1 : 0;
				}
				else {
					assertThat(verdicts.getBoolean("passed")).as(reply).isFalse();
					assertThat(verdicts.getString("reason")).startsWith("the grader's reply is not a grade: ");
				}
			}
			assertThat(rows).isEqualTo(4);
			// the grader's calls are the conversation's calls, with its model, counted in its tokens
			ResultSet calls = sql.executeQuery("select count(*) n, min(request_model) m, min(evaluation) e, "
					+ "sum(prompt_tokens) p from dmr_call where run_id = 1 and step = 'answer.quality'");
			calls.next();
			assertThat(calls.getInt("n")).isBetween(4, 12);
			assertThat(calls.getString("m")).isEqualTo("ai/tiny2");
			assertThat(calls.getInt("e")).isZero();
			assertThat(calls.getLong("p")).isPositive();
			ResultSet tokens = sql.executeQuery("select (select sum(prompt_tokens) from dmr_conversation where run_id = 1)"
					+ " c, (select sum(prompt_tokens) from dmr_call where run_id = 1) k");
			tokens.next();
			assertThat(tokens.getLong("c")).isEqualTo(tokens.getLong("k"));
		}
		assertThat(run.out()).contains(String.format(Locale.ROOT, "check answer.quality: %d/4 passed (%.1f%%)", passed,
				passed * 25.0));
		JsonNode item = results("judged").get(0);
		assertThat(item.path("checks").path("answer.quality").path("reason").asString()).isNotBlank();
		List<String> steps = new ArrayList<>();
		item.path("calls").forEach((call) -> steps.add(call.path("step").asString() + " " + call.path("model")
			.asString()));
		assertThat(steps).startsWith("answer ai/tiny", "answer.quality ai/tiny2");
		// the answer's own columns know nothing of the grader
		assertThat(Files.readAllLines(this.workspace.path("judged/results.csv")).get(0))
			.startsWith("\uFEFFid,status,error,model,answer,check:answer.quality,prompt_tokens");
	}

	/** The workspace's conversation store, read by the test itself. */
	@Test
	void jobCheckAsksTheGradersAsManyAtOnceAsTheJobsConcurrencyAndKeepsTheItemsOrder() throws Exception {
		// given: a finished run of a job that takes four requests at once
		this.workspace.file("jobs/parallel.yaml", "name: parallel\n" + STEPS.replace("concurrency: 1", "concurrency: 4"));
		Dmr.Result run = Dmr.run(this.workspace, LocalRunner.baseUrl(), "job=parallel", "run=r");
		assertThat(run.exitCode()).as(run.toString()).isZero();

		// when: a judge is added and the run is checked again through a proxy that sees the graders' requests
		this.workspace.file("jobs/parallel.yaml", "name: parallel\n" + STEPS.replace("concurrency: 1", "concurrency: 4")
				+ """
				    checks:
				      - name: quality
				        type: judge
				        rubric: "Is ${steps.answer} a good reply to ${text}?"
				        model: { name: ai/tiny2, max_tokens: 200, temperature: 0, seed: 3 }
				""");
		Dmr.Result check;
		int atOnce;
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			check = Dmr.run(this.workspace, proxy.baseUrl(), "job=check", "run=r");
			atOnce = proxy.mostChatsAtOnce();
			assertThat(proxy.chatRequests()).isBetween(4, 12);
		}

		// then: the graders were asked together, and every item has its verdict in the input's order
		assertThat(check.exitCode()).as(check.toString()).isZero();
		assertThat(atOnce).isBetween(2, 4);
		List<JsonNode> items = results("output/parallel/r");
		assertThat(items).extracting((item) -> item.path("id").asString()).containsExactly("t1", "t2", "t3", "t4");
		assertThat(items).allSatisfy((item) -> assertThat(item.path("checks").path("answer.quality").path("reason")
			.asString()).isNotEmpty());
	}

	private Connection store() throws Exception {
		return this.workspace.store();
	}

	private static JsonNode parse(String reply) {
		try {
			return JSON.readTree(reply);
		}
		catch (tools.jackson.core.JacksonException ex) {
			return null;
		}
	}

	@Test
	void jobCheckEvaluatesTheEditedChecksAgainOnTheStoredAnswers() throws Exception {
		// given: a run whose check passes nowhere
		this.workspace.file("jobs/edited.yaml", "name: edited\n" + STEPS + """
				    checks:
				      - { name: first, type: equals, value: "never this" }
				""");
		Dmr.Result run = Dmr.run(this.workspace, LocalRunner.baseUrl(), "job=edited", "run=before");
		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(run.out()).contains("check answer.first: 0/4 passed (0.0%)");
		List<JsonNode> before = results("output/edited/before");
		String answer = text(before.get(0)).strip();

		// when: the check is edited to the first answer, two checks are added, and the run is checked again
		this.workspace.file("jobs/edited.yaml", "name: edited\n" + STEPS + """
				    checks:
				      - { name: first, type: equals, value: %s, trim: true }
				      - { name: no-snowman, type: not-contains, value: "☃" }
				      - name: quality
				        type: judge
				        rubric: "Is ${steps.answer} a good reply to ${text}?"
				        model: { name: ai/tiny2, max_tokens: 200, temperature: 0, seed: 3 }
				""".formatted(yamlString(answer)));
		Dmr.Result check = Dmr.run(this.workspace, LocalRunner.baseUrl(), "job=check", "run=before");

		// then: the verdicts are those of the edited checks on the stored answers, which did not change
		assertThat(check.exitCode()).as(check.toString()).isZero();
		List<JsonNode> after = results("output/edited/before");
		long first = after.stream().filter((item) -> text(item).strip().equals(answer)).count();
		assertThat(first).isBetween(1L, 4L);
		assertThat(check.out()).contains("edited run before checked again (evaluation 1): 4 conversations, 3 checks")
			.contains(String.format(Locale.ROOT, "check answer.first: %d/4 passed (%.1f%%)", first, first * 25.0))
			.contains("check answer.no-snowman: 4/4 passed (100.0%)")
			.contains("exports: " + this.workspace.path("output/edited/before/results.jsonl"));
		for (int i = 0; i < 4; i++) {
			assertThat(after.get(i).path("steps")).isEqualTo(before.get(i).path("steps"));
			assertThat(after.get(i).path("checks").path("answer.first").path("pass").asBoolean())
				.isEqualTo(text(after.get(i)).strip().equals(answer));
			assertThat(after.get(i).path("checks").propertyNames()).containsExactly("answer.first",
					"answer.no-snowman", "answer.quality");
		}
		try (Connection db = store(); Statement sql = db.createStatement()) {
			ResultSet evaluations = sql.executeQuery("select evaluation, (select count(*) from dmr_check c where "
					+ "c.run_id = e.run_id and c.evaluation = e.evaluation and c.passed) passed from dmr_evaluation e "
					+ "where run_id = 1 order by evaluation");
			assertThat(evaluations.next()).isTrue();
			assertThat(evaluations.getInt("evaluation")).isZero();
			assertThat(evaluations.getInt("passed")).as("the run's own verdicts are kept").isZero();
			assertThat(evaluations.next()).isTrue();
			assertThat(evaluations.getInt("evaluation")).isOne();
			assertThat(evaluations.next()).isFalse();
			// the grader's calls are the conversations' too, marked with the evaluation that made them
			ResultSet calls = sql.executeQuery("select count(*) n, min(evaluation) e from dmr_call where run_id = 1 "
					+ "and step = 'answer.quality'");
			calls.next();
			assertThat(calls.getInt("n")).isBetween(4, 12);
			assertThat(calls.getInt("e")).isOne();
			ResultSet tokens = sql.executeQuery("select (select sum(prompt_tokens) from dmr_conversation where run_id = 1)"
					+ " c, (select sum(prompt_tokens) from dmr_call where run_id = 1) k");
			tokens.next();
			assertThat(tokens.getLong("c")).isEqualTo(tokens.getLong("k"));
		}

		// and: the run's exports written again later show the latest evaluation too
		Dmr.Result export = Dmr.run(this.workspace, null, "job=export", "run=before", "output=again");
		assertThat(export.exitCode()).as(export.toString()).isZero();
		assertThat(results("again").get(0).path("checks").path("answer.first").path("pass").asBoolean()).isTrue();
	}

	@Test
	void jobCheckRefusesARunWhoseInputChangedOrThatIsNotFinished() throws Exception {
		// given: a finished run, then a row put in before the others
		this.workspace.file("jobs/moved.yaml", "name: moved\n" + STEPS + """
				    checks:
				      - { name: label, type: expected, value: "${label}" }
				""");
		Dmr.Result run = Dmr.run(this.workspace, LocalRunner.baseUrl(), "job=moved", "run=r1");
		assertThat(run.exitCode()).as(run.toString()).isZero();
		String tickets = this.workspace.read("input/tickets.jsonl");
		this.workspace.file("input/tickets.jsonl", "{\"id\": \"t0\", \"text\": \"new\", \"label\": \"x\"}\n" + tickets);

		// when: checked again, each stored answer would meet another ticket's label
		Dmr.Result check = Dmr.run(this.workspace, LocalRunner.baseUrl(), "job=check", "run=r1");

		// then: refused, naming the input and the record, and nothing stored
		assertThat(check.exitCode()).as(check.toString()).isEqualTo(2);
		assertThat(check.err().strip()).isEqualTo("error: input input/tickets.jsonl changed since moved run r1: record 1 "
				+ "was 't1', it is 't0'; check the run against the input it was made from");
		assertThat(this.workspace.count("select count(*) from dmr_evaluation where evaluation > 0")).isZero();

		// and: a run that did not finish (it failed: the runner refused every request, no item may fail) is not checked
		this.workspace.file("input/tickets.jsonl", tickets);
		this.workspace.file("jobs/strict.yaml", "name: strict\nskip-limit: 0\n" + STEPS + """
				    checks:
				      - { name: label, type: expected, value: "${label}" }
				""");
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			proxy.faults((n) -> new FaultProxy.Status(400, "{\"error\": {\"message\": \"refused\"}}"));
			Dmr.Result failed = Dmr.run(this.workspace, proxy.baseUrl(), "job=strict", "run=r2");
			assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(5);
		}
		Dmr.Result unfinished = Dmr.run(this.workspace, LocalRunner.baseUrl(), "job=check", "run=r2");
		assertThat(unfinished.exitCode()).as(unfinished.toString()).isEqualTo(2);
		assertThat(unfinished.err()).contains("strict run r2 is FAILED, not finished");
	}

	@Test
	void aCheckThatCannotBeEvaluatedStopsTheRunBeforeAnythingIsSent() {
		this.workspace.file("jobs/broken.yaml", "name: broken\n" + STEPS + """
				    checks:
				      - { name: digits, type: regex, pattern: "[0-9" }
				""");
		Dmr.Result run = Dmr.run(this.workspace, "http://127.0.0.1:9/v1", "job=broken");
		assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
		assertThat(run.err()).contains("error: job file jobs/broken.yaml: step answer, check digits: pattern is not a "
				+ "regular expression: Unclosed character class")
			.doesNotContain("Exception")
			.doesNotContain("\tat ");
	}

	@Test
	void theSampleClassifyJobShowsItsAccuracyOverItsLabelledTickets() throws Exception {
		// given: the sample job and its labelled data as shipped
		this.workspace.file("jobs/classify.yaml", Files.readString(Path.of("jobs/classify.yaml")));
		this.workspace.file("input/tickets.csv", Files.readString(Path.of("input/tickets.csv")));
		Map<String, String> labels = new LinkedHashMap<>();
		for (String line : Files.readAllLines(Path.of("input/tickets.csv")).subList(1, 37)) {
			labels.put(line.substring(0, line.indexOf(',')), line.substring(line.lastIndexOf(',') + 1));
		}

		// when
		Dmr.Result run = Dmr.run(this.workspace, LocalRunner.baseUrl(), "job=classify", "model=ai/tiny");

		// then: the accuracy in the summary is that of the stored answers against the labels
		List<JsonNode> items = results("output/classify/run-1");
		assertThat(items).hasSize(36);
		long right = items.stream()
			.filter((item) -> item.path("steps").path("category").asString().strip()
				.equalsIgnoreCase(labels.get(item.path("id").asString())))
			.count();
		assertThat(run.out()).contains(String.format(Locale.ROOT, "check category.accuracy: %d/36 passed (%.1f%%)",
				right, right * 100.0 / 36));
		assertThat(run.out()).contains("check category.known-category: ").contains("check category.one-word: ");
		// a tiny model guesses: below 80% the gate is not met
		assertThat(run.exitCode()).as(run.toString()).isEqualTo((right >= 0.8 * 36) ? 0 : 6);
	}

	private static String text(JsonNode item) {
		return item.path("steps").path("answer").asString();
	}

	private static JsonNode json(JsonNode item) {
		return item.path("json").path("extract");
	}

	private static boolean between(int n, int min, int max) {
		return n >= min && n <= max;
	}

}
