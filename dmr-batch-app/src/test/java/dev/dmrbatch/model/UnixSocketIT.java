package dev.dmrbatch.model;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.UnixSocketForwarder;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A runner behind a Unix socket ({@code base-url=unix:///path/to.sock:/engines/llama.cpp/v1}), as Docker Desktop's
 * Model Runner can listen: the real runner behind a socket that forwards to its TCP port and notes every request,
 * reached by a batch run, the runner tools, an OpenAI Batch file and a streamed chat turn, all through the socket.
 */
@ExtendWith(WorkspaceExtension.class)
class UnixSocketIT {

	private static final String HTTP_PATH = "/engines/llama.cpp/v1";

	Workspace workspace;

	private Path dir;

	private UnixSocketForwarder forwarder;

	private String socketUrl;

	@BeforeEach
	void setUp() throws Exception {
		String tcp = LocalRunner.baseUrl();
		assertThat(URI.create(tcp).getPath()).isEqualTo(HTTP_PATH);
		// a short folder of its own: a socket's path has a limit of about a hundred bytes
		this.dir = Files.createTempDirectory("dmr-sock");
		this.forwarder = new UnixSocketForwarder(this.dir.resolve("runner.sock"), tcp);
		this.socketUrl = "unix://" + this.forwarder.socket() + ":" + HTTP_PATH;
		this.workspace.file("jobs/hello.yaml", """
				input: { format: csv, path: input/a.csv }
				model: { name: ai/tiny, max_tokens: 4, temperature: 0, seed: 1 }
				steps: [ { name: a, prompt: "Hello ${text}" } ]
				""");
		this.workspace.file("input/a.csv", "text\nx\ny\nz\n");
	}

	@AfterEach
	void tearDown() throws Exception {
		this.forwarder.close();
		Files.deleteIfExists(this.dir);
	}

	/** The requests that went through the socket while the command ran. */
	private List<String> through(Runnable command) {
		int before = this.forwarder.requests().size();
		command.run();
		List<String> all = this.forwarder.requests();
		return all.subList(before, all.size());
	}

	@Test
	void aBatchRunTheToolsAnOpenAiBatchFileAndAChatGoThroughTheSocket() throws Exception {
		// config shows the socket's URL as given, and asks nothing
		List<String> asked = through(() -> assertThat(this.workspace.dmrAt(this.socketUrl, "config").out())
			.contains(this.socketUrl));
		assertThat(asked).isEmpty();

		// a job run with the socket as dmr.base-url: the model check, then one chat request per item
		Dmr.Result[] run = new Dmr.Result[1];
		List<String> requests = through(() -> run[0] = this.workspace.dmrAt(this.socketUrl, "job=hello"));
		assertThat(run[0].exitCode()).as(run[0].toString()).isZero();
		assertThat(requests).contains("GET " + HTTP_PATH + "/models");
		assertThat(requests).filteredOn(("POST " + HTTP_PATH + "/chat/completions")::equals).hasSize(3);
		assertThat(this.workspace.read("output/hello/" + runLabel(run[0]) + "/results.jsonl").lines())
			.hasSize(3)
			.allSatisfy((line) -> assertThat(line).contains("\"status\":\"ok\"")
				.contains("\"runner\":\"" + this.socketUrl + "\""));

		// the same job with the socket given as base-url= (a runner lane), the profile's runner not listening
		requests = through(() -> run[0] = this.workspace.dmrAt("http://127.0.0.1:1/v1", "job=hello",
				"base-url=" + this.socketUrl, "run=lane"));
		assertThat(run[0].exitCode()).as(run[0].toString()).isZero();
		assertThat(requests).filteredOn(("POST " + HTTP_PATH + "/chat/completions")::equals).hasSize(3);

		// job=models: the model list, and one model's details from the server's root
		requests = through(() -> run[0] = this.workspace.dmrAt(this.socketUrl, "job=models"));
		assertThat(run[0].exitCode()).as(run[0].toString()).isZero();
		assertThat(run[0].out()).contains(" at " + this.socketUrl).contains("ai/tiny");
		assertThat(requests).contains("GET " + HTTP_PATH + "/models");
		requests = through(() -> run[0] = this.workspace.dmrAt(this.socketUrl, "job=models", "model=ai/tiny"));
		assertThat(run[0].exitCode()).as(run[0].toString()).isZero();
		assertThat(requests).contains("GET /models/ai/tiny");

		// job=probe: its chat, streaming, completions and embeddings requests
		requests = through(() -> run[0] = this.workspace.dmrAt(this.socketUrl, "job=probe", "model=ai/tiny",
				"output=probe"));
		assertThat(run[0].exitCode()).as(run[0].toString()).isZero();
		assertThat(requests).contains("POST " + HTTP_PATH + "/chat/completions", "POST " + HTTP_PATH + "/completions",
				"POST " + HTTP_PATH + "/embeddings");

		// job=openai-batch: each line's body as it is
		this.workspace.file("input/requests.jsonl", "{\"custom_id\": \"a\", \"method\": \"POST\", \"url\": "
				+ "\"/v1/chat/completions\", \"body\": {\"model\": \"ai/tiny\", \"max_tokens\": 4, \"messages\": "
				+ "[{\"role\": \"user\", \"content\": \"hi\"}]}}\n");
		requests = through(() -> run[0] = this.workspace.dmrAt(this.socketUrl, "job=openai-batch",
				"input=input/requests.jsonl", "output=batch"));
		assertThat(run[0].exitCode()).as(run[0].toString()).isZero();
		assertThat(this.workspace.read("batch/output.jsonl")).contains("\"custom_id\":\"a\"");
		assertThat(requests).contains("POST " + HTTP_PATH + "/chat/completions");

		// job=chat with a piped prompt: one streamed answer
		int streams = this.forwarder.eventStreams();
		requests = through(() -> run[0] = piped("Hello\n", "job=chat", "model=ai/tiny", "session=s",
				"--dmr.max-tokens=6"));
		assertThat(run[0].exitCode()).as(run[0].toString()).isZero();
		assertThat(run[0].out()).isNotBlank();
		assertThat(requests).contains("POST " + HTTP_PATH + "/chat/completions");
		assertThat(this.forwarder.eventStreams()).isGreaterThan(streams);

		// every request named the host localhost, as curl --unix-socket does
		assertThat(this.forwarder.hosts()).isNotEmpty().allMatch("localhost"::equals);
	}

	/**
	 * The exit code each command gives for a runner that cannot be reached is the one it gives for a TCP port where
	 * nothing listens (asked once): 2 where the command checks the runner before it starts, 5 for openai-batch,
	 * whose run starts and fails.
	 */
	@Test
	void aSocketThatIsNotThereIsNamedInOneLineWithoutRetrying() throws Exception {
		String missing = "unix://" + this.dir.resolve("none.sock") + ":" + HTTP_PATH;
		this.workspace.file("input/requests.jsonl", "{\"custom_id\": \"a\", \"method\": \"POST\", \"url\": "
				+ "\"/v1/chat/completions\", \"body\": {\"model\": \"ai/tiny\", \"max_tokens\": 4, \"messages\": "
				+ "[{\"role\": \"user\", \"content\": \"hi\"}]}}\n");
		for (List<String> args : List.of(List.of("job=hello"), List.of("job=models"),
				List.of("job=probe", "model=ai/tiny"),
				List.of("job=openai-batch", "input=input/requests.jsonl", "output=missing"))) {
			long start = System.nanoTime();
			Dmr.Result result = this.workspace.dmrAt(missing, args.toArray(String[]::new));
			long elapsed = (System.nanoTime() - start) / 1_000_000;
			List<String> refusedArgs = new java.util.ArrayList<>(args);
			refusedArgs.add("--dmr.retry.attempts=1");
			refusedArgs.replaceAll((arg) -> arg.equals("output=missing") ? "output=refused" : arg);
			Dmr.Result refused = this.workspace.dmrAt("http://127.0.0.1:1/v1", refusedArgs.toArray(String[]::new));
			assertThat(refused.exitCode()).as(refused.toString()).isIn(2, 5);
			assertThat(result.exitCode()).as(result.toString()).isEqualTo(refused.exitCode());
			assertThat(result.err().lines().filter((line) -> line.startsWith("error: ")))
				.as(result.toString())
				.singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
				.startsWith("error: ")
				.contains("cannot reach the model runner at " + missing + ": there is no socket at "
						+ this.dir.resolve("none.sock"))
				.doesNotContain("Exception");
			assertThat(result.err()).doesNotContain("retrying");
			// a retry with the default backoff alone waits at least 1 s
			assertThat(elapsed).as(args + " took " + elapsed + " ms").isLessThan(4000);
		}
		// a socket file that nobody listens on any more: refused, as a TCP port would be, at once
		Path stale = this.dir.resolve("stale.sock");
		try (java.nio.channels.ServerSocketChannel gone = java.nio.channels.ServerSocketChannel
			.open(java.net.StandardProtocolFamily.UNIX)) {
			gone.bind(java.net.UnixDomainSocketAddress.of(stale));
		}
		String refusedUrl = "unix://" + stale + ":" + HTTP_PATH;
		long start = System.nanoTime();
		Dmr.Result refused = this.workspace.dmrAt(refusedUrl, "job=models");
		assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
		assertThat(refused.err().strip()).isEqualTo("error: cannot reach the model runner at " + refusedUrl
				+ ": connection refused");
		assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(4000);
		Files.deleteIfExists(stale);

		Dmr.Result lane = this.workspace.dmrAt("http://127.0.0.1:1/v1", "job=hello", "base-url=" + missing);
		assertThat(lane.exitCode()).as(lane.toString()).isEqualTo(2);
		assertThat(lane.err()).contains("there is no socket at " + this.dir.resolve("none.sock"));
	}

	private Dmr.Result piped(String input, String... args) {
		InputStream stdin = System.in;
		System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
		try {
			return this.workspace.dmrAt(this.socketUrl, args);
		}
		finally {
			System.setIn(stdin);
		}
	}

	private static String runLabel(Dmr.Result result) {
		java.util.regex.Matcher label = java.util.regex.Pattern.compile("output/hello/([^/\\s]+)/").matcher(result.out());
		assertThat(label.find()).as(result.toString()).isTrue();
		return label.group(1);
	}

}
