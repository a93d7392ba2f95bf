package dev.dmrbatch.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.dmrbatch.support.DmrProcess;
import dev.dmrbatch.support.FaultProxy;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A setting given at launch (command line, environment) is what every request carries, over a step's own settings,
 * the job file, the per-model block and the profile files; among the files the most specific wins. Each run is a
 * process of its own started in a working folder with the shipped configuration, so that its environment is its own.
 */
class LaunchSettingsIT {

	private static final Pattern MAX_TOKENS = Pattern.compile("\"max_tokens\":(\\d+)");

	@TempDir
	Path dir;

	Workspace workspace;

	@BeforeEach
	void setUp() throws IOException {
		this.workspace = new Workspace(this.dir);
		// the shipped configuration, and a profile whose per-model block speaks for the test model
		try (Stream<Path> files = Files.list(Path.of("config"))) {
			files.forEach((file) -> this.workspace.file("config/" + file.getFileName(), read(file)));
		}
		this.workspace.file("config/application-tiny.yaml", """
				dmr:
				  max-tokens: 50
				  models:
				    "[ai/tiny]":
				      max-tokens: 40
				""");
		this.workspace.file("input/x.jsonl", "{\"id\": \"a\", \"text\": \"one\"}\n");
		this.workspace.file("jobs/j.yaml", """
				input: { format: jsonl, path: input/x.jsonl, id: id }
				model: { max_tokens: 30, temperature: 0, seed: 1 }
				steps:
				  - { name: plain, prompt: "Say ${text}" }
				  - { name: own, prompt: "Again", max_tokens: 20 }
				""");
	}

	private static String read(Path file) {
		try {
			return Files.readString(file, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Runs the job in a process of its own with this environment; the max_tokens of each request, in order. */
	private List<Integer> maxTokens(List<String> env, String... args) throws Exception {
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			ProcessBuilder builder = new ProcessBuilder(DmrProcess.launched(this.workspace, proxy.baseUrl(), args))
				.directory(this.workspace.root().toFile());
			builder.environment().keySet().removeIf((key) -> key.startsWith("DMR_"));
			for (String pair : env) {
				builder.environment().put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
			}
			builder.redirectErrorStream(true);
			Process process = builder.start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
			assertThat(process.exitValue()).as(output).isZero();
			List<Integer> values = new ArrayList<>();
			for (String body : proxy.chatBodies()) {
				Matcher matcher = MAX_TOKENS.matcher(body);
				assertThat(matcher.find()).as(body).isTrue();
				values.add(Integer.parseInt(matcher.group(1)));
			}
			return values;
		}
	}

	@Test
	void theEnvironmentBeatsTheStepTheJobFileAndThePerModelBlock() throws Exception {
		assertThat(maxTokens(List.of("DMR_DEFAULT_MODEL=ai/tiny", "DMR_MAX_TOKENS=7"), "job=j", "profile=tiny"))
			.containsExactly(7, 7);
	}

	@Test
	void theCommandLineBeatsTheEnvironmentAndEverythingInFiles() throws Exception {
		assertThat(maxTokens(List.of("DMR_DEFAULT_MODEL=ai/tiny", "DMR_MAX_TOKENS=9"), "job=j", "profile=tiny",
				"--dmr.max-tokens=7")).containsExactly(7, 7);
	}

	@Test
	void aRequestSettingByItsJobFileNameIsALaunchValueToo() throws Exception {
		assertThat(maxTokens(List.of("DMR_DEFAULT_MODEL=ai/tiny", "DMR_MAX_TOKENS=9"), "job=j", "profile=tiny",
				"max_tokens=7")).containsExactly(7, 7);
	}

	@Test
	void withoutALaunchValueTheStepBeatsTheJobFileWhichBeatsThePerModelBlockAndTheProfile() throws Exception {
		assertThat(maxTokens(List.of("DMR_DEFAULT_MODEL=ai/tiny"), "job=j", "profile=tiny")).containsExactly(30, 20);
		this.workspace.file("jobs/j.yaml", """
				input: { format: jsonl, path: input/x.jsonl, id: id }
				model: { temperature: 0, seed: 1 }
				steps: [ { name: plain, prompt: "Say ${text}" } ]
				""");
		assertThat(maxTokens(List.of(), "job=j", "profile=tiny", "model=ai/tiny", "run=per-model")).containsExactly(40);
	}


	/** What a process of its own printed, and the chat request bodies it sent. */
	private record Sent(String output, List<String> bodies) {
	}

	private Sent run(List<String> env, String... args) throws Exception {
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			ProcessBuilder builder = new ProcessBuilder(DmrProcess.launched(this.workspace, proxy.baseUrl(), args))
				.directory(this.workspace.root().toFile());
			builder.environment().keySet().removeIf((key) -> key.startsWith("DMR_"));
			for (String pair : env) {
				builder.environment().put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
			}
			builder.redirectErrorStream(true);
			Process process = builder.start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
			assertThat(process.exitValue()).as(output).isZero();
			return new Sent(output, proxy.chatBodies());
		}
	}

	@Test
	void theAdvancedFieldsGivenAtLaunchBeatTheJobFileAndThePerModelBlockAndConfigNamesTheirSource() throws Exception {
		this.workspace.file("config/application-tiny.yaml", """
				dmr:
				  models:
				    "[ai/tiny]":
				      top-logprobs: 2
				      extra: { store: true, vendor_flag: 1 }
				""");
		this.workspace.file("jobs/j.yaml", """
				input: { format: jsonl, path: input/x.jsonl, id: id }
				model: { max_tokens: 3, temperature: 0, seed: 1, top_logprobs: 1, extra: { store: true } }
				steps: [ { name: plain, prompt: "Say ${text}" } ]
				""");
		List<String> env = List.of("DMR_DEFAULT_MODEL=ai/tiny", "DMR_TOP_LOGPROBS=3");

		// when: top_logprobs from the environment, store from the command line
		Sent sent = run(env, "job=j", "profile=tiny", "--dmr.extra.store=false");

		// then: the request carries the launch values, the per-model block's other extra field kept
		assertThat(sent.bodies()).hasSize(1);
		tools.jackson.databind.JsonNode body = tools.jackson.databind.json.JsonMapper.shared()
			.readTree(sent.bodies().get(0));
		assertThat(body.get("top_logprobs").asInt()).isEqualTo(3);
		assertThat(body.get("logprobs").asBoolean()).isTrue();
		assertThat(body.get("store").isBoolean()).isTrue();
		assertThat(body.get("store").asBoolean()).isFalse();
		assertThat(body.get("vendor_flag").asInt()).isEqualTo(1);

		// and config shows each with where it came from
		Sent config = run(env, "config", "profile=tiny", "job=j", "--dmr.extra.store=false");
		assertThat(config.output()).containsPattern("top_logprobs +3 +environment variable DMR_TOP_LOGPROBS")
			.containsPattern("extra +\\{store=false, vendor_flag=1\\} +command line \\(--dmr.extra.store\\) over job file "
					+ "jobs/j.yaml \\(model.extra\\) over ");
		assertThat(config.bodies()).isEmpty();
	}

}
