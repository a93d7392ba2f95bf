package dev.dmrbatch.run;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every input record reaches its prompt exactly as it was read, and one input file is one input however its path is
 * spelled; against the real local model runner.
 */
@ExtendWith(WorkspaceExtension.class)
class InputFidelityIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	Workspace workspace;

	String runner;

	@BeforeEach
	void setUp() {
		this.runner = LocalRunner.baseUrl();
	}

	@SuppressWarnings("unchecked")
	private static String prompt(Map<String, Object> result) {
		return ((List<Map<String, String>>) result.get("messages")).get(0).get("content");
	}

	@Test
	void csvFieldsReachThePromptsByteForByteAndColumnsAreNeverHidden() throws Exception {
		// columns named seq and id are data; rows start with #; fields hold CRLF, CR, quotes, commas and UTF-8
		String csv = "seq,id,text\r\n" + "s1,i1,plain\r\n" + "#s2,#i2,\"# a hash row\r\nwith CRLF inside\"\r\n"
				+ "s3,i3,\"quotes \"\"here\"\", commas, and a lone CR\rthere\"\r\n"
				+ "s4,i4,\"\u65e5\u672c\u8a9e \u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u0939\u093f\u0928\u094d\u0926\u0940 \ud83d\ude00\"\r\n"
				+ "s5,i5,\"bad\"quote\r\n" + "s6,i6,after the bad one\r\n";
		this.workspace.bytes("input/edge.csv", csv.getBytes(StandardCharsets.UTF_8));
		this.workspace.file("jobs/edge.yaml", """
				name: edge
				input: { format: csv, path: input/edge.csv }
				model: { name: ai/tiny, max_tokens: 2, temperature: 0 }
				steps:
				  - name: echo
				    prompt: "[${item.seq}|${item.id}|<#list item?keys as k>${k};</#list>|${record.number}|${record.id}|${seq}] ${item.text}"
				""");

		Dmr.Result result = Dmr.run(this.workspace, this.runner, "job=edge");

		assertThat(result.exitCode()).as(result.toString()).isEqualTo(3); // finished, one malformed record failed
		assertThat(result.out()).contains("edge run 1 COMPLETED: 6 items, 5 ok, 1 failed");
		List<Map<String, Object>> lines = this.workspace.results("output/edge/run-1");
		assertThat(lines).extracting((line) -> line.get("status")).containsExactly("ok", "ok", "ok", "ok", "failed", "ok");
		assertThat(prompt(lines.get(0))).isEqualTo("[s1|i1|seq;id;text;|1|1|s1] plain");
		assertThat(prompt(lines.get(1))).isEqualTo("[#s2|#i2|seq;id;text;|2|2|#s2] # a hash row\r\nwith CRLF inside");
		assertThat(prompt(lines.get(2)))
			.isEqualTo("[s3|i3|seq;id;text;|3|3|s3] quotes \"here\", commas, and a lone CR\rthere");
		assertThat(prompt(lines.get(3))).isEqualTo(
				"[s4|i4|seq;id;text;|4|4|s4] \u65e5\u672c\u8a9e \u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u0939\u093f\u0928\u094d\u0926\u0940 \ud83d\ude00");
		// lines end at CRLF, LF or a lone CR: row s3 takes lines 5 and 6, s5 starts on line 8
		assertThat(lines.get(4).get("error")).asString().isEqualTo("input/edge.csv line 8: a quoted field is followed "
				+ "by other characters before the next comma or line end (a stray or unbalanced quote)");
		assertThat(prompt(lines.get(5))).isEqualTo("[s6|i6|seq;id;text;|6|6|s6] after the bad one");
	}

	@Test
	void oneInputFileIsOneInputHoweverItsPathIsSpelled() throws Exception {
		this.workspace.file("input/a.csv", "text\none\ntwo\n");
		this.workspace.file("jobs/spell.yaml", """
				name: spell
				model: { name: ai/tiny, max_tokens: 2, temperature: 0 }
				steps: [ { name: a, prompt: "${text}" } ]
				""");

		Dmr.Result first = Dmr.run(this.workspace, this.runner, "job=spell", "input=./input//a.csv");
		assertThat(first.exitCode()).as(first.toString()).isZero();
		assertThat(first.out()).contains("spell run 1 COMPLETED: 2 items, 2 ok");

		for (String spelling : List.of("input/a.csv", "input/../input/./a.csv",
				this.workspace.path("input/a.csv").toAbsolutePath().toString())) {
			Dmr.Result again = Dmr.run(this.workspace, this.runner, "job=spell", "input=" + spelling);
			assertThat(again.exitCode()).as(again.toString()).isZero();
			assertThat(again.out()).as(spelling).contains("spell run 1 is already complete").contains("nothing was sent");
		}
	}

	@Test
	void aJsonlLineThatIsNotOneJsonValueFailsNamingItsLineAndTheOthersAreSentExactly() throws Exception {
		// garbage after a value, two values on a line, a lone surrogate, a form feed, a lone CR inside a line; an id
		// of one space is an id
		String jsonl = "{\"id\":\"a\",\"text\":\"one\"}\n" + "{\"id\":\"b\",\"text\":\"two\"} {\"id\":\"b2\",\"text\":\"lost\"}\n"
				+ "{\"id\":\"c\",\"text\":\"a\\ud800b\"}\n" + "{\"id\":\" \",\"text\":\"spaced id\"}\n" + "\f\n"
				+ "{\"id\":\"d\",\"text\":\"x\"}\r{\"id\":\"e\",\"text\":\"y\"}\r\n" + "{\"id\":\"f\",\"text\":\"cr\\r and \u2028\"}\n";
		this.workspace.bytes("input/odd.jsonl", jsonl.getBytes(StandardCharsets.UTF_8));
		this.workspace.file("jobs/odd.yaml", """
				name: odd
				input: { format: jsonl, path: input/odd.jsonl, id: id }
				model: { name: ai/tiny, max_tokens: 2, temperature: 0 }
				steps:
				  - name: echo
				    prompt: "[${record.number}|${record.id}] ${text}"
				export: [jsonl, json, csv, markdown, html]
				""");

		Dmr.Result result = Dmr.run(this.workspace, this.runner, "job=odd");

		assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
		assertThat(result.out()).contains("odd run 1 COMPLETED: 7 items, 3 ok, 4 failed")
			.contains("4 failed: input/odd.jsonl line 2: not valid JSON (3 items: ids 2, 5, 6); input/odd.jsonl line 3: "
					+ "field 'text' holds \\ud800, half of a surrogate pair without its other half (not a character) (id 3)");
		List<Map<String, Object>> lines = this.workspace.results("output/odd/run-1");
		for (int line : List.of(2, 5, 6)) {
			assertThat(lines.get(line - 1).get("error")).asString()
				.startsWith("input/odd.jsonl line " + line + ": not valid JSON (");
		}
		assertThat(lines).extracting((line) -> line.get("id")).containsExactly("a", "2", "3", " ", "5", "6", "f");
		assertThat(lines).extracting((line) -> line.get("status"))
			.containsExactly("ok", "failed", "failed", "ok", "failed", "failed", "ok");
		assertThat(prompt(lines.get(0))).isEqualTo("[1|a] one");
		assertThat(prompt(lines.get(3))).isEqualTo("[4| ] spaced id");
		assertThat(prompt(lines.get(6))).isEqualTo("[7|f] cr\r and \u2028");
		for (int failed : List.of(1, 2, 4, 5)) {
			assertThat((List<?>) lines.get(failed).get("messages")).isEmpty();
		}
		// nothing of the failed lines in any export
		try (var files = Files.list(this.workspace.path("output/odd/run-1"))) {
			for (var file : files.toList()) {
				String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
				assertThat(text).as(file.toString()).doesNotContain("lost").doesNotContain("\"two\"");
			}
		}
	}

	@Test
	void aLinkOutOfATextFolderFailsItsItemAndNothingOfItsFileIsSentOrStored() throws Exception {
		java.nio.file.Path secret = Files.createTempFile("secret", ".txt");
		try {
			Files.writeString(secret, "root:x:0:0:the secret");
			this.workspace.file("input/notes/a.txt", "alpha").file("input/notes/b.md", "beta");
			Files.createSymbolicLink(this.workspace.path("input/notes/passwd.txt"), secret);
			this.workspace.file("jobs/linked.yaml", """
					name: linked
					input: { format: text, path: input/notes }
					model: { name: ai/tiny, max_tokens: 2, temperature: 0 }
					steps: [ { name: a, prompt: "${file}: ${text}" } ]
					export: [jsonl, json, csv, markdown, text, html]
					""");

			Dmr.Result result = Dmr.run(this.workspace, this.runner, "job=linked");

			assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
			assertThat(result.out()).contains("linked run 1 COMPLETED: 3 items, 2 ok, 1 failed")
				.contains("passwd.txt: a link to a file outside the input folder (not read)");
			List<Map<String, Object>> lines = this.workspace.results("output/linked/run-1");
			assertThat(lines).extracting((line) -> line.get("status")).containsExactly("ok", "ok", "failed");
			assertThat(prompt(lines.get(0))).isEqualTo("a.txt: alpha");
			assertThat(prompt(lines.get(1))).isEqualTo("b.md: beta");
			try (var files = Files.walk(this.workspace.path("output"))) {
				for (var file : files.filter(Files::isRegularFile).toList()) {
					assertThat(Files.readString(file, StandardCharsets.ISO_8859_1)).as(file.toString())
						.doesNotContain("the secret");
				}
			}
		}
		finally {
			Files.deleteIfExists(secret);
		}
	}

}
