package dev.dmrbatch.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A small HTTP proxy in front of the real runner, for fault injection: it counts chat requests per item (by the
 * {@code Item <id>:} marker the tests' prompts carry), and can answer some requests itself with an error status or
 * drop their connection without an answer, or pass a streamed answer's server-sent events on rewritten: cut after a
 * few events (the response ended there, or its connection dropped mid-response as when a runner is killed), or in
 * another server's shapes.
 */
public final class FaultProxy implements AutoCloseable {

	private static final Pattern ITEM = Pattern.compile("Item ([A-Za-z0-9_-]+):");

	/** Paths at the proxy's root that are forwarded to the runner's root, beside its {@code /v1}. */
	private static final java.util.Set<String> ROOT_PATHS = java.util.Set.of("/tokenize", "/apply-template");

	/** What to do with the n-th chat request (from 1): forward it, or a fault. */
	public sealed interface Action permits Forward, Status, Drop, Slow, Events {
	}

	/**
	 * Forwarded, and the runner's server-sent events (each as its lines, without the blank line that ends it)
	 * rewritten before they are passed on, one by one, as a chunked response; with {@code abort}, the connection is
	 * then dropped without ending the response.
	 */
	public record Events(java.util.function.UnaryOperator<List<String>> rewrite, boolean abort, long pauseMillis)
			implements Action {

		public Events(java.util.function.UnaryOperator<List<String>> rewrite, boolean abort) {
			this(rewrite, abort, 0);
		}

	}

	/** A streamed answer's events passed on one every {@code millis}: a slow runner, still writing its answer. */
	public static Action paced(long millis) {
		return new Events(java.util.function.UnaryOperator.identity(), false, millis);
	}

	/** The first {@code n} events of a streamed answer, then the end of the response, as if it were complete. */
	public static Action cutAfter(int n) {
		return new Events((events) -> events.subList(0, Math.min(n, events.size())), false);
	}

	/** The first {@code n} events of a streamed answer, then the connection dropped: a runner killed mid-answer. */
	public static Action dropAfter(int n) {
		return new Events((events) -> events.subList(0, Math.min(n, events.size())), true);
	}

	/** A streamed answer's events rewritten, e.g. into another server's shapes. */
	public static Action reshape(java.util.function.UnaryOperator<List<String>> rewrite) {
		return new Events(rewrite, false);
	}

	/** Forwarded after a pause: a slower runner. */
	public record Slow(long millis) implements Action {
	}

	public record Forward() implements Action {
	}

	/** Answered by the proxy itself, with these extra headers (such as {@code Retry-After}). */
	public record Status(int code, String body, Map<String, String> headers) implements Action {

		public Status(int code, String body) {
			this(code, body, Map.of());
		}

	}

	public record Drop() implements Action {
	}

	public static final Action FORWARD = new Forward();

	private final HttpServer server;

	private final ExecutorService executor = Executors.newCachedThreadPool();

	// HTTP/1.1: with the default h2c upgrade headers llama-server's router drops some connections unanswered
	private final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	private final String target;

	private final AtomicInteger chatRequests = new AtomicInteger();

	private final AtomicInteger forwarded = new AtomicInteger();

	private final Map<String, AtomicInteger> perItem = new ConcurrentHashMap<>();

	/**
	 * A chat request as the proxy sees it: its number overall, its item, its attempt for that item, and the model it
	 * asks.
	 */
	public record Seen(int n, String item, int attempt, String model) {
	}

	private static final Pattern MODEL = Pattern.compile("\"model\"\\s*:\\s*\"([^\"]*)\"");

	private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();

	private final List<String> chatBodies = new java.util.ArrayList<>();

	/**
	 * Every request seen, whatever its path: its method, path and Authorization header, and when it arrived (as
	 * {@link System#nanoTime()} counts, once its body was read).
	 */
	public record Received(String method, String path, String authorization, long arrivedNanos) {
	}

	private final List<Received> received = new java.util.concurrent.CopyOnWriteArrayList<>();

	private final AtomicInteger atOnce = new AtomicInteger();

	private final AtomicInteger mostAtOnce = new AtomicInteger();

	private volatile java.util.function.Function<Seen, Action> faults = (seen) -> FORWARD;

	/** @param target the runner's base URL, e.g. {@code http://127.0.0.1:12439/engines/llama.cpp/v1} */
	public FaultProxy(String target) throws IOException {
		this.target = target.replaceAll("/+$", "");
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
		this.server.setExecutor(this.executor);
		this.server.createContext("/", this::handle);
		this.server.start();
	}

	/** The proxy's base URL, to give dmr-batch as {@code dmr.base-url}. */
	public String baseUrl() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort() + "/v1";
	}

	/** Decides, from the chat request's number, what happens to it. */
	public FaultProxy faults(IntFunction<Action> faults) {
		this.faults = (seen) -> faults.apply(seen.n());
		return this;
	}

	/** Decides, from the chat request's item and attempt, what happens to it. */
	public FaultProxy faultsPerItem(java.util.function.Function<Seen, Action> faults) {
		this.faults = faults;
		return this;
	}

	/** The bodies of the chat requests seen, in arrival order. */
	public List<String> chatBodies() {
		synchronized (this.chatBodies) {
			return List.copyOf(this.chatBodies);
		}
	}

	/** The bodies of the chat requests seen after the first {@code from}, in arrival order. */
	public List<String> chatBodiesSince(int from) {
		List<String> bodies = chatBodies();
		return bodies.subList(from, bodies.size());
	}

	/**
	 * What each chat request seen after the first {@code from} asked: its item (by the {@code Item <id>:} marker) and
	 * the first group of {@code field} in its body, as {@code "<item> <value>"}, {@code ?} for either when absent.
	 */
	public List<String> sentSince(int from, Pattern field) {
		List<String> sent = new java.util.ArrayList<>();
		for (String body : chatBodiesSince(from)) {
			Matcher item = ITEM.matcher(body);
			Matcher value = field.matcher(body);
			sent.add((item.find() ? item.group(1) : "?") + " " + (value.find() ? value.group(1) : "?"));
		}
		return sent;
	}

	private final Map<String, Status> answers = new ConcurrentHashMap<>();

	/** Answers every request whose path ends with {@code pathEnd} (e.g. {@code /completions}) itself, with this. */
	public FaultProxy answer(String pathEnd, Status status) {
		this.answers.put(pathEnd, status);
		return this;
	}

	/** Every request seen, in arrival order. */
	public List<Received> received() {
		return List.copyOf(this.received);
	}

	public int chatRequests() {
		return this.chatRequests.get();
	}

	/** Chat requests that reached the runner. */
	public int forwarded() {
		return this.forwarded.get();
	}

	/** The most chat requests the proxy was handling at the same moment. */
	public int mostChatsAtOnce() {
		return this.mostAtOnce.get();
	}

	/** Chat requests that reached the runner, per item id. */
	public Map<String, Integer> forwardedPerItem() {
		Map<String, Integer> counts = new java.util.TreeMap<>();
		this.perItem.forEach((id, n) -> counts.put(id, n.get()));
		return counts;
	}

	/** Thrown to drop a connection mid-response: the server then closes it without ending the chunked body. */
	private static final class DroppedMidResponse extends RuntimeException {

		DroppedMidResponse() {
			super("dropped mid-response", null, false, false);
		}

	}

	private void handle(HttpExchange exchange) throws IOException {
		boolean dropped = false;
		try {
			byte[] body = exchange.getRequestBody().readAllBytes();
			String path = exchange.getRequestURI().getPath().replaceFirst("^/v1", "");
			this.received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
					exchange.getRequestHeaders().getFirst("Authorization"), System.nanoTime()));
			boolean chat = path.endsWith("/chat/completions");
			if (chat) {
				this.mostAtOnce.accumulateAndGet(this.atOnce.incrementAndGet(), Math::max);
			}
			try {
				forward(exchange, path, body, chat);
			}
			finally {
				if (chat) {
					this.atOnce.decrementAndGet();
				}
			}
		}
		catch (DroppedMidResponse ex) {
			// not closed: HttpServer drops the connection of an exchange whose handler throws
			dropped = true;
			throw ex;
		}
		finally {
			if (!dropped) {
				exchange.close();
			}
		}
	}

	private void forward(HttpExchange exchange, String path, byte[] body, boolean chat) throws IOException {
		Action action = FORWARD;
		for (Map.Entry<String, Status> answer : this.answers.entrySet()) {
			if (path.endsWith(answer.getKey()) && !(chat && !answer.getKey().endsWith("/chat/completions"))) {
				byte[] bytes = answer.getValue().body().getBytes(StandardCharsets.UTF_8);
				exchange.getResponseHeaders().set("Content-Type", "application/json");
				exchange.sendResponseHeaders(answer.getValue().code(), (bytes.length == 0) ? -1 : bytes.length);
				exchange.getResponseBody().write(bytes);
				return;
			}
		}
		if (chat) {
			synchronized (this.chatBodies) {
				this.chatBodies.add(new String(body, StandardCharsets.UTF_8));
			}
			Matcher marker = ITEM.matcher(new String(body, StandardCharsets.UTF_8));
			String item = marker.find() ? marker.group(1) : "";
			int attempt = this.attempts.computeIfAbsent(item, (k) -> new AtomicInteger()).incrementAndGet();
			Matcher model = MODEL.matcher(new String(body, StandardCharsets.UTF_8));
			action = this.faults.apply(new Seen(this.chatRequests.incrementAndGet(), item, attempt,
					model.find() ? model.group(1) : ""));
			if (action instanceof Drop) {
				return; // closed without an answer
			}
			if (action instanceof Slow slow) {
				try {
					Thread.sleep(slow.millis());
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
			}
			if (action instanceof Status status) {
				byte[] answer = status.body().getBytes(StandardCharsets.UTF_8);
				exchange.getResponseHeaders().set("Content-Type", "application/json");
				status.headers().forEach(exchange.getResponseHeaders()::set);
				exchange.sendResponseHeaders(status.code(), (answer.length == 0) ? -1 : answer.length);
				exchange.getResponseBody().write(answer);
				return;
			}
		}
		// llama-server's own endpoints beside /v1 (a dry run's token counts) go to the runner's root beside its /v1
		String to = ROOT_PATHS.contains(path) ? this.target.replaceFirst("/v1$", "") + path : this.target + path;
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(to))
			.timeout(Duration.ofMinutes(2))
			.header("Content-Type", "application/json");
		request = exchange.getRequestMethod().equals("POST")
				? request.POST(HttpRequest.BodyPublishers.ofByteArray(body)) : request.GET();
		HttpResponse<byte[]> response;
		try {
			response = this.client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
		}
		catch (IOException ex) {
			return; // the runner is gone: so is the answer
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return;
		}
		if (chat) {
			this.forwarded.incrementAndGet();
			Matcher item = ITEM.matcher(new String(body, StandardCharsets.UTF_8));
			if (item.find()) {
				this.perItem.computeIfAbsent(item.group(1), (k) -> new AtomicInteger()).incrementAndGet();
			}
		}
		response.headers().firstValue("Content-Type").ifPresent((type) -> exchange.getResponseHeaders().set("Content-Type", type));
		if (action instanceof Events events && response.statusCode() == 200) {
			List<String> all = new java.util.ArrayList<>(List.of(new String(response.body(), StandardCharsets.UTF_8)
				.replace("\r\n", "\n").strip().split("\n\n+")));
			exchange.sendResponseHeaders(200, 0);
			for (String event : events.rewrite().apply(all)) {
				exchange.getResponseBody().write((event + "\n\n").getBytes(StandardCharsets.UTF_8));
				exchange.getResponseBody().flush();
				if (events.pauseMillis() > 0) {
					try {
						Thread.sleep(events.pauseMillis());
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
						return;
					}
				}
			}
			if (events.abort()) {
				throw new DroppedMidResponse();
			}
			return;
		}
		exchange.sendResponseHeaders(response.statusCode(), (response.body().length == 0) ? -1 : response.body().length);
		exchange.getResponseBody().write(response.body());
	}

	@Override
	public void close() {
		this.server.stop(0);
		this.executor.shutdownNow();
	}

}
