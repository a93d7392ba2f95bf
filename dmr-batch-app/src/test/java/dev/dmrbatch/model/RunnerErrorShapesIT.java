package dev.dmrbatch.model;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Docker Model Runner answers errors in three shapes: its own text/plain ones, llama-server's OpenAI-style JSON
 * (covered against the real runner), and empty-bodied proxy errors. llama-server cannot produce the first and the
 * last, so a loopback stub plays Docker Model Runner here, and only here.
 */
@ExtendWith(WorkspaceExtension.class)
class RunnerErrorShapesIT {

	Workspace workspace;

	HttpServer server;

	volatile int status;

	volatile String contentType;

	volatile String body;

	final AtomicInteger chatRequests = new AtomicInteger();

	@BeforeEach
	void setUp() throws IOException {
		this.workspace.file("jobs/one.yaml", """
				input: { format: jsonl, path: input/a.jsonl }
				model: { name: ai/x }
				steps: [ { name: a, prompt: "Say ${text}" } ]
				""");
		this.workspace.file("input/a.jsonl", "{\"text\": \"hi\"}\n");
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.server.createContext("/engines/v1/models", (exchange) -> answer(exchange, 200, "application/json",
				"{\"object\":\"list\",\"data\":[{\"id\":\"ai/x\",\"object\":\"model\",\"created\":1,\"owned_by\":\"docker\"}]}"));
		this.server.createContext("/engines/v1/chat/completions", (exchange) -> {
			this.chatRequests.incrementAndGet();
			answer(exchange, this.status, this.contentType, this.body);
		});
		this.server.start();
	}

	@AfterEach
	void tearDown() {
		this.server.stop(0);
	}

	private static void answer(HttpExchange exchange, int status, String contentType, String body) throws IOException {
		exchange.getRequestBody().readAllBytes();
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		if (contentType != null) {
			exchange.getResponseHeaders().set("Content-Type", contentType);
		}
		exchange.sendResponseHeaders(status, (bytes.length == 0) ? -1 : bytes.length);
		if (bytes.length > 0) {
			exchange.getResponseBody().write(bytes);
		}
		exchange.close();
	}

	private Dmr.Result run() {
		String url = "http://127.0.0.1:" + this.server.getAddress().getPort() + "/engines/v1";
		return Dmr.run(this.workspace, url, "job=one", "--dmr.retry.attempts=2", "--dmr.retry.backoff=10ms");
	}

	@Test
	void plainTextErrorOfDockerModelRunnerIsShownAsItIs() {
		this.status = 404;
		this.contentType = "text/plain; charset=utf-8";
		this.body = "model ai/x not found\n";
		Dmr.Result result = run();
		assertThat(result.exitCode()).isEqualTo(3);
		assertThat(this.workspace.read("output/one/run-1/results.jsonl"))
			.contains("\"error\":\"step a: model 'ai/x' at http://127.0.0.1:" + this.server.getAddress().getPort()
					+ "/engines/v1 answered 404: model ai/x not found\"");
		assertThat(this.chatRequests).as("404 is not retried").hasValue(1);
	}

	@Test
	void openAiStyleJsonErrorShowsItsMessage() {
		this.status = 400;
		this.contentType = "application/json";
		this.body = "{\"error\":{\"code\":400,\"message\":\"the request exceeds the available context size\","
				+ "\"type\":\"exceed_context_size_error\"}}";
		Dmr.Result result = run();
		assertThat(result.exitCode()).isEqualTo(3);
		assertThat(this.workspace.read("output/one/run-1/results.jsonl"))
			.contains("answered 400: the request exceeds the available context size");
		assertThat(this.chatRequests).hasValue(1);
	}

	@Test
	void emptyProxyErrorIsRetriedThenReportedWithItsStatus() {
		this.status = 502;
		this.contentType = null;
		this.body = "";
		Dmr.Result result = run();
		assertThat(result.exitCode()).isEqualTo(3);
		assertThat(this.workspace.read("output/one/run-1/results.jsonl"))
			.contains("answered 502: an empty answer (502 from a proxy or gateway)");
		assertThat(this.chatRequests).as("502 is retried, up to the attempts configured").hasValue(2);
	}

}
