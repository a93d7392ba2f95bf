package dev.dmrbatch.export;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.StoreFolder;
import dev.dmrbatch.conversation.Verdict;
import dev.dmrbatch.text.SafeText;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code junit.xml}: the run as JUnit XML, which CI systems show as test results. One test case per item and check
 * (one per item for a run without checks, passing when it was answered): a check that failed is a {@code failure}
 * with its reason, an item that was not answered an {@code error} with its error, the step's answer in
 * {@code system-out}. One test suite per model, and per model and step when the checks are on several steps.
 * Control characters are drawn as {@link SafeText#document} draws them and what XML 1.0 cannot hold (a lone
 * surrogate, U+FFFE, U+FFFF) becomes U+FFFD, so the file is always well-formed.
 * <p>
 * The conversations come in input order, the models mixed: each suite's test cases go to a temporary file of their
 * own, which {@link #finish()} copies into its suite once its counts are known, so memory stays flat.
 */
final class JunitExporter implements Exporter {

	static final String FILE = "junit.xml";

	/** The JDK's own writer, whatever other StAX implementation is on the class path. */
	private static final XMLOutputFactory XML = XMLOutputFactory.newDefaultFactory();

	private final Path folder;

	private final ExportRun facts;

	private final List<String> checkKeys;

	/** Whether the suites are per model and step rather than per model. */
	private final boolean byStep;

	private final Map<String, Suite> suites = new LinkedHashMap<>();

	JunitExporter(Path folder, ExportRun facts) {
		this.folder = folder;
		this.facts = facts;
		this.checkKeys = facts.checkKeys();
		this.byStep = this.checkKeys.stream().map(JunitExporter::stepOf).distinct().count() > 1;
	}

	@Override
	public void write(Conversation c) throws IOException {
		try {
			if (this.checkKeys.isEmpty()) {
				String step = this.facts.steps().isEmpty() ? null : this.facts.steps().get(this.facts.steps().size() - 1);
				suite(c.model(), null).testCase(c, this.facts.run().jobName(), step, null, false, this.facts.repeats());
				return;
			}
			Map<String, Verdict> verdicts = new LinkedHashMap<>();
			c.verdicts().forEach((verdict) -> verdicts.put(verdict.checkKey(), verdict));
			for (String key : this.checkKeys) {
				String step = stepOf(key);
				suite(c.model(), this.byStep ? step : null).testCase(c, key, step, verdicts.get(key), true,
						this.facts.repeats());
			}
		}
		catch (XMLStreamException ex) {
			throw new IOException(ex.getMessage(), ex);
		}
	}

	private Suite suite(String model, String step) throws IOException, XMLStreamException {
		String name = (step != null) ? model + " " + step : model;
		Suite suite = this.suites.get(name);
		if (suite == null) {
			suite = new Suite(name, this.folder);
			this.suites.put(name, suite);
		}
		return suite;
	}

	@Override
	public void finish() throws IOException {
		Path file = StoreFolder.privateFile(this.folder.resolve(FILE));
		try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
			XMLStreamWriter xml = XML.createXMLStreamWriter(out);
			xml.writeStartDocument("UTF-8", "1.0");
			xml.writeCharacters("\n");
			xml.writeStartElement("testsuites");
			xml.writeAttribute("name", text(this.facts.name()));
			long tests = 0;
			long failures = 0;
			long errors = 0;
			long millis = 0;
			for (Suite suite : this.suites.values()) {
				tests += suite.tests;
				failures += suite.failures;
				errors += suite.errors;
				millis += suite.millis;
			}
			xml.writeAttribute("tests", Long.toString(tests));
			xml.writeAttribute("failures", Long.toString(failures));
			xml.writeAttribute("errors", Long.toString(errors));
			xml.writeAttribute("time", seconds(millis));
			for (Suite suite : this.suites.values()) {
				suite.close();
				xml.writeCharacters("\n");
				xml.writeStartElement("testsuite");
				xml.writeAttribute("name", text(suite.name));
				xml.writeAttribute("tests", Long.toString(suite.tests));
				xml.writeAttribute("failures", Long.toString(suite.failures));
				xml.writeAttribute("errors", Long.toString(suite.errors));
				xml.writeAttribute("skipped", Long.toString(suite.skipped));
				xml.writeAttribute("time", seconds(suite.millis));
				xml.writeAttribute("timestamp", this.facts.run().createdAt().toString());
				// closes the start tag, then the suite's test cases as they were written, already escaped
				xml.writeCharacters("");
				xml.flush();
				try (Reader cases = Files.newBufferedReader(suite.file, StandardCharsets.UTF_8)) {
					cases.transferTo(out);
				}
				out.flush();
				xml.writeEndElement();
			}
			xml.writeCharacters("\n");
			xml.writeEndElement();
			xml.writeCharacters("\n");
			xml.writeEndDocument();
			xml.close();
		}
		catch (XMLStreamException ex) {
			throw new IOException(ex.getMessage(), ex);
		}
	}

	@Override
	public void close() throws IOException {
		for (Suite suite : this.suites.values()) {
			suite.close();
			Files.deleteIfExists(suite.file);
		}
	}

	private static String stepOf(String checkKey) {
		int dot = checkKey.indexOf('.');
		return (dot < 0) ? checkKey : checkKey.substring(0, dot);
	}

	/** Seconds with three decimals, as JUnit XML gives times. */
	static String seconds(long millis) {
		return String.format(Locale.ROOT, "%d.%03d", millis / 1000, millis % 1000);
	}

	/**
	 * The text as the file holds it: control characters drawn as {@link SafeText#document} draws them, and every
	 * character XML 1.0 cannot hold replaced by U+FFFD.
	 */
	static String text(String text) {
		if (text == null) {
			return "";
		}
		String shown = SafeText.document(text);
		StringBuilder out = null;
		for (int i = 0; i < shown.length(); i++) {
			char c = shown.charAt(i);
			boolean legal;
			if (Character.isHighSurrogate(c)) {
				legal = i + 1 < shown.length() && Character.isLowSurrogate(shown.charAt(i + 1));
				if (legal) {
					if (out != null) {
						out.append(c).append(shown.charAt(i + 1));
					}
					i++;
					continue;
				}
			}
			else {
				legal = c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd);
			}
			if (!legal && out == null) {
				out = new StringBuilder(shown.length()).append(shown, 0, i);
			}
			if (out != null) {
				out.append(legal ? c : '\ufffd');
			}
		}
		return (out != null) ? out.toString() : shown;
	}

	/** One test suite: its counts and its test cases, written to a temporary file as they come. */
	private static final class Suite {

		final String name;

		final Path file;

		private final Writer out;

		private final XMLStreamWriter xml;

		private boolean open = true;

		long tests;

		long failures;

		long errors;

		long skipped;

		long millis;

		Suite(String name, Path folder) throws IOException, XMLStreamException {
			this.name = name;
			this.file = Files.createTempFile(folder, ".junit-", ".part");
			this.out = new BufferedWriter(Files.newBufferedWriter(this.file, StandardCharsets.UTF_8));
			this.xml = XML.createXMLStreamWriter(this.out);
		}

		/**
		 * One test case of an item.
		 * @param verdict the check's verdict; {@code null} for a run without checks, or a check that gave none on the
		 * item (its step skipped)
		 * @param checked whether the test case is a check's rather than the item's in a run without checks
		 * @param repeats whether the run asked each item several times: the name then says which answer it is
		 */
		void testCase(Conversation c, String className, String step, Verdict verdict, boolean checked,
				boolean repeats) throws XMLStreamException {
			long stepMillis = c.calls().stream()
				.filter((call) -> step == null || step.equals(call.step()))
				.mapToLong(Conversation.Call::latencyMillis)
				.sum();
			this.tests++;
			this.millis += stepMillis;
			this.xml.writeCharacters("\n");
			this.xml.writeStartElement("testcase");
			this.xml.writeAttribute("name", text(repeats ? c.itemId() + " (repeat " + c.repetition() + ")" : c.itemId()));
			this.xml.writeAttribute("classname", text(className));
			this.xml.writeAttribute("time", seconds(stepMillis));
			if (!c.isOk()) {
				this.errors++;
				this.xml.writeStartElement("error");
				this.xml.writeAttribute("type", "not answered");
				this.xml.writeAttribute("message", text(c.error()));
				this.xml.writeEndElement();
			}
			else if (verdict != null && !verdict.pass()) {
				this.failures++;
				this.xml.writeStartElement("failure");
				this.xml.writeAttribute("type", "check failed");
				this.xml.writeAttribute("message", text(verdict.reason()));
				this.xml.writeEndElement();
			}
			else if (checked && verdict == null) {
				this.skipped++;
				this.xml.writeStartElement("skipped");
				this.xml.writeAttribute("message", "the check gave no verdict on this item (its step was skipped)");
				this.xml.writeEndElement();
			}
			String answer = (step != null) ? ConversationData.answers(c).get(step) : null;
			if (answer != null) {
				this.xml.writeStartElement("system-out");
				this.xml.writeCharacters(text(answer));
				this.xml.writeEndElement();
			}
			this.xml.writeEndElement();
		}

		void close() throws IOException {
			if (!this.open) {
				return;
			}
			this.open = false;
			try {
				this.xml.flush();
				this.xml.close();
			}
			catch (XMLStreamException ex) {
				throw new IOException(ex.getMessage(), ex);
			}
			this.out.close();
		}

	}

	/** The export {@code junit}. */
	@Component
	@Order(75)
	static final class Format implements ExportKind {

		@Override
		public String name() {
			return "junit";
		}

		@Override
		public List<String> files() {
			return List.of(FILE);
		}

		@Override
		public Exporter open(ExportTarget target) {
			return new JunitExporter(target.folder(), target.facts());
		}

	}

}
