package dev.dmrbatch.plugin;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import dev.dmrbatch.plugin.fixture.FragilePlugin;
import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.DmrProcess;
import dev.dmrbatch.support.FaultProxy;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;
import org.dhatim.fastexcel.reader.Cell;
import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.dhatim.fastexcel.reader.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example plugin (examples/xlsx-plugin, built by the same reactor before these tests) in a working folder's
 * plugins/, used by real runs against the real runner: its input format, step type, check type and export; a run
 * killed with kill -9 and resumed; job=export; job=plugins; jars that cannot be used.
 */
@ExtendWith(WorkspaceExtension.class)
class PluginsIT {

	/**
	 * The example plugin's jar: the build names the one the reactor just built (the application's test dependency on
	 * the example, so {@code -pl dmr-batch-app -am} builds it too); else where the reactor builds it.
	 */
	static final Path EXAMPLE_JAR = Path.of(System.getProperty("dmr.test.example-plugin",
			"examples/xlsx-plugin/target/dmr-batch-xlsx-plugin.jar"));

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** As in ReliabilityIT: what a crash may cost at the default settings, at most. */
	private static final int MAX_RESENT = 18;

	Workspace workspace;

	FaultProxy proxy;

	@BeforeEach
	void setUp() throws IOException {
		assertThat(EXAMPLE_JAR).as("the example plugin's jar: ./mvnw verify -pl dmr-batch-app -am builds it")
			.isRegularFile();
		Files.createDirectories(this.workspace.path("plugins"));
		Files.copy(EXAMPLE_JAR, this.workspace.path("plugins/xlsx.jar"));
		this.proxy = new FaultProxy(LocalRunner.baseUrl());
	}

	@AfterEach
	void tearDown() {
		this.proxy.close();
	}

	@Test
	void aJobReadsAWorkbookTidiesChecksAndExportsOneAndJobExportWritesItAgain() throws Exception {
		// given: a workbook whose texts have stray white space, and one row without a text
		List<List<Object>> rows = new ArrayList<>();
		for (int i = 1; i <= 12; i++) {
			rows.add(List.of("r" + i, (i == 5) ? "" : "  text\t number  " + i + "\n", i * 10));
		}
		workbook("input/items.xlsx", "items", List.of("id", "text", "score"), rows);
		this.workspace.file("jobs/sheet.yaml", """
				input: { format: xlsx, path: input/items.xlsx, id: id, options: { sheet: items } }
				model: { name: ai/tiny, max_tokens: 8, temperature: 0, seed: 7 }
				steps:
				  - name: clean
				    type: tidy
				    options: { field: text, required: true, max-chars: 40 }
				  - name: answer
				    prompt: "Item ${record.id}: ${steps.clean} (score ${score})"
				    checks:
				      - { name: short, type: word-count, options: { max: 1000 } }
				      - { name: long, type: word-count, options: { min: 1000 } }
				export: [jsonl, xlsx]
				export-options: { xlsx: { sheet: answers } }
				""");

		// when
		Dmr.Result run = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=sheet");

		// then: row 5 fails at the plugin's step, as a model error fails an item; the others are answered
		assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
		assertThat(run.out()).contains("sheet run 1 COMPLETED: 12 items, 11 ok, 1 failed");
		List<Map<String, Object>> results = results("output/sheet/run-1/results.jsonl");
		assertThat(results).extracting((r) -> r.get("id"))
			.containsExactlyElementsOf(IntStream.rangeClosed(1, 12).mapToObj((i) -> "r" + i).toList());
		Map<String, Object> failed = results.get(4);
		assertThat(failed.get("status")).isEqualTo("failed");
		assertThat(failed.get("error")).isEqualTo("step clean: step type tidy (plugins/xlsx.jar): item r5 has no text "
				+ "in field 'text'");
		assertThat(this.proxy.forwardedPerItem()).hasSize(11).doesNotContainKey("r5");
		// the step's output is what the next step's prompt saw, and the step's answer in the results
		assertThat(steps(results.get(0))).containsEntry("clean", "text number 1");
		assertThat(this.proxy.chatBodies()).anyMatch((body) -> body.contains("Item r12: text number 12 (score 120)"));
		// the plugin's checks judged every answer
		for (Map<String, Object> result : results) {
			if (result.get("status").equals("ok")) {
				assertThat(result.get("checks").toString()).contains("answer.short={pass=true")
					.contains("answer.long={pass=false, reason=" + words(result) + " words, fewer than 1000}");
			}
		}
		// results.xlsx holds what results.jsonl holds
		Path xlsx = this.workspace.path("output/sheet/run-1/results.xlsx");
		assertThat(run.out()).contains(xlsx.toString());
		assertSameAsJsonl(xlsx, results);

		// when: written again from the store by job=export
		Files.delete(xlsx);
		Dmr.Result again = Dmr.run(this.workspace, null, "job=export", "run=1", "export=xlsx");

		// then
		assertThat(again.exitCode()).as(again.toString()).isZero();
		assertThat(again.out()).contains("exports: " + xlsx);
		assertSameAsJsonl(xlsx, results);
	}

