package dev.dmrbatch.cli;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.dmrbatch.support.DmrProcess;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code config}: each value with where it came from, for a value set in each place; invalid settings refused. */
@ExtendWith(WorkspaceExtension.class)
class ConfigCommandIT {

	Workspace workspace;

	@BeforeEach
	void setUp() {
		this.workspace.file("config/application.yaml", """
				spring:
				  profiles:
				    group:
				      custom: prod
				dmr:
				  temperature: 0.1
				  api-key: sk-very-secret
				""");
		this.workspace.file("config/application-prod.yaml", """
				dmr:
				  max-tokens: 300
				""");
		this.workspace.file("config/application-custom.yaml", """
				dmr:
				  default-model: ai/tiny
				""");
		this.workspace.file("jobs/j.yaml", """
				input: { path: input/x.csv }
				model: { top_p: 0.5 }
				steps:
				  - name: s
				    prompt: hi
				""");
	}

	private Result run(List<String> env, String... args) throws Exception {
		ProcessBuilder builder = new ProcessBuilder(DmrProcess.launched(this.workspace, "http://127.0.0.1:1/v1", args))
			.directory(this.workspace.root().toFile());
		builder.environment().keySet().removeIf((key) -> key.startsWith("DMR_"));
		for (String pair : env) {
			builder.environment().put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
		}
		Process process = builder.start();
		String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
		return new Result(process.exitValue(), out, err);
	}

	record Result(int exitCode, String out, String err) {
	}

	@Test
	void eachValueNamesTheFileTheEnvironmentVariableTheCommandLineOrTheJobFileItCameFrom() throws Exception {
		Result result = run(List.of("DMR_SEED=9"), "config", "profile=custom", "job=j", "--dmr.presence-penalty=1.5");
		assertThat(result.exitCode()).as(result.err()).isZero();
		assertThat(result.out()).contains("profiles: custom, prod")
			.containsPattern("dmr.temperature +0.1 +config/application.yaml line 6")
			.containsPattern("dmr.max-tokens +300 +config/application-prod.yaml line 2")
			.containsPattern("dmr.default-model +ai/tiny +config/application-custom.yaml line 2")
			.containsPattern("dmr.seed +9 +environment variable DMR_SEED")
			.containsPattern("dmr.presence-penalty +1.5 +command line \\(--dmr.presence-penalty\\)")
			.containsPattern("dmr.concurrency +4 +default")
			.containsPattern("dmr.api-key +\\*\\*\\*\\*")
			.doesNotContain("sk-very-secret")
			.containsPattern("top_p +0.5 +job file jobs/j.yaml \\(model.top_p\\)")
			.containsPattern("max_tokens +300 +config/application-prod.yaml line 2");
	}

	@Test
	void perStepEachRequestSettingWithTheLayerItCameFrom() throws Exception {
		this.workspace.file("config/application-prod.yaml", """
				dmr:
				  max-tokens: 300
				  models:
				    "[ai/tiny]":
				      seed: 11
				      presence-penalty: 0.5
				""");
		this.workspace.file("jobs/j.yaml", """
				input: { path: input/x.csv }
				model: { top_p: 0.5, presence_penalty: 1.0 }
				steps:
				  - { name: first, prompt: hi, max_tokens: 20 }
				  - { name: second, prompt: again, top_p: 0.25, model: ai/tiny2 }
				""");
		Result result = run(List.of("DMR_MAX_TOKENS=7"), "config", "profile=custom", "job=j", "--dmr.temperature=1.5");
		assertThat(result.exitCode()).as(result.err()).isZero();
		String first = section(result.out(), "job j, model ai/tiny, step first:");
		assertThat(first).containsPattern("model +ai/tiny +config/application-custom.yaml line 2")
			.containsPattern("max_tokens +7 +environment variable DMR_MAX_TOKENS")
			.containsPattern("temperature +1.5 +command line \\(--dmr.temperature\\)")
			.containsPattern("top_p +0.5 +job file jobs/j.yaml \\(model.top_p\\)")
			.containsPattern("presence_penalty +1.0 +job file jobs/j.yaml \\(model.presence_penalty\\)")
			.containsPattern("seed +11 +config/application-prod.yaml line 5")
			.containsPattern("stop +- +not set");
		String second = section(result.out(), "job j, model ai/tiny, step second:");
		assertThat(second).containsPattern("model +ai/tiny2 +job file jobs/j.yaml \\(steps.second.model\\)")
			.containsPattern("max_tokens +7 +environment variable DMR_MAX_TOKENS")
			.containsPattern("top_p +0.25 +job file jobs/j.yaml \\(steps.second.top_p\\)")
			.containsPattern("seed +- +not set");
		assertThat(result.out()).containsPattern("concurrency +auto .*default");

		Result files = run(List.of(), "config", "profile=custom", "job=j");
		assertThat(section(files.out(), "job j, model ai/tiny, step first:"))
			.containsPattern("max_tokens +20 +job file jobs/j.yaml \\(steps.first.max_tokens\\)");
		assertThat(section(files.out(), "job j, model ai/tiny, step second:"))
			.containsPattern("max_tokens +300 +config/application-prod.yaml line 2");
	}

	/** The table under a heading, up to the next blank line. */
	private static String section(String out, String heading) {
		assertThat(out).contains(heading);
		String rest = out.substring(out.indexOf(heading) + heading.length());
		int end = rest.indexOf("\n\n");
		return (end < 0) ? rest : rest.substring(0, end);
	}

	@Test
	void anUnknownKeyOrAnOutOfRangeValueStopsWithTheKeyAndTheFile() throws Exception {
		this.workspace.file("config/application-dev.yaml", """
				dmr:
				  max-tokenz: 5
				""");
		Result unknown = run(List.of(), "job=j", "profile=dev");
		assertThat(unknown.exitCode()).as(unknown.err()).isEqualTo(2);
		assertThat(unknown.err()).contains("unknown setting dmr.max-tokenz").contains("application-dev.yaml")
			.doesNotContain("\tat ");
		this.workspace.file("config/application-dev.yaml", """
				dmr:
				  temperature: 7
				""");
		Result range = run(List.of(), "job=j", "profile=dev");
		assertThat(range.exitCode()).isEqualTo(2);
		assertThat(range.err()).contains("dmr.temperature = 7.0 must be less than or equal to 2")
			.contains("application-dev.yaml");
	}

	@Test
	void aMalformedOrUnknownProfileIsRefusedInOneLine() throws Exception {
		for (String profile : List.of("a/b", "dev,,prod", "../x")) {
			Result result = run(List.of(), "config", "profile=" + profile);
			assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
			assertThat(result.err()).startsWith("error: profile").doesNotContain("\tat ").doesNotContain("Exception");
			assertThat(result.err().strip().lines()).hasSize(1);
		}
		for (String[] args : List.of(new String[] { "config", "profile=nope" }, new String[] { "job=j", "profile=prod,nope" })) {
			Result result = run(List.of(), args);
			assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
			assertThat(result.err().strip()).isEqualTo(
					"error: unknown profile 'nope': there is no config/application-nope.yaml (profiles: custom, prod)");
		}
		// a group of spring.profiles.group is a profile too, file or not
		this.workspace.file("config/application.yaml", "spring.profiles.group.both: prod,custom\n");
		Result group = run(List.of(), "config", "profile=both");
		assertThat(group.exitCode()).as(group.err()).isZero();
		assertThat(group.out()).contains("profiles: both, prod, custom");
	}

}
