package dev.dmrbatch.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.dmrbatch.DmrBatchApplication;
import dev.dmrbatch.support.FaultProxy;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A launch from another folder, as cron starts it, with the working folder given by {@code DMR_HOME} or
 * {@code --dmr.home}: the home's {@code config/} is read, its profiles included, and its folders are used.
 */
class HomeConfigIT {

	@TempDir
	Path dir;

	Workspace home;

	Path elsewhere;

	@BeforeEach
	void setUp() throws Exception {
		this.home = new Workspace(this.dir.resolve("home"));
		this.elsewhere = Files.createDirectories(this.dir.resolve("elsewhere"));
		this.home.file("config/application.yaml", """
				dmr:
				  default-model: ai/tiny
				  max-tokens: 5
				""");
		this.home.file("config/application-nightly.json", """
				{ "dmr": { "seed": 42, "temperature": 0 } }
				""");
		this.home.file("input/x.jsonl", "{\"id\": \"a\", \"text\": \"one\"}\n");
		this.home.file("jobs/j.yaml", """
				input: { format: jsonl, path: input/x.jsonl, id: id }
				steps: [ { name: s, prompt: "Say ${text}" } ]
				""");
	}

	private String[] run(List<String> env, String baseUrl, String... args) throws Exception {
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-cp", System.getProperty("java.class.path"), DmrBatchApplication.class.getName()));
		command.addAll(List.of(args));
		command.add("--dmr.base-url=" + baseUrl);
		ProcessBuilder builder = new ProcessBuilder(command).directory(this.elsewhere.toFile());
		builder.environment().keySet().removeIf((key) -> key.startsWith("DMR_"));
		for (String pair : env) {
			builder.environment().put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
		}
		Process process = builder.start();
		String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
		return new String[] { out, "exit " + process.exitValue() + "\n" + out + err };
	}

	@Test
	void dmrHomeBringsItsConfigurationAndItsProfilesFromAnotherWorkingFolder() throws Exception {
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			String[] run = run(List.of("DMR_HOME=" + this.home.root()), proxy.baseUrl(), "job=j", "profile=nightly");
			assertThat(run[1]).startsWith("exit 0");
			assertThat(run[0]).contains("j run 1 COMPLETED: 1 items, 1 ok");
			assertThat(proxy.chatBodies()).singleElement().asString()
				.contains("\"model\":\"ai/tiny\"")
				.contains("\"max_tokens\":5")
				.contains("\"seed\":42");
			assertThat(this.home.path("output/j/run-1")).isDirectory();
			assertThat(this.elsewhere.resolve("output")).doesNotExist();
		}
		String[] config = run(List.of(), "http://127.0.0.1:1/v1", "config", "profile=nightly",
				"--dmr.home=" + this.home.root());
		assertThat(config[1]).startsWith("exit 0");
		assertThat(config[0]).contains("home: " + this.home.root().toAbsolutePath().normalize())
			.contains("files: " + this.home.path("config/application-nightly.json") + ", "
					+ this.home.path("config/application.yaml"))
			.containsPattern("dmr.max-tokens +5 +" + this.home.path("config/application.yaml") + " line 3");
	}

	@Test
	void withoutTheHomeItsProfileIsUnknown() throws Exception {
		String[] run = run(List.of(), "http://127.0.0.1:1/v1", "job=j", "profile=nightly");
		assertThat(run[1]).startsWith("exit 2").contains("error: unknown profile 'nightly'");
	}

}
