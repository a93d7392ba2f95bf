package dev.dmrbatch.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/** Exit codes and messages of runs that never get as far as a model: one sentence, no stack trace, exit 2. */
@ExtendWith(WorkspaceExtension.class)
class CommandLineIT {

	Workspace workspace;

	String closedPort;

	@BeforeEach
	void setUp() throws Exception {
		this.workspace.file("jobs/ok.yaml", """
				description: A job that is fine.
				input: { format: csv, path: input/a.csv }
				steps: [ { name: a, template: a.ftl } ]
				""");
		this.workspace.file("templates/a.ftl", "Hello ${text}\n");
		this.workspace.file("input/a.csv", "text\nx\n");
		// port 9 (discard): nothing listens there, and no test's ephemeral port can take it
		this.closedPort = "http://127.0.0.1:9/engines/llama.cpp/v1";
	}

	private Dmr.Result dmr(String... args) {
		Dmr.Result result = Dmr.run(this.workspace, this.closedPort, args);
		assertThat(result.all()).doesNotContain("Exception").doesNotContain("\tat ");
		return result;
	}

	@Test
	void helpListsTheJobs() {
		Dmr.Result result = dmr("help");
		assertThat(result.exitCode()).isZero();
		assertThat(result.out()).contains("usage: java -jar dmr-batch.jar job=<name>").contains("ok  ")
			.contains("A job that is fine.");
		assertThat(dmr().exitCode()).isEqualTo(2);
	}

	@Test
	void aJobFileCannotTakeTheNameOfACommandOrOfABuiltInJob() {
		for (String name : List.of("runs", "help", "config", "openai-batch", "history")) {
			this.workspace.file("jobs/named.yaml", "name: " + name + "\n"
					+ "input: { format: csv, path: input/a.csv }\nsteps: [ { name: a, template: a.ftl } ]\n");
			Dmr.Result result = dmr("job=named");
			boolean taken = !name.equals("history");
			if (taken) {
				assertThat(result.exitCode()).as(name).isEqualTo(2);
				assertThat(result.err()).as(name)
					.contains("job file named.yaml: name '" + name + "' is taken by a built-in command");
			}
			else {
				assertThat(result.err()).as(name).doesNotContain("is taken by a built-in command");
			}
		}
	}

	@Test
	void aCommandIsNamedByJobOrByItsWordAlone() {
		Dmr.Result byJob = dmr("job=runs", "--json");
		Dmr.Result byWord = dmr("runs", "--json");
		assertThat(byJob.exitCode()).isZero();
		assertThat(byWord.exitCode()).isZero();
		assertThat(byWord.out()).isEqualTo(byJob.out());
		Dmr.Result help = dmr("help");
		for (String command : List.of("job=export", "job=runs", "job=show", "job=openai-batch", "config", "job=models",
				"job=probe", "job=bench")) {
			assertThat(help.out()).contains("       java -jar dmr-batch.jar " + command + " ");
		}
		Dmr.Result notACommand = dmr("colour");
		assertThat(notACommand.exitCode()).isEqualTo(2);
		assertThat(notACommand.err()).contains("error: unknown argument 'colour': arguments are key=value");
		assertThat(dmr("colour", "job=ok").err()).contains("error: unknown argument 'colour': arguments are key=value");
	}

	@Test
	void badArguments() {
		assertThat(dmr("job=ok", "colour=red").err()).contains("error: unknown argument 'colour='");
		assertThat(dmr("summarize").err()).contains("error: unknown argument 'summarize'");
		assertThat(dmr("input=a.csv").err()).contains("error: no job given");
		assertThat(dmr("job=ok", "concurrency=0").exitCode()).isEqualTo(2);
		assertThat(dmr("job=ok", "run=../escape").err()).contains("is not a valid run label");
	}

	@Test
	void unknownJob() {
		Dmr.Result result = dmr("job=nope");
		assertThat(result.exitCode()).isEqualTo(2);
		assertThat(result.err()).contains("error: unknown job 'nope': there is no jobs/nope.yaml (jobs: ok)");
	}

	@Test
	void controlCharactersInAMessageAreShownNotSent() {
		Dmr.Result result = dmr("job=x\u001b]0;pwned\u0007\u001b[2J");
		assertThat(result.exitCode()).isEqualTo(2);
		assertThat(result.err()).contains("error: unknown job 'x␛]0;pwned␇␛[2J'")
			.doesNotContain("\u001b", "\u0007");
	}

