package dev.dmrbatch.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.dmrbatch.support.DmrProcess;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.env.OriginTrackedMapPropertySource;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.FileSystemResource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** JSON configuration files are read like their YAML twins, in a process started from the working folder. */
@ExtendWith(WorkspaceExtension.class)
class JsonConfigurationIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	Workspace workspace;

	@Test
	void nestedObjectsArraysAndBracketedKeysBecomeTheKeysYamlGives() throws Exception {
		this.workspace.file("application.json", """
				{
				  "dmr": {
				    "max-tokens": 64,
				    "stop": ["END", "STOP"],
				    "seed": null,
				    "models": { "[ai/qwen3]": { "temperature": 0.6, "stream": true } }
				  }
				}
				""");
		List<PropertySource<?>> sources = new JsonPropertySourceLoader().load("json",
				new FileSystemResource(this.workspace.path("application.json")));
		OriginTrackedMapPropertySource source = (OriginTrackedMapPropertySource) sources.get(0);
		assertThat(source.getPropertyNames()).containsExactly("dmr.max-tokens", "dmr.stop[0]", "dmr.stop[1]", "dmr.seed",
				"dmr.models[ai/qwen3].temperature", "dmr.models[ai/qwen3].stream");
		assertThat(source.getProperty("dmr.max-tokens")).isEqualTo("64");
		assertThat(source.getProperty("dmr.stop[1]")).isEqualTo("STOP");
		assertThat(source.getProperty("dmr.seed")).isEqualTo("");
		assertThat(source.getProperty("dmr.models[ai/qwen3].stream")).isEqualTo(true);
		Origin origin = source.getOrigin("dmr.models[ai/qwen3].temperature");
		assertThat(((TextResourceOrigin) origin).getLocation().getLine()).isEqualTo(5); // from 0: the sixth line
	}

	@Test
	void aFileIndentedWithTabsIsRead() throws Exception {
		// (JSON is YAML in principle, but Spring Boot's YAML loader stops at a tab where YAML wants indentation)
		this.workspace.file("tabs.json", "{\n\t\"dmr\": {\n\t\t\"max-tokens\": 64,\n\t\t\"stop\": [\"a\",\n\t\t\t\"b\"]\n\t}\n}\n");
		PropertySource<?> source = new JsonPropertySourceLoader().load("json",
				new FileSystemResource(this.workspace.path("tabs.json"))).get(0);
		assertThat(source.getProperty("dmr.max-tokens")).isEqualTo("64");
		assertThat(source.getProperty("dmr.stop[1]")).isEqualTo("b");
	}

	@Test
	void aKeyTwiceOrAFileThatIsNotAnObjectIsRefusedNamingFileAndLine() {
		this.workspace.file("twice.json", "{\n  \"dmr\": { \"max-tokens\": 1,\n  \"max-tokens\": 2 }\n}\n");
		assertThatThrownBy(() -> new JsonPropertySourceLoader().load("j",
				new FileSystemResource(this.workspace.path("twice.json"))))
			.hasMessageContaining("twice.json").hasMessageContaining("line 3").hasMessageContaining("max-tokens");
		this.workspace.file("array.json", "[1, 2]\n");
		assertThatThrownBy(() -> new JsonPropertySourceLoader().load("j",
				new FileSystemResource(this.workspace.path("array.json"))))
			.hasMessageEndingWith("line 1: a JSON configuration file holds one object");
	}

	@Test
	void aConfigurationFileWithAKeyTwiceOrBadYamlIsOneSentenceNamingFileLineAndKey() throws Exception {
		this.workspace.file("jobs/j.yaml", "input: { path: x.csv }\nsteps: [ { name: s, prompt: hi } ]\n")
			.file("config/application-twice.yaml", "dmr:\n  max-tokens: 10\n  temperature: 0.1\n  max-tokens: 20\n")
			.file("config/application-twicej.json", "{\n  \"dmr\": {\n    \"seed\": 1,\n    \"seed\": 2\n  }\n}\n")
			.file("config/application-broken.yaml", "dmr:\n  max-tokens: [10\n  seed: 3\n");

		String[] yaml = run(LocalRunner.baseUrl(), "job=j", "profile=twice");
		String[] json = run(LocalRunner.baseUrl(), "job=j", "profile=twicej");
		String[] broken = run(LocalRunner.baseUrl(), "job=j", "profile=broken");

		assertThat(yaml[1]).startsWith("exit 2\n").endsWith("\nerror: config file config/application-twice.yaml line 4: "
				+ "key 'max-tokens' is given twice (the second would replace the first)\n");
		assertThat(json[1]).startsWith("exit 2\n").endsWith("\nerror: config file config/application-twicej.json line 4: "
				+ "key 'seed' is given twice (the second would replace the first)\n");
		assertThat(broken[1]).startsWith("exit 2\n")
			.containsPattern("\nerror: config file config/application-broken.yaml line \\d: not valid YAML, [^\n]+\n$");
		for (String[] run : List.of(yaml, json, broken)) {
			// one line on stderr, nothing on stdout: no block of Spring Boot's own
			assertThat(run[0]).as(run[1]).isEmpty();
			assertThat(run[1].lines().count()).as(run[1]).isEqualTo(2);
		}
	}

	@Test
	@SuppressWarnings("unchecked")
	void applicationJsonAndAProfilesJsonConfigureARunAndConfigNamesThem() throws Exception {
		this.workspace.file("config/application.json", """
				{ "dmr": { "temperature": 0, "max-tokens": 40 } }
				""");
		this.workspace.file("config/application-short.json", """
				{
				  "dmr": {
				    "max-tokens": 3
				  }
				}
				""");
		this.workspace.file("input/x.csv", "text\none\ntwo\n");
		this.workspace.file("jobs/j.yaml", """
				input: { path: input/x.csv }
				model: { name: ai/tiny }
				steps: [ { name: s, prompt: "Say ${text} at length" } ]
				""");

		String[] config = run(LocalRunner.baseUrl(), "config", "profile=short", "job=j");
		assertThat(config[0]).as(config[1]).containsPattern("dmr.max-tokens +3 +config/application-short.json line 3")
			.containsPattern("dmr.temperature +0.0 +config/application.json line 1");

		String[] run = run(LocalRunner.baseUrl(), "job=j", "profile=short");
		assertThat(run[0]).as(run[1]).contains("j run 1 COMPLETED: 2 items, 2 ok");
		for (String line : Files.readAllLines(this.workspace.path("output/j/run-1/results.jsonl"))) {
			Map<String, Object> result = JSON.readValue(line, Map.class);
			Map<String, Object> usage = (Map<String, Object>) result.get("usage");
			// the runner was asked for 3 tokens at most: the profile's JSON file set them
			assertThat(((Number) usage.get("completion_tokens")).intValue()).isBetween(1, 3);
		}
	}

	private String[] run(String baseUrl, String... args) throws Exception {
		ProcessBuilder builder = new ProcessBuilder(DmrProcess.launched(this.workspace, baseUrl, args))
			.directory(this.workspace.root().toFile());
		builder.environment().keySet().removeIf((key) -> key.startsWith("DMR_"));
		Process process = builder.start();
		String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
		return new String[] { out, "exit " + process.exitValue() + "\n" + out + err };
	}

}