	@Test
	void whatAPluginThrowsFailsOneItemOrCheckOrTheExportNamingItsJarAndAStepsOutputIsNoChatMessage()
			throws Exception {
		// given: a plugin whose step throws an AssertionError on r2, whose check a StackOverflowError on r3, whose
		// export an IllegalStateException as it writes r3
		PluginsTest.jar(this.workspace.path("plugins/fragile.jar"), FragilePlugin.class, FragilePlugin.Step.class,
				FragilePlugin.Check.class, FragilePlugin.Writes.class, Class.forName(FragilePlugin.class.getName() + "$Writes$1"));
		this.workspace.file("input/items.csv", "id,text\nr1,one\nr2,two\nr3,three\n");
		this.workspace.file("jobs/fragile.yaml", """
				input: { format: csv, path: input/items.csv, id: id }
				model: { name: ai/tiny, max_tokens: 4, temperature: 0, seed: 7 }
				steps:
				  - { name: pre, type: fragile }
				  - name: answer
				    prompt: "Item ${record.id}: ${steps.pre?length} chars"
				    checks: [{ name: sure, type: fragile }]
				export: [jsonl]
				""");

		// when
		Dmr.Result run = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=fragile");

		// then: the run finishes; r2 fails at the plugin's step, r3's check fails, naming the jar
		assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
		assertThat(run.out()).contains("fragile run 1 COMPLETED: 3 items, 2 ok, 1 failed");
		List<Map<String, Object>> results = results("output/fragile/run-1/results.jsonl");
		assertThat(results.get(1).get("error")).isEqualTo("step pre: step type fragile (plugins/fragile.jar) failed: "
				+ "AssertionError: the step gave up on r2");
		assertThat(results.get(2).get("checks").toString()).contains("answer.sure={pass=false, reason=check type "
				+ "fragile (plugins/fragile.jar) failed: StackOverflowError}");
		assertThat(results.get(0).get("checks").toString()).contains("answer.sure={pass=true");
		// the step's output is its answer, and no message: the model never gave it
		assertThat(steps(results.get(0))).containsEntry("pre", "kept one");
		@SuppressWarnings("unchecked")
		List<Map<String, Object>> messages = (List<Map<String, Object>>) results.get(0).get("messages");
		assertThat(messages).extracting((m) -> m.get("role")).containsExactly("user", "assistant");
		assertThat(messages.get(0).get("content")).isEqualTo("Item r1: 8 chars");

		// and: a check type that is neither built in nor a plugin's is refused with both lists
		this.workspace.file("jobs/typo.yaml", """
				input: { format: csv, path: input/items.csv, id: id }
				steps: [{ name: a, prompt: hi, checks: [{ name: c, type: fragil }] }]
				""");
		Dmr.Result typo = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=typo");
		assertThat(typo.exitCode()).as(typo.toString()).isEqualTo(2);
		assertThat(typo.err()).contains("type 'fragil' is not one of contains, ").contains(", judge, latency, tokens, similar, fragile");

		// when: a chat goes on with r1's conversation (no new turn typed)
		java.io.InputStream stdin = System.in;
		System.setIn(new java.io.ByteArrayInputStream(new byte[0]));
		Dmr.Result chat;
		try {
			chat = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=chat", "continue=1:r1", "--lines");
		}
		finally {
			System.setIn(stdin);
		}

		// then: the history shown and continued holds the prompt and the model's answer, not the step's output
		assertThat(chat.exitCode()).as(chat.toString()).isZero();
		assertThat(chat.err()).contains("> Item r1: 8 chars").doesNotContain("kept one");

		// when: the plugin's export written again by job=export
		Dmr.Result export = Dmr.run(this.workspace, null, "job=export", "run=1", "export=fragile");

		// then: an export failure naming the export, the jar and the item
		assertThat(export.exitCode()).as(export.toString()).isEqualTo(5);
		assertThat(export.err().strip()).isEqualTo("error: job=export of fragile run 1 failed: export fragile "
				+ "(plugins/fragile.jar) writing item r3 failed: IllegalStateException: export blew up");
	}

