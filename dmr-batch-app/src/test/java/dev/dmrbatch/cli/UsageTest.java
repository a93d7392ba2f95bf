package dev.dmrbatch.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job's description in the usage text: taken from its line only where the YAML parser would read the same text,
 * left to the parser everywhere else.
 */
class UsageTest {

	@Test
	void aPlainOneLineDescriptionIsTakenFromItsLine() {
		assertThat(Usage.plainDescription(List.of("# a job", "description: Three items, checked.", "steps: []")))
			.isEqualTo("Three items, checked.");
		assertThat(Usage.plainDescription(List.of("input: { path: a.csv }", "description:   Summaries   ",
				"", "steps: []"))).isEqualTo("Summaries");
		assertThat(Usage.plainDescription(List.of("# no description", "steps: []", "  - name: a"))).isEmpty();
	}

	@Test
	void whatThePlainReadingWouldGetWrongGoesToTheParser() {
		for (String description : List.of("\"quoted\"", "'single'", "|", ">", "a # comment", "key: value", "[a, b]",
				"{a: b}", "&anchor text", "*alias", "!tag text", "- item", "1.0e3", "0x1F", "true", "No", "null",
				"~", "", "`tick", "%percent", "@at", "text:", "with\u0007bell")) {
			assertThat(Usage.plainDescription(List.of("description: " + description, "steps: []")))
				.as(description)
				.isNull();
		}
		// continued on the next line, several documents, a key spelled otherwise
		assertThat(Usage.plainDescription(List.of("description: first", "  second", "steps: []"))).isNull();
		assertThat(Usage.plainDescription(List.of("---", "description: one"))).isNull();
		assertThat(Usage.plainDescription(List.of("description : spaced"))).isNull();
		assertThat(Usage.plainDescription(List.of("description:\ttabbed"))).isNull();
		// no description line, but one may come from elsewhere: a quoted key, a merge, a flow mapping
		assertThat(Usage.plainDescription(List.of("steps: []", "\"description\": quoted"))).isNull();
		assertThat(Usage.plainDescription(List.of("base: &b { description: merged }", "<<: *b"))).isNull();
		assertThat(Usage.plainDescription(List.of("{ description: flow }"))).isNull();
		assertThat(Usage.plainDescription(List.of("# nothing", ""))).isNull();
	}

	@Test
	void wheneverTheLineIsReadTheParserReadsTheSame() {
		List<List<String>> files = new ArrayList<>();
		for (String value : List.of("Summaries of articles", "Tickets: triage", "a-b c?d", "x,y", "ünïcödé — dash",
				"ends with #", "a#b", "(parenthesised)", "100% done", "<angle>", "a: b", "no", "v1.2")) {
			files.add(List.of("description: " + value, "model: { name: ai/tiny }"));
			files.add(List.of("# heading", "", "description:  " + value + "  ", "", "# a comment", "steps: []"));
		}
		files.add(List.of("input: { format: csv }", "steps:", "  - name: a", "    description: not the job's"));
		for (List<String> lines : files) {
			String plain = Usage.plainDescription(lines);
			if (plain == null) {
				continue;
			}
			Object read = new Yaml(new SafeConstructor(new LoaderOptions())).load(String.join("\n", lines));
			Object description = ((Map<?, ?>) read).get("description");
			assertThat(plain).as(lines.toString())
				.isEqualTo((description != null) ? String.valueOf(description).strip() : "");
		}
		assertThat(files.stream().filter((lines) -> Usage.plainDescription(lines) != null).count())
			.isGreaterThan(files.size() / 2);
	}

}
