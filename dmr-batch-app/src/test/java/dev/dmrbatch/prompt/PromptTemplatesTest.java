package dev.dmrbatch.prompt;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.support.TestProperties;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(WorkspaceExtension.class)
class PromptTemplatesTest {

	Workspace workspace;

	PromptTemplates templates;

	@BeforeEach
	void setUp() {
		this.workspace.file("templates/.keep", "");
		this.templates = new PromptTemplates(TestProperties.home(this.workspace.root()));
	}

	private static JobDefinition job(String system, JobDefinition.Step... steps) {
		return new JobDefinition("t", null, null, null, system, null, List.of(steps), null, null, null, null, null,
				Path.of("jobs/t.yaml"));
	}

	private static JobDefinition.Step inline(String name, String prompt) {
		return new JobDefinition.Step(name, prompt, null);
	}

	@Test
	void rendersFieldsItemVarsAndSteps() {
		Prompts prompts = this.templates.compile(job("In ${vars.language}.",
				inline("a", "${title} #${record.id}: ${steps.first} (${n})")));
		Map<String, Object> model = new HashMap<>();
		model.put("title", "Hello");
		model.put("n", 1234567);
		model.put("record", Map.of("id", "42"));
		model.put("vars", Map.of("language", "French"));
		model.put("steps", Map.of("first", "answer"));
		assertThat(prompts.renderSystem(model)).isEqualTo("In French.");
		assertThat(prompts.renderStep(0, model)).isEqualTo("Hello #42: answer (1234567)");
	}

	/** A dry run's answers that are not there yet: whatever reads one, with a default or a test, cannot render. */
	@Test
	void aPromptThatReadsAnAnswerNotThereYetCannotBeRenderedWhateverItDoesWithIt() {
		Prompts prompts = this.templates.compile(job(null, inline("a", "${steps.first!'none'}"),
				inline("b", "<#if steps.first.json??>x</#if>"), inline("c", "${steps.first.text?length}"),
				inline("d", "Only ${title}.<#if steps.first??> Known.</#if>")));
		Map<String, Object> model = new HashMap<>();
		model.put("title", "Hello");
		model.put("steps", Map.of("first", StepAnswer.notYetAnswered()));
		for (int step = 0; step < 3; step++) {
			int index = step;
			assertThatThrownBy(() -> prompts.renderStep(index, model)).isInstanceOf(StepAnswer.NotYetAnswered.class);
		}
		assertThat(prompts.renderStep(3, model)).isEqualTo("Only Hello. Known.");
	}

	@Test
	void aRunsKeptTemplateIsCompiledInsteadOfTheFileAsItIsNow() {
		this.workspace.file("templates/s.ftl", "Edited since: ${text}");
		Prompts prompts = this.templates.compile(job(null, new JobDefinition.Step("b", null, "s.ftl")),
				Map.of("steps.b (s.ftl)", "As it started: ${text}"));
		assertThat(prompts.renderStep(0, Map.of("text", "x"))).isEqualTo("As it started: x");
		assertThat(prompts.sources()).containsExactly(Map.entry("steps.b (s.ftl)", "As it started: ${text}"));
	}

	@Test
	void aTemplateByItsNameIsLockedDownAsAStepsIsEveryTimeItIsAsked() {
		this.workspace.file("templates/plain.ftl", "Say ${text}.");
		this.workspace.file("templates/sneaky.ftl", "<#assign t = text?interpret><@t/>");
		this.workspace.file("templates/outer.ftl", "<#include \"sneaky.ftl\">");
		// data is a value: ${1+1} in it stays as written
		assertThat(this.templates.template("plain.ftl").render(Map.of("text", "${1+1}"))).isEqualTo("Say ${1+1}.");
		for (int i = 0; i < 2; i++) {
			for (String name : List.of("sneaky.ftl", "outer.ftl")) {
				assertThatThrownBy(() -> this.templates.template(name)).isInstanceOf(PromptException.class)
					.hasMessageContaining("sneaky.ftl line 1: ?interpret is not allowed");
			}
		}
	}

	@Test
	void theSourcesAreKeptAsCompiledForTheRunToRecord() {
		this.workspace.file("templates/s.ftl", "From a file:\n${text}\n");
		Prompts prompts = this.templates.compile(job("Be brief.", inline("a", "Say ${title}."),
				new JobDefinition.Step("b", null, "s.ftl")));
		assertThat(prompts.sources()).containsExactly(Map.entry("system", "Be brief."),
				Map.entry("steps.a", "Say ${title}."), Map.entry("steps.b (s.ftl)", "From a file:\n${text}\n"));
		assertThat(this.templates.compile(job(null, inline("a", "x"))).sources()).containsOnlyKeys("steps.a");
	}

	@Test
	void missingVariableNamesVariableTemplateAndLine() {
		this.workspace.file("templates/s.ftl", "line one\nTitle: ${titel}\n");
		Prompts prompts = this.templates.compile(job(null, new JobDefinition.Step("s", null, "s.ftl")));
		assertThatThrownBy(() -> prompts.renderStep(0, Map.of("title", "x"))).isInstanceOf(PromptException.class)
			.hasMessage("variable 'titel' is missing in template s.ftl line 2");
	}

	@Test
	void syntaxErrorNamesFileAndLine() {
		this.workspace.file("templates/broken.ftl", "ok\n<#if x>\nno end\n");
		assertThatThrownBy(() -> this.templates.compile(job(null, new JobDefinition.Step("s", null, "broken.ftl"))))
			.isInstanceOf(PromptException.class)
			.hasMessageStartingWith("template broken.ftl line ")
			.hasMessageContaining("syntax error");
	}