	@Test
	void killDashNineMidRunThenTheSameCommandResumesThePluginsInputExactly() throws Exception {
		// given
		List<List<Object>> rows = new ArrayList<>();
		for (int i = 1; i <= 400; i++) {
			rows.add(List.of("r" + i, "text " + i));
		}
		workbook("input/items.xlsx", "Sheet1", List.of("id", "text"), rows);
		this.workspace.file("jobs/items.yaml", """
				input: { format: xlsx, path: input/items.xlsx, id: id }
				model: { name: ai/tiny, max_tokens: 8 }
				export: [jsonl]
				steps:
				  - name: answer
				    prompt: "Item ${record.id}: ${text}"
				""");
		DmrProcess first = DmrProcess.start(this.workspace, this.proxy.baseUrl(), "job=items");
		first.awaitRequests(this.proxy::forwarded, 150);

		// when: kill -9, then the same command
		first.kill();
		int sentBeforeTheCrash = this.proxy.forwarded();
		Dmr.Result resumed = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=items");

		// then: every row once, in order, none read twice nor skipped; only the uncommitted ones were sent again
		assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
		assertThat(resumed.err()).contains("resuming run 1 of items");
		assertThat(resumed.out()).contains("items run 1 COMPLETED: 400 items, 400 ok, 0 failed");
		List<Map<String, Object>> results = results("output/items/run-1/results.jsonl");
		assertThat(results).extracting((r) -> r.get("id"))
			.containsExactlyElementsOf(IntStream.rangeClosed(1, 400).mapToObj((i) -> "r" + i).toList());
		assertThat(results).extracting((r) -> r.get("status")).containsOnly("ok");
		Map<String, Integer> perItem = this.proxy.forwardedPerItem();
		assertThat(perItem).hasSize(400);
		assertThat(perItem.values()).allMatch((n) -> n <= 2);
		int resent = this.proxy.forwarded() - 400;
		assertThat(resent).as("requests sent again after the crash (%d sent before it)", sentBeforeTheCrash)
			.isBetween(0, MAX_RESENT);
		// what was sent again is one run of rows right after the last committed one: the restart position is exact
		TreeSet<Integer> twice = new TreeSet<>();
		perItem.forEach((id, n) -> {
			if (n == 2) {
				twice.add(Integer.parseInt(id.substring(1)));
			}
		});
		if (!twice.isEmpty()) {
			assertThat(twice.last() - twice.first() + 1).as("rows sent twice: %s", twice).isEqualTo(twice.size());
		}
	}