	@Test
	void theStoreIsReadableByItsOwnerOnly() throws Exception {
		org.junit.jupiter.api.Assumptions
			.assumeTrue(java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
		Dmr.Result result = dmr("job=runs");
		assertThat(result.exitCode()).as(result.toString()).isZero();
		Path data = this.workspace.path("data");
		assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(data)))
			.isEqualTo("rwx------");
		List<Path> files;
		try (var list = Files.list(data)) {
			files = list.filter(Files::isRegularFile).toList();
		}
		assertThat(files).isNotEmpty().allSatisfy((file) -> assertThat(java.nio.file.attribute.PosixFilePermissions
			.toString(Files.getPosixFilePermissions(file))).as(file.toString()).isEqualTo("rw-------"));
	}

	@Test
	void invalidJobFile() {
		this.workspace.file("jobs/bad.yaml", "steps: [ { name: a, prompt: x } ]\nmodle: { name: ai/x }\n");
		Dmr.Result result = dmr("job=bad");
		assertThat(result.exitCode()).isEqualTo(2);
		assertThat(result.err()).contains("error: job file jobs/bad.yaml line 2: unknown key 'modle'");
	}

	@Test
	void aFileThatIsNotAJobFileIsRefusedWithoutQuotingIt() {
		this.workspace.file("secrets/.env", "DB_PASSWORD=hunter2-secret\nAPI_KEY=sk-0123456789\n");
		Dmr.Result result = dmr("job=secrets/.env");
		assertThat(result.exitCode()).isEqualTo(2);
		assertThat(result.err()).contains("error: job file secrets/.env line 1: a job file must be a mapping of keys "
				+ "such as name, model and steps, found text");
		assertThat(result.all()).doesNotContain("hunter2").doesNotContain("sk-0123456789");
	}

	@Test
	void aKeyGivenTwiceIsRefused() {
		this.workspace.file("jobs/twice.yaml", "steps: [ { name: a, prompt: x } ]\nsteps: [ { name: b, prompt: y } ]\n");
		Dmr.Result result = dmr("job=twice");
		assertThat(result.exitCode()).isEqualTo(2);
		assertThat(result.err()).contains(
				"error: job file jobs/twice.yaml line 2: key 'steps' is given twice (the second would replace the first)");
	}

	@Test
	void aRunnerUrlWithAPasswordIsRefusedWithoutShowingIt() throws Exception {
		String secret = "s3cr3t-Pa55";
		String withPassword = "http://user:" + secret + "@127.0.0.1:1/engines/llama.cpp/v1";
		this.workspace.file("jobs/runners.yaml", """
				input: { format: csv, path: input/a.csv }
				steps: [ { name: a, template: a.ftl } ]
				runners:
				  - http://127.0.0.1:1/v1
				  - { url: "%s", concurrency: 2 }
				""".formatted(withPassword));
		List<Dmr.Result> results = new ArrayList<>();
		for (String[] args : List.of(new String[] { "job=ok" }, new String[] { "job=config" }, new String[] { "job=probe" },
				new String[] { "job=models" }, new String[] { "job=bench", "model=ai/x" })) {
			Dmr.Result result = Dmr.run(this.workspace, withPassword, args);
			assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
			assertThat(result.err()).contains("error: invalid setting: dmr.base-url must not hold a user name or "
					+ "password (user:password@host); a runner that wants a key gets it from dmr.api-key (DMR_API_KEY)");
			results.add(result);
		}
		Dmr.Result several = dmr("job=ok", "base-url=http://127.0.0.1:1/v1," + withPassword);
		assertThat(several.exitCode()).isEqualTo(2);
		assertThat(several.err()).contains("error: base-url= must not hold a user name or password");
		Dmr.Result inJobFile = dmr("job=runners");
		assertThat(inJobFile.exitCode()).isEqualTo(2);
		assertThat(inJobFile.err()).contains("error: job file jobs/runners.yaml line 5: 'runners[1]' runner url must "
				+ "not hold a user name or password");
		Dmr.Result list = Dmr.run(this.workspace, this.closedPort, "job=config",
				"--dmr.base-urls=http://127.0.0.1:1/v1," + withPassword);
		assertThat(list.exitCode()).isEqualTo(2);
		assertThat(list.err()).contains("error: invalid setting: dmr.base-urls must not hold a user name or password");
		Dmr.Result unreadable = Dmr.run(this.workspace, "http://user:" + secret + " @127.0.0.1:1/v1", "job=config");
		assertThat(unreadable.exitCode()).isEqualTo(2);
		results.addAll(List.of(several, inJobFile, list, unreadable));
		for (Dmr.Result result : results) {
			assertThat(result.all()).doesNotContain(secret).doesNotContain("Exception");
		}
		try (var files = Files.walk(this.workspace.root())) {
			for (Path file : files.filter(Files::isRegularFile).toList()) {
				if (!file.toString().endsWith(".yaml")) {
					assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)).as(file.toString())
						.doesNotContain(secret);
				}
			}
		}
	}

	@Test
	void templateSyntaxErrorStopsBeforeAnyRequest() {
		this.workspace.file("templates/a.ftl", "Hello\n${text\n");
		Dmr.Result result = dmr("job=ok");
		assertThat(result.exitCode()).isEqualTo(2);
		// the runner is a closed port: had anything been sent, the message would say it cannot be reached
		assertThat(result.err()).contains("error: template a.ftl line 2: syntax error");
	}

	@Test
	void missingInput() {
		Dmr.Result result = dmr("job=ok", "input=input/none.csv");
		assertThat(result.exitCode()).isEqualTo(2);
		assertThat(result.err()).contains("error: input file input/none.csv does not exist");
	}

	@Test
	void unreachableRunnerIsNamedWithItsUrl() {
		Dmr.Result result = dmr("job=ok");
		assertThat(result.exitCode()).isEqualTo(2);
		assertThat(result.err()).contains("error: cannot reach the model runner at " + this.closedPort
				+ ": connection refused");
	}

	@Test
	void aServerThatIsNotAnOpenAiCompatibleRunnerIsNamed() throws Exception {
		com.sun.net.httpserver.HttpServer web = com.sun.net.httpserver.HttpServer
			.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
		web.createContext("/", (exchange) -> {
			byte[] page = "<html><body>It works!</body></html>".getBytes();
			exchange.getResponseHeaders().set("Content-Type", "text/html");
			exchange.sendResponseHeaders(exchange.getRequestURI().getPath().equals("/v1/models") ? 200 : 404,
					page.length);
			exchange.getResponseBody().write(page);
			exchange.close();
		});
		web.start();
		try {
			String root = "http://127.0.0.1:" + web.getAddress().getPort();
			for (String url : new String[] { root + "/v1", root + "/other/v1" }) {
				Dmr.Result result = Dmr.run(this.workspace, url, "job=ok");
				assertThat(result.exitCode()).isEqualTo(2);
				assertThat(result.err()).contains("error: the server at " + url
						+ " does not answer like an OpenAI-compatible model runner (GET /models ")
					.doesNotContain("Exception");
			}
		}
		finally {
			web.stop(0);
		}
	}

	@Test
	void anArgumentACommandDoesNotUseIsRefusedWithItsList() {
		Dmr.Result runs = dmr("job=runs", "max_tokens=3");
		assertThat(runs.exitCode()).isEqualTo(2);
		assertThat(runs.err().strip()).isEqualTo("error: job=runs does not take max_tokens=; its arguments are "
				+ "job=<name>, profile=");
		Dmr.Result config = dmr("config", "input=a.csv");
		assertThat(config.exitCode()).isEqualTo(2);
		assertThat(config.err()).contains("error: config does not take input=; its arguments are concurrency=, ");
		Dmr.Result batch = dmr("job=openai-batch", "input=input/a.csv", "var.x=1");
		assertThat(batch.exitCode()).isEqualTo(2);
		assertThat(batch.err()).contains("error: job=openai-batch does not take var.x=; its arguments are base-url=, ");
		Dmr.Result run = dmr("job=ok", "requests=3");
		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.err()).contains("error: a job run does not take requests=; its arguments are ")
			.contains("max_tokens=");
		Dmr.Result twice = dmr("job=ok", "max_tokens=3", "--dmr.max-tokens=4");
		assertThat(twice.exitCode()).isEqualTo(2);
		assertThat(twice.err()).contains("error: max_tokens= and --dmr.max-tokens both set max_tokens: give one");
		Dmr.Result help = dmr("help");
		assertThat(help.out()).contains("[max_tokens=<n>] [temperature=<t>]");
	}

	@Test
	void aValueGivenWholeIsClippedAndEscapedInEveryMessage() {
		String secret = "sk-SECRET-" + "x".repeat(3000) + "\u001b[31m";
		for (String argument : List.of("concurrency=" + secret, "run=" + secret, "input=" + secret,
				"max_tokens=" + secret, "temperature=" + secret, "profile=" + secret, "--dmr.base-url=http://" + secret,
				"--dmr.concurrency=" + secret, "--dmr.retry.attempts=" + secret, "unknown=" + secret)) {
			Dmr.Result result = dmr("job=ok", argument);
			assertThat(result.exitCode()).as(argument.substring(0, 12) + ": " + result).isEqualTo(2);
			String error = result.err().lines().filter((line) -> line.startsWith("error: ")).findFirst().orElseThrow();
			// the value may be named, cut; never whole
			assertThat(error).as(argument.substring(0, 12)).hasSizeLessThan(600)
				.doesNotContain("x".repeat(121))
				.doesNotContain("\u001b");
			assertThat(result.all()).as(argument.substring(0, 12)).doesNotContain("x".repeat(200));
		}
	}

	@Test
	void invalidSettingNamesTheKey() {
		Dmr.Result result = dmr("job=ok", "--dmr.max-tokens=-5");
		assertThat(result.exitCode()).isEqualTo(2);
		assertThat(result.err()).contains("error: invalid setting: dmr.max-tokens = -5 must be greater than 0");
	}

	@Test
	void aBaseUrlWithoutSchemeIsNamed() {
		Dmr.Result result = Dmr.run(this.workspace, "localhost:12434/v1", "job=ok");
		assertThat(result.exitCode()).isEqualTo(2);
		assertThat(result.err()).contains("error: invalid setting: dmr.base-url must be an absolute http or "
				+ "https URL").doesNotContain("Exception");
	}

	@Test
	void aUnixSocketInAFormDmrBatchDoesNotReadIsRefusedInOneSentence() {
		Dmr.Result setting = Dmr.run(this.workspace, "unix://localhost/var/run/docker.sock", "job=ok");
		assertThat(setting.exitCode()).isEqualTo(2);
		assertThat(setting.err().strip()).isEqualTo("error: invalid setting: dmr.base-url is not a Unix socket URL "
				+ "dmr-batch reads: write unix:// then the socket's absolute path, then the HTTP path after a colon, "
				+ "such as unix:///var/run/docker-model-runner.sock:/engines/llama.cpp/v1");
		Dmr.Result argument = dmr("job=ok", "base-url=http+unix://%2Ftmp%2Frunner.sock/v1");
		assertThat(argument.exitCode()).isEqualTo(2);
		assertThat(argument.err()).contains("error: base-url= is not a Unix socket URL dmr-batch reads");
	}

	@Test
	void aRunnerNameThatDoesNotResolveIsToldWhereTheRunnerIsUsuallyFound() {
		for (String[] args : List.of(new String[] { "job=ok", "model=ai/tiny" }, new String[] { "job=models" })) {
			List<String> all = new ArrayList<>(List.of(args));
			all.add("--dmr.retry.attempts=1");
			Dmr.Result result = Dmr.run(this.workspace, "http://model-runner.invalid/engines/llama.cpp/v1",
					all.toArray(String[]::new));
			assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
			assertThat(result.err().strip().lines()).hasSize(1);
			assertThat(result.err()).startsWith("error: cannot reach the model runner at "
					+ "http://model-runner.invalid/engines/llama.cpp/v1: ")
				.contains("; the host name does not resolve here. Docker Model Runner is usually at "
						+ "http://localhost:12434/engines/llama.cpp/v1 from the host, "
						+ "http://model-runner.docker.internal/engines/llama.cpp/v1 from a container on Docker Desktop, "
						+ "http://172.17.0.1:12434/engines/llama.cpp/v1 from a container on Docker Engine");
		}
	}

	@Test
	void theApiKeyNeverAppears() {
		Dmr.Result result = dmr("job=ok", "--dmr.api-key=sk-very-secret-123");
		assertThat(result.all()).doesNotContain("sk-very-secret-123");
	}

}
