package dev.dmrbatch.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import com.sun.net.httpserver.HttpExchange;
import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.model.ChatService;
import dev.dmrbatch.model.TestClients;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A fake OpenAI-compatible model runner for unit tests, on the JDK's own HTTP server: {@code /models},
 * {@code /chat/completions} (whole, or streamed as server-sent events when the request says {@code stream}),
 * {@code /completions} and {@code /embeddings}, answered at once and always the same way for the same request. It
 * keeps every request, so a test can check what was sent, and a test decides each chat answer or fault itself
 * ({@link #answers}). The integration tests talk to the real runner ({@link LocalRunner}); this one lets the parts
 * around the runner (the pipeline, the processor, the load gate, the chat, the web API) be tested in milliseconds.
 * <pre>
 * try (FakeRunner runner = new FakeRunner()) {
 *     ChatService chat = runner.chatService(folder);
 *     ...
 *     assertThat(runner.requests()).hasSize(1);
 * }
 * </pre>
 */
public final class FakeRunner implements AutoCloseable {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** A request as the runner got it: its number (from 1), path, model, messages or prompt, and whole body. */
	public record Request(int n, String path, String model, List<Map<String, String>> messages, String prompt,
			boolean stream, JsonNode body) {

		/** The content of the last message, the prompt of a completion or the text of an embedding. */
		public String lastContent() {
			return this.messages.isEmpty() ? this.prompt : this.messages.get(this.messages.size() - 1).get("content");
		}

	}

	/** How the runner answers a request. */
	public sealed interface Reply permits Answer, Status, Drop {
	}

	/** An answer, with the reason it finished ({@code stop}, {@code length}). */
	public record Answer(String content, String finishReason) implements Reply {

		public Answer(String content) {
			this(content, "stop");
		}

	}

	/** An error status with its body, as a runner sends one (e.g. 500 "Context size has been exceeded."). */
	public record Status(int code, String body) implements Reply {
	}

	/** The connection closed without an answer. */
	public record Drop() implements Reply {
	}

	/** The default answer: {@code Echo: } and the last message's content (or prompt). */
	public static final Function<Request, Reply> ECHO = (request) -> new Answer("Echo: " + request.lastContent());

	private final HttpServer server;

	private final ExecutorService executor = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "fake-runner");
		thread.setDaemon(true);
		return thread;
	});

	private final List<String> models;

	private final List<Request> requests = new CopyOnWriteArrayList<>();

	private final AtomicInteger count = new AtomicInteger();

	private final AtomicInteger atOnce = new AtomicInteger();

	private final AtomicInteger mostAtOnce = new AtomicInteger();

	private volatile Function<Request, Reply> answers = ECHO;

	/** A runner serving {@code ai/tiny} and {@code ai/tiny2}, as the local runner does. */
	public FakeRunner() {
		this(LocalRunner.MODEL, LocalRunner.OTHER_MODEL);
	}

	public FakeRunner(String... models) {
		this.models = List.of(models);
		try {
			this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
		this.server.setExecutor(this.executor);
		this.server.createContext("/", this::handle);
		this.server.start();
	}

	/** Its OpenAI-compatible base URL, to give dmr-batch as {@code dmr.base-url}. */
	public String baseUrl() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort() + "/v1";
	}

	/**
	 * Decides how each chat completion, completion and embedding request is answered; called on the server's
	 * threads, one per request, so it may block to hold an answer back.
	 */
	public FakeRunner answers(Function<Request, Reply> answers) {
		this.answers = answers;
		return this;
	}

	/** A profile whose runner is this one: {@link TestProperties#home} with its base URL. */
	public DmrProperties properties(Path home) {
		return TestProperties.home(home).withBaseUrl(URI.create(baseUrl()));
	}

	/** The chat service the application would have for this runner. */
	public ChatService chatService(Path home) {
		return TestClients.chat(properties(home));
	}

	/** Every request but {@code /models}, in arrival order. */
	public List<Request> requests() {
		return List.copyOf(this.requests);
	}

	/** The most requests the runner was answering at the same moment. */
	public int mostAtOnce() {
		return this.mostAtOnce.get();
	}

	private void handle(HttpExchange exchange) throws IOException {
		try (exchange) {
			String path = exchange.getRequestURI().getPath().replaceFirst("^/v1", "");
			byte[] body = exchange.getRequestBody().readAllBytes();
			if (path.equals("/models")) {
				List<Map<String, Object>> data = this.models.stream()
					.map((id) -> Map.<String, Object>of("id", id, "object", "model", "created", 1, "owned_by", "fake"))
					.toList();
				json(exchange, 200, Map.of("object", "list", "data", data));
				return;
			}
			if (!exchange.getRequestMethod().equals("POST") || !(path.equals("/chat/completions")
					|| path.equals("/completions") || path.equals("/embeddings"))) {
				json(exchange, 404, Map.of("error", Map.of("code", 404, "message", "File Not Found", "type",
						"not_found_error")));
				return;
			}
			this.mostAtOnce.accumulateAndGet(this.atOnce.incrementAndGet(), Math::max);
			try {
				answer(exchange, path, JSON.readTree(body));
			}
			finally {
				this.atOnce.decrementAndGet();
			}
		}
	}

	private void answer(HttpExchange exchange, String path, JsonNode body) throws IOException {
		List<Map<String, String>> messages = new ArrayList<>();
		for (JsonNode message : body.path("messages")) {
			Map<String, String> one = new LinkedHashMap<>();
			one.put("role", message.path("role").asString());
			JsonNode content = message.path("content");
			if (content.isArray()) {
				// content parts (a prompt with images): its text parts, the images left in the body
				List<String> texts = new ArrayList<>();
				content.forEach((part) -> {
					if (part.path("type").asString("").equals("text")) {
						texts.add(part.path("text").asString());
					}
				});
				one.put("content", String.join("\n", texts));
			}
			else {
				one.put("content", content.asString());
			}
			messages.add(one);
		}
		String prompt = body.has("prompt") ? body.path("prompt").asString() : body.path("input").asString(null);
		Request request = new Request(this.count.incrementAndGet(), path, body.path("model").asString(),
				List.copyOf(messages), prompt, body.path("stream").asBoolean(false), body);
		this.requests.add(request);
		Reply reply = this.answers.apply(request);
		if (reply instanceof Drop) {
			throw new IOException("dropped"); // HttpServer closes the connection of a handler that throws
		}
		if (reply instanceof Status status) {
			byte[] bytes = status.body().getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().set("Content-Type", "application/json");
			exchange.sendResponseHeaders(status.code(), (bytes.length == 0) ? -1 : bytes.length);
			exchange.getResponseBody().write(bytes);
			return;
		}
		Answer answer = (Answer) reply;
		int promptTokens = tokens(messages.isEmpty() ? String.valueOf(prompt)
				: String.join(" ", messages.stream().map((m) -> m.get("content")).toList()));
		Map<String, Object> usage = Map.of("prompt_tokens", promptTokens, "completion_tokens",
				tokens(answer.content()), "total_tokens", promptTokens + tokens(answer.content()));
		switch (path) {
			case "/embeddings" -> json(exchange, 200, Map.of("object", "list", "model", request.model(), "data",
					List.of(Map.of("object", "embedding", "index", 0, "embedding", vector(prompt))), "usage",
					Map.of("prompt_tokens", promptTokens, "total_tokens", promptTokens)));
			case "/completions" -> json(exchange, 200, Map.of("id", "cmpl-" + request.n(), "object",
					"text_completion", "created", 1, "model", request.model(), "choices", List.of(Map.of("index", 0,
							"text", answer.content(), "finish_reason", answer.finishReason())), "usage", usage));
			default -> {
				if (request.stream()) {
					stream(exchange, request, answer, usage);
				}
				else {
					json(exchange, 200, Map.of("id", "chatcmpl-" + request.n(), "object", "chat.completion",
							"created", 1, "model", request.model(), "choices", List.of(Map.of("index", 0, "message",
									Map.of("role", "assistant", "content", answer.content()), "finish_reason",
									answer.finishReason())), "usage", usage));
				}
			}
		}
	}

	/** The answer word by word as server-sent events, the finish reason and the usage in the last chunk, then DONE. */
	private static void stream(HttpExchange exchange, Request request, Answer answer, Map<String, Object> usage)
			throws IOException {
		exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
		exchange.sendResponseHeaders(200, 0);
		OutputStream out = exchange.getResponseBody();
		List<String> pieces = new ArrayList<>(List.of(answer.content().split("(?<= )")));
		for (int i = 0; i < pieces.size(); i++) {
			Map<String, Object> delta = (i == 0) ? Map.of("role", "assistant", "content", pieces.get(i))
					: Map.of("content", pieces.get(i));
			event(out, chunk(request, delta, null, null));
		}
		event(out, chunk(request, Map.of(), answer.finishReason(), usage));
		out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
		out.flush();
	}

	private static Map<String, Object> chunk(Request request, Map<String, Object> delta, String finish,
			Map<String, Object> usage) {
		Map<String, Object> choice = new LinkedHashMap<>();
		choice.put("index", 0);
		choice.put("delta", delta);
		choice.put("finish_reason", finish);
		Map<String, Object> chunk = new LinkedHashMap<>();
		chunk.put("id", "chatcmpl-" + request.n());
		chunk.put("object", "chat.completion.chunk");
		chunk.put("created", 1);
		chunk.put("model", request.model());
		chunk.put("choices", List.of(choice));
		if (usage != null) {
			chunk.put("usage", usage);
		}
		return chunk;
	}

	private static void event(OutputStream out, Map<String, Object> data) throws IOException {
		out.write(("data: " + JSON.writeValueAsString(data) + "\n\n").getBytes(StandardCharsets.UTF_8));
		out.flush();
	}

	private static void json(HttpExchange exchange, int status, Object body) throws IOException {
		byte[] bytes = JSON.writeValueAsBytes(body);
		exchange.getResponseHeaders().set("Content-Type", "application/json");
		exchange.sendResponseHeaders(status, bytes.length);
		exchange.getResponseBody().write(bytes);
	}

	/** A token a word: close enough for usage figures, and the same every time. */
	private static int tokens(String text) {
		return (text == null || text.isBlank()) ? 0 : text.strip().split("\\s+").length;
	}

	/** Four numbers that depend on the text alone. */
	private static List<Double> vector(String text) {
		int hash = String.valueOf(text).hashCode();
		return List.of((hash & 0xff) / 255.0, ((hash >> 8) & 0xff) / 255.0, ((hash >> 16) & 0xff) / 255.0,
				((hash >>> 24) & 0xff) / 255.0);
	}

	@Override
	public void close() {
		this.server.stop(0);
		this.executor.shutdownNow();
	}

}