	@Test
	void jobPluginsListsEachJarItsVersionAndWhatItProvides() {
		Dmr.Result listed = Dmr.run(this.workspace, null, "job=plugins");

		assertThat(listed.exitCode()).as(listed.toString()).isZero();
		assertThat(listed.out()).contains("plugins/xlsx.jar  xlsx-example 1.0.0  input formats: xlsx; exports: xlsx; "
				+ "check types: word-count; step types: tidy");
	}

	@Test
	void foldersInDmrPluginsPathAreSearchedTooAndOneThatDoesNotExistIsNamed() throws Exception {
		Files.createDirectories(this.workspace.path("shared"));
		Files.move(this.workspace.path("plugins/xlsx.jar"), this.workspace.path("shared/xlsx.jar"));

		Dmr.Result listed = Dmr.run(this.workspace, null, "job=plugins", "--dmr.plugins.path=shared");
		Dmr.Result missing = Dmr.run(this.workspace, null, "job=plugins", "--dmr.plugins.path=shared,gone");

		assertThat(listed.exitCode()).as(listed.toString()).isZero();
		assertThat(listed.out()).contains("shared/xlsx.jar  xlsx-example 1.0.0");
		assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(2);
		assertThat(missing.err().strip()).isEqualTo("error: dmr.plugins.path: folder gone does not exist");
	}

	@Test
	void aJarThatIsNotAZipIsOneSentenceNamingItAndExit2() throws Exception {
		this.workspace.file("plugins/broken.jar", "not a jar");
		this.workspace.file("jobs/j.yaml", "input: { format: xlsx, path: x.xlsx }\nsteps: [{ name: a, prompt: hi }]\n");

		for (String job : List.of("job=plugins", "job=j")) {
			Dmr.Result result = Dmr.run(this.workspace, this.proxy.baseUrl(), job);

			assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
			assertThat(result.err().strip()).isEqualTo("error: plugin jar plugins/broken.jar cannot be read as a jar "
					+ "(zip END header not found)");
		}
		assertThat(this.proxy.chatRequests()).isZero();
	}