	@Test
	void missingTemplateIsNamed() {
		assertThatThrownBy(() -> this.templates.compile(job(null, new JobDefinition.Step("s", null, "nope.ftl"))))
			.hasMessageStartingWith("template nope.ftl not found in");
	}

	@Test
	void templatesCannotLeaveTheTemplatesFolder() {
		this.workspace.file("secret.ftl", "secret");
		assertThatThrownBy(
				() -> this.templates.compile(job(null, new JobDefinition.Step("s", null, "../secret.ftl"))))
			.isInstanceOf(PromptException.class);
	}

	@Test
	void newAndApiBuiltinsAreOff() {
		Prompts withNew = this.templates
			.compile(job(null, inline("a", "<#assign ex = \"freemarker.template.utility.Execute\"?new()>${ex(\"id\")}")));
		assertThatThrownBy(() -> withNew.renderStep(0, Map.of())).isInstanceOf(PromptException.class)
			.hasMessageContaining("template error");
		Prompts withApi = this.templates.compile(job(null, inline("a", "${text?api.getClass()}")));
		assertThatThrownBy(() -> withApi.renderStep(0, Map.of("text", "x"))).isInstanceOf(PromptException.class);
	}

	@Test
	void evaluatingBuiltinsAreRefused() {
		assertThatThrownBy(() -> this.templates.compile(job(null, inline("a", "x\n${text?interpret}"))))
			.hasMessage("template t.yaml steps.a line 2: ?interpret is not allowed (it would run data as a template)");
		assertThatThrownBy(() -> this.templates.compile(job(null, inline("a", "${text?eval}"))))
			.hasMessageContaining("?eval is not allowed");
	}

	@Test
	void itemDataIsNeverEvaluated() {
		Prompts prompts = this.templates.compile(job(null, inline("a", "<${text}>")));
		String hostile = "${7*7} <#assign x = 1> ${\"freemarker.template.utility.Execute\"?new()(\"id\")}";
		assertThat(prompts.renderStep(0, Map.of("text", hostile))).isEqualTo("<" + hostile + ">");
	}

	@Test
	void whatATemplateIncludesIsCheckedBeforeTheFirstItem() {
		this.workspace.file("templates/main.ftl", "Hello\n<#include \"parts/missing.ftl\">\n");
		assertThatThrownBy(() -> this.templates.compile(job(null, new JobDefinition.Step("s", null, "main.ftl"))))
			.isInstanceOf(PromptException.class)
			.hasMessageStartingWith("template main.ftl line 2: <#include \"parts/missing.ftl\"> names a template that "
					+ "is not in ");

		this.workspace.file("templates/parts/outer.ftl", "<#include \"inner.ftl\">");
		this.workspace.file("templates/parts/inner.ftl", "one\n${text?eval}\n");
		assertThatThrownBy(() -> this.templates.compile(job(null, inline("a", "x <#include \"parts/outer.ftl\">"))))
			.isInstanceOf(PromptException.class)
			.hasMessageContaining("line 2: ?eval is not allowed");

		this.workspace.file("templates/parts/broken.ftl", "<#if>");
		assertThatThrownBy(() -> this.templates.compile(job(null, inline("a", "<#import \"/parts/broken.ftl\" as b>"))))
			.isInstanceOf(PromptException.class)
			.hasMessageStartingWith("template parts/broken.ftl line 1: syntax error");

		this.workspace.file("templates/parts/fine.ftl", "<#macro m>${text}</#macro>");
		Prompts prompts = this.templates.compile(job(null, inline("a", "<#import \"parts/fine.ftl\" as f><@f.m/>")));
		assertThat(prompts.renderStep(0, Map.of("text", "ok"))).isEqualTo("ok");
	}

	@Test
	void itemIdWithoutSuchAFieldPointsToRecord() {
		Prompts prompts = this.templates.compile(job(null, inline("a", "Item ${item.id}: ${text}")));
		Map<String, Object> model = new HashMap<>();
		model.put("text", "t");
		model.put("item", Map.of("text", "t"));
		assertThatThrownBy(() -> prompts.renderStep(0, model)).hasMessageEndingWith(
				"(item holds the input's fields only: the record's id is record.id, its number record.number)");
	}

	@Test
	void aTemplateThatLinksOutOfTheTemplatesFolderIsRefusedInOneSentence() throws Exception {
		java.nio.file.Path secret = java.nio.file.Files.createTempFile("secret", ".ftl");
		try {
			java.nio.file.Files.writeString(secret, "SECRET ${x}");
			java.nio.file.Files.createSymbolicLink(this.workspace.path("templates/x.ftl"), secret);
			this.workspace.file("templates/in.ftl", "<#include \"x.ftl\">");
			String folder = this.workspace.path("templates").toString();
			assertThatThrownBy(() -> this.templates.compile(job(null, new JobDefinition.Step("a", null, "x.ftl"))))
				.isInstanceOf(PromptException.class)
				.hasMessage("template x.ftl is a link to a file outside " + folder + " (not read)");
			assertThatThrownBy(() -> this.templates.compile(job(null, inline("a", "<#include \"x.ftl\">"))))
				.isInstanceOf(PromptException.class)
				.hasMessage("template t.yaml steps.a line 1: <#include \"x.ftl\"> names a link to a file outside " + folder
						+ " (not read)");
		}
		finally {
			java.nio.file.Files.deleteIfExists(secret);
		}
	}

}
