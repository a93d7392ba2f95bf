package dev.dmrbatch.export;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import dev.dmrbatch.check.CheckStore;
import dev.dmrbatch.check.Evaluation;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.conversation.Verdict;
import dev.dmrbatch.support.JunitXml;
import dev.dmrbatch.support.Kinds;
import dev.dmrbatch.support.TestProperties;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/** The JUnit XML export read back: its suites, test cases and counts, and xmllint's word on it. */
class JunitExporterTest {

	@TempDir
	Path dir;

	ConversationStore store;

	CheckStore checkStore;

	Exports exports;

	@BeforeEach
	void setUp() {
		JdbcDataSource data = new JdbcDataSource();
		data.setURL("jdbc:h2:mem:" + this.dir.getFileName() + ";DB_CLOSE_DELAY=-1");
		data.setUser("sa");
		Flyway.configure().dataSource(data).locations("classpath:db/migration/common", "classpath:db/migration/h2")
			.load().migrate();
		this.store = new ConversationStore(new JdbcTemplate(data));
		this.checkStore = new CheckStore(new JdbcTemplate(data));
		this.exports = new Exports(this.store, this.checkStore, TestProperties.home(this.dir),
				Kinds.exportFormats(Kinds.plugins(TestProperties.home(this.dir))));
	}

	private static Conversation answered(long seq, String id, String model, String answer) {
		return Conversation.answered(seq, id, model,
				List.of(new Conversation.Turn("user", "label", "Label this"),
						new Conversation.Turn("assistant", "label", answer)),
				List.of(Conversation.Call.answered(0, "label").finishReason("stop").tokens(5, 2).latency(1250)
					.attempts(1).build()));
	}

	private RunRecord run(long id) {
		RunRecord run = new RunRecord(id, "classify", null, "input/items.csv", this.dir.resolve("out" + id).toString(),
				null, Instant.parse("2026-11-25T10:00:00Z"));
		this.store.registerRun(run);
		return run;
	}

	@Test
	void aTestCasePerItemAndCheckInASuitePerModelValidAgainstTheJunitSchema() throws Exception {
		RunRecord run = run(7);
		// an answer with control characters, a lone surrogate and markup: none may break the file
		String nasty = "spam \u001b[31m<b>&\"x\"</b>\u0000 end";
		this.store.saveAll(7, List.of(answered(1, "a<1>", "ai/tiny", "ham"), answered(1, "a<1>", "ai/tiny2", nasty),
				Conversation.failed(2, "b", "ai/tiny", "the runner answered 500\u0007", List.of(),
						List.of()),
				answered(2, "b", "ai/tiny2", "ham")));
		List<String> keys = List.of("label.expected", "label.short");
		Evaluation evaluation = this.checkStore.beginDuringRun(7, keys, null);
		this.checkStore.save(evaluation, 1, "ai/tiny", List.of(new Verdict("label.expected", true, "is 'ham'"),
				new Verdict("label.short", true, "3 chars")));
		this.checkStore.save(evaluation, 1, "ai/tiny2", List.of(
				new Verdict("label.expected", false, "'spam \u001b…' is not the expected 'ham'\ud800"),
				new Verdict("label.short", false, "40 chars, more than 10")));
		this.checkStore.save(evaluation, 2, "ai/tiny2", List.of(new Verdict("label.expected", true, "is 'ham'"),
				new Verdict("label.short", true, "3 chars")));

		List<Path> files = this.exports.write(run, List.of("junit"));

		Path file = this.dir.resolve("out7/junit.xml");
		assertThat(files).containsExactly(file);
		JunitXml.assertValid(file);
		String xml = Files.readString(file, StandardCharsets.UTF_8);
		assertThat(xml).doesNotContain("\u001b", "\u0000", "\u0007").contains("␛[31m");
		assertThat(Files.list(this.dir.resolve("out7"))).extracting((p) -> p.getFileName().toString())
			.containsExactly("junit.xml");
		Element root = parse(file).getDocumentElement();
		assertThat(root.getAttribute("tests")).isEqualTo("8");
		assertThat(root.getAttribute("failures")).isEqualTo("2");
		assertThat(root.getAttribute("errors")).isEqualTo("2");
		NodeList suites = root.getElementsByTagName("testsuite");
		assertThat(suites.getLength()).isEqualTo(2);
		Element tiny = (Element) suites.item(0);
		assertThat(tiny.getAttribute("name")).isEqualTo("ai/tiny");
		assertThat(tiny.getAttribute("tests")).isEqualTo("4");
		assertThat(tiny.getAttribute("errors")).isEqualTo("2");
		assertThat(tiny.getAttribute("failures")).isEqualTo("0");
		Element first = (Element) tiny.getElementsByTagName("testcase").item(0);
		assertThat(first.getAttribute("name")).isEqualTo("a<1>");
		assertThat(first.getAttribute("classname")).isEqualTo("label.expected");
		assertThat(first.getAttribute("time")).isEqualTo("1.250");
		assertThat(first.getElementsByTagName("system-out").item(0).getTextContent()).isEqualTo("ham");
		Element error = (Element) tiny.getElementsByTagName("error").item(0);
		assertThat(error.getAttribute("message")).isEqualTo("the runner answered 500␇");
		Element tiny2 = (Element) suites.item(1);
		assertThat(tiny2.getAttribute("name")).isEqualTo("ai/tiny2");
		assertThat(tiny2.getAttribute("failures")).isEqualTo("2");
		Element failure = (Element) tiny2.getElementsByTagName("failure").item(0);
		assertThat(failure.getAttribute("message")).isEqualTo("'spam ␛…' is not the expected 'ham'\ufffd");
		assertThat(tiny2.getElementsByTagName("system-out").item(0).getTextContent())
			.isEqualTo("spam ␛[31m<b>&\"x\"</b>␀ end");
	}