	@Test
	void aJarWhoseServiceClassIsMissingIsOneSentenceNamingItAndExit2() throws Exception {
		try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(this.workspace.path("plugins/empty.jar")))) {
			zip.putNextEntry(new ZipEntry("META-INF/services/dev.dmrbatch.plugin.api.Plugin"));
			zip.write("com.example.Gone\n".getBytes());
			zip.closeEntry();
		}

		Dmr.Result result = Dmr.run(this.workspace, null, "job=plugins");

		assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
		assertThat(result.err().strip()).isEqualTo("error: plugin jar plugins/empty.jar names the plugin class "
				+ "com.example.Gone in META-INF/services/dev.dmrbatch.plugin.api.Plugin, which is not in the jar");
	}

	@Test
	void twoJarsProvidingTheSameNameAreRefusedNamingBothAndExit2() throws Exception {
		Files.copy(EXAMPLE_JAR, this.workspace.path("plugins/another.jar"));

		Dmr.Result result = Dmr.run(this.workspace, null, "job=plugins");

		assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
		assertThat(result.err().strip()).isEqualTo("error: plugin jars plugins/another.jar and plugins/xlsx.jar both "
				+ "provide the input format 'xlsx': remove one of them");
	}

	@Test
	void aJobWithoutPluginsStillRunsWhenThePluginsFolderIsEmptyOrAbsent() throws Exception {
		Files.delete(this.workspace.path("plugins/xlsx.jar"));
		this.workspace.file("input/items.csv", "id,text\nr1,one\n");
		this.workspace.file("jobs/plain.yaml", """
				input: { format: csv, path: input/items.csv, id: id }
				model: { name: ai/tiny, max_tokens: 4 }
				export: [jsonl]
				steps:
				  - name: answer
				    prompt: "Item ${record.id}: ${text}"
				""");
		assertThat(Dmr.run(this.workspace, this.proxy.baseUrl(), "job=plain").exitCode()).isZero();

		// and a job naming the plugin's format without the plugin says what the formats are
		this.workspace.file("jobs/sheet.yaml", """
				input: { format: xlsx, path: input/items.csv }
				steps: [{ name: a, prompt: hi }]
				""");
		Dmr.Result missing = Dmr.run(this.workspace, this.proxy.baseUrl(), "job=sheet");
		assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(2);
		assertThat(missing.err().strip()).isEqualTo("error: job file jobs/sheet.yaml: input.format 'xlsx' is not one "
				+ "of csv, jsonl, json, text, pdf, html, files, images");
	}

	// --- helpers

	private void workbook(String relative, String sheetName, List<String> header, List<List<Object>> rows)
			throws IOException {
		Path file = this.workspace.path(relative);
		Files.createDirectories(file.getParent());
		try (OutputStream out = Files.newOutputStream(file)) {
			Workbook workbook = new Workbook(out, "test", "1.0");
			Worksheet sheet = workbook.newWorksheet(sheetName);
			for (int c = 0; c < header.size(); c++) {
				sheet.value(0, c, header.get(c));
			}
			for (int r = 0; r < rows.size(); r++) {
				for (int c = 0; c < rows.get(r).size(); c++) {
					Object value = rows.get(r).get(c);
					if (value instanceof Number number) {
						sheet.value(r + 1, c, number);
					}
					else {
						sheet.value(r + 1, c, String.valueOf(value));
					}
				}
			}
			workbook.finish();
		}
	}

	@SuppressWarnings("unchecked")
	private List<Map<String, Object>> results(String relative) throws IOException {
		return Files.readAllLines(this.workspace.path(relative))
			.stream()
			.map((line) -> (Map<String, Object>) JSON.readValue(line, Map.class))
			.toList();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> steps(Map<String, Object> result) {
		return (Map<String, Object>) result.get("steps");
	}

	private static long words(Map<String, Object> result) {
		String answer = String.valueOf(steps(result).get("answer")).strip();
		return answer.isEmpty() ? 0 : answer.split("\\s+").length;
	}

	/** Every cell of results.xlsx's sheet "answers" is the value results.jsonl has for that item and column. */
	@SuppressWarnings("unchecked")
	private static void assertSameAsJsonl(Path xlsx, List<Map<String, Object>> results) throws IOException {
		List<List<String>> cells = new ArrayList<>();
		try (ReadableWorkbook workbook = new ReadableWorkbook(xlsx.toFile());
				Stream<Row> rows = workbook.findSheet("answers").orElseThrow().openStream()) {
			rows.forEach((row) -> {
				List<String> values = new ArrayList<>();
				for (int c = 0; c < 8; c++) {
					Cell cell = (c < row.getCellCount()) ? row.getCell(c) : null;
					values.add((cell == null || cell.getRawValue() == null) ? "" : cell.getText());
				}
				cells.add(values);
			});
		}
		assertThat(cells.get(0)).containsExactly("id", "status", "error", "model", "clean", "answer", "prompt_tokens",
				"completion_tokens");
		List<List<String>> expected = new ArrayList<>();
		for (Map<String, Object> result : results) {
			Map<String, Object> steps = steps(result);
			Map<String, Object> usage = (Map<String, Object>) result.get("usage");
			Map<String, Object> row = new LinkedHashMap<>();
			row.put("id", result.get("id"));
			row.put("status", result.get("status"));
			row.put("error", (result.get("error") != null) ? result.get("error") : "");
			row.put("model", result.get("model"));
			row.put("clean", steps.getOrDefault("clean", ""));
			row.put("answer", steps.getOrDefault("answer", ""));
			row.put("prompt_tokens", usage.get("prompt_tokens"));
			row.put("completion_tokens", usage.get("completion_tokens"));
			expected.add(row.values().stream().map(String::valueOf).toList());
		}
		assertThat(cells.subList(1, cells.size())).containsExactlyElementsOf(expected);
	}

}
