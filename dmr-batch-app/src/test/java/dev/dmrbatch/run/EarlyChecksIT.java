package dev.dmrbatch.run;


import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.FaultProxy;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/** Mistakes that can be found before the first request stop the run then: exit 2, one sentence, nothing sent. */
@ExtendWith(WorkspaceExtension.class)
class EarlyChecksIT {

	Workspace workspace;

	@BeforeEach
	void setUp() {
		this.workspace.file("input/x.jsonl", "{\"id\": \"a\", \"text\": \"one\"}\n");
		this.workspace.file("jobs/items.yaml", """
				input: { format: jsonl, path: input/x.jsonl, id: id }
				model: { name: ai/tiny, max_tokens: 4 }
				steps: [ { name: a, prompt: "Say ${text}" } ]
				export: [jsonl, markdown]
				layouts: { markdown: brief.md.ftl }
				""");
	}

	private Dmr.Result refused(String... args) throws Exception {
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			Dmr.Result result = Dmr.run(this.workspace, proxy.baseUrl(), args);
			assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
			assertThat(proxy.chatRequests()).isZero();
			assertThat(result.err()).doesNotContain("Exception").doesNotContain("\tat ");
			assertThat(this.workspace.path("output/items")).doesNotExist();
			return result;
		}
	}

	@Test
	void aCacheModeThatIsNoneOfTheThree() throws Exception {
		this.workspace.file("templates/brief.md.ftl",
				"<#macro header run></#macro><#macro item c></#macro><#macro footer run></#macro>");
		assertThat(refused("job=items", "cache=maybe").err())
			.contains("error: cache= must be on, off or refresh, not 'maybe'");
	}

	@Test
	void aLayoutThatDoesNotParse() throws Exception {
		this.workspace.file("templates/brief.md.ftl", "<#macro header run># ${run.job}\n<#if>\n</#macro>\n");
		assertThat(refused("job=items").err()).contains("error: export layout brief.md.ftl line 2: syntax error");
	}

	@Test
	void aBuiltInLayoutReplacedByOneThatDoesNotParse() throws Exception {
		this.workspace.file("jobs/items.yaml", """
				input: { format: jsonl, path: input/x.jsonl, id: id }
				model: { name: ai/tiny, max_tokens: 4 }
				steps: [ { name: a, prompt: "Say ${text}" } ]
				export: [text]
				""");
		this.workspace.file("templates/export/results.txt.ftl", "<#macro header run>${run.job</#macro>\n");
		assertThat(refused("job=items").err()).contains("error: export layout export/results.txt.ftl line 1: ");
	}

	@Test
	void aMissingInclude() throws Exception {
		this.workspace.file("templates/brief.md.ftl", "<#macro header run></#macro><#macro item c></#macro><#macro footer run></#macro>");
		this.workspace.file("jobs/items.yaml", """
				input: { format: jsonl, path: input/x.jsonl, id: id }
				model: { name: ai/tiny, max_tokens: 4 }
				steps: [ { name: a, prompt: "<#include \\"nope.ftl\\">${text}" } ]
				""");
		assertThat(refused("job=items").err()).contains("error: template items.yaml steps.a line 1: "
				+ "<#include \"nope.ftl\"> names a template that is not in ");
	}

	@Test
	void anOutputThatIsAFile() throws Exception {
		this.workspace.file("templates/brief.md.ftl", "<#macro header run></#macro><#macro item c></#macro><#macro footer run></#macro>");
		this.workspace.file("results.txt", "mine");
		assertThat(refused("job=items", "output=results.txt").err())
			.contains("error: output=results.txt is a file; output= names a folder for the exports");
		assertThat(this.workspace.read("results.txt")).isEqualTo("mine");
	}

}