	@Test
	void whatXmlCannotHoldIsReplacedAndControlCharactersAreDrawn() {
		assertThat(JunitExporter.text("a\ud800b\udc00c\ufffe\uffff")).isEqualTo("a\ufffdb\ufffdc\ufffd\ufffd");
		assertThat(JunitExporter.text("emoji \ud83d\ude00, tab\tline\r\n")).isEqualTo("emoji \ud83d\ude00, tab\tline\r\n");
		assertThat(JunitExporter.text("bell\u0007 esc\u001b c1\u0085")).isEqualTo("bell␇ esc␛ c1[U+0085]");
		assertThat(JunitExporter.text(null)).isEmpty();
	}

	@Test
	void withoutChecksAnItemIsOneTestCasePassingWhenAnswered() throws Exception {
		RunRecord run = run(8);
		this.store.saveAll(8, List.of(answered(1, "a", "ai/tiny", "ham"),
				Conversation.failed(2, "b", "ai/tiny", "timed out", List.of(), List.of())));

		this.exports.write(run, List.of("junit"));

		Path file = this.dir.resolve("out8/junit.xml");
		JunitXml.assertValid(file);
		Element suite = (Element) parse(file).getElementsByTagName("testsuite").item(0);
		assertThat(suite.getAttribute("tests")).isEqualTo("2");
		assertThat(suite.getAttribute("errors")).isEqualTo("1");
		assertThat(suite.getAttribute("failures")).isEqualTo("0");
		Element ok = (Element) suite.getElementsByTagName("testcase").item(0);
		assertThat(ok.getAttribute("classname")).isEqualTo("classify");
		assertThat(ok.getElementsByTagName("error").getLength()).isZero();
	}

	@Test
	void checksOnSeveralStepsMakeASuitePerModelAndStep() throws Exception {
		RunRecord run = run(9);
		Conversation two = Conversation.answered(1, "a", "ai/tiny",
				List.of(new Conversation.Turn("assistant", "label", "ham"),
						new Conversation.Turn("assistant", "why", "because")),
				List.of(Conversation.Call.answered(0, "label").latency(5).build(),
						Conversation.Call.answered(1, "why").latency(7).build()));
		this.store.saveAll(9, List.of(two));
		Evaluation evaluation = this.checkStore.beginDuringRun(9, List.of("label.ok", "why.ok"), null);
		this.checkStore.save(evaluation, 1, "ai/tiny",
				List.of(new Verdict("label.ok", true, "fine"), new Verdict("why.ok", false, "too short")));

		this.exports.write(run, List.of("junit"));

		Path file = this.dir.resolve("out9/junit.xml");
		JunitXml.assertValid(file);
		NodeList suites = parse(file).getElementsByTagName("testsuite");
		assertThat(suites.getLength()).isEqualTo(2);
		assertThat(((Element) suites.item(0)).getAttribute("name")).isEqualTo("ai/tiny label");
		assertThat(((Element) suites.item(1)).getAttribute("name")).isEqualTo("ai/tiny why");
		assertThat(((Element) suites.item(1)).getAttribute("failures")).isEqualTo("1");
		assertThat(((Element) suites.item(1)).getElementsByTagName("system-out").item(0).getTextContent())
			.isEqualTo("because");
	}

	private static Document parse(Path file) throws Exception {
		DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
		factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
		return factory.newDocumentBuilder().parse(file.toFile());
	}

}
