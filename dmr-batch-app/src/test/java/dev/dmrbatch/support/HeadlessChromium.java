package dev.dmrbatch.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Debian's Chromium, headless, driven over the DevTools protocol with the JDK's own WebSocket client: opens a page,
 * collects console errors, exceptions and network requests, evaluates scripts and takes screenshots. Fails (never
 * skips) when Chromium is missing: {@code .ci/run} installs it.
 */
public final class HeadlessChromium implements AutoCloseable {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");

	private final Process process;

	private final WebSocket socket;

	private final AtomicInteger ids = new AtomicInteger();

	private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

	private final List<JsonNode> events = new CopyOnWriteArrayList<>();

	private final List<CompletableFuture<JsonNode>> loads = new CopyOnWriteArrayList<>();

	public HeadlessChromium(Path profile) throws Exception {
		String binary = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
		if (!Files.isExecutable(Path.of(binary))) {
			throw new IllegalStateException(binary + " is missing: apt-get install chromium (.ci/run does)");
		}
		this.process = new ProcessBuilder(binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
				"--window-size=1280,1600", "--user-data-dir=" + profile, "--remote-debugging-port=0", "about:blank")
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.start();
		String browser = listening(this.process);
		URI base = URI.create(browser.replaceFirst("^ws://([^/]+)/.*$", "http://$1/"));
		HttpClient http = HttpClient.newHttpClient();
		String page = null;
		for (int attempt = 0; attempt < 50 && page == null; attempt++) {
			JsonNode targets = JSON.readTree(http
				.send(HttpRequest.newBuilder(base.resolve("/json/list")).build(), HttpResponse.BodyHandlers.ofString())
				.body());
			for (JsonNode target : targets) {
				if ("page".equals(target.path("type").asString())) {
					page = target.path("webSocketDebuggerUrl").asString();
				}
			}
			if (page == null) {
				Thread.sleep(100);
			}
		}
		if (page == null) {
			throw new IllegalStateException("Chromium opened no page");
		}
		this.socket = http.newWebSocketBuilder().buildAsync(URI.create(page), new Listener()).get(10, TimeUnit.SECONDS);
		for (String domain : List.of("Runtime", "Log", "Network", "Page")) {
			call(domain + ".enable", Map.of());
		}
	}

	private static String listening(Process process) throws IOException {
		BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
		StringBuilder seen = new StringBuilder();
		for (String line; (line = err.readLine()) != null;) {
			Matcher m = LISTENING.matcher(line);
			if (m.find()) {
				// keep draining stderr so Chromium never blocks on a full pipe
				Thread drain = new Thread(() -> err.lines().forEach((l) -> {
				}));
				drain.setDaemon(true);
				drain.start();
				return m.group(1);
			}
			seen.append(line).append('\n');
		}
		throw new IllegalStateException("Chromium did not start:\n" + seen);
	}

	/** Opens a page and waits for its load event. */
	public void open(URI url) throws Exception {
		CompletableFuture<JsonNode> loaded = new CompletableFuture<>();
		this.loads.add(loaded);
		call("Page.navigate", Map.of("url", url.toString()));
		loaded.get(30, TimeUnit.SECONDS);
	}

	/** A script's value, awaited when it is a promise. */
	public JsonNode evaluate(String expression) throws Exception {
		JsonNode result = call("Runtime.evaluate",
				Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
		if (result.has("exceptionDetails")) {
			throw new IllegalStateException("script failed: " + result.path("exceptionDetails"));
		}
		return result.path("result").path("value");
	}

	/** Any DevTools command, e.g. {@code Emulation.setDeviceMetricsOverride}; its result. */
	public JsonNode command(String method, Map<String, Object> params) throws Exception {
		return call(method, params);
	}

	public void screenshot(Path file) throws Exception {
		JsonNode shot = call("Page.captureScreenshot", Map.of("format", "png"));
		Files.write(file, Base64.getDecoder().decode(shot.path("data").asString()));
	}

	/** Console errors and warnings, uncaught exceptions, and browser log errors (a CSP violation among them). */
	public List<String> problems() {
		List<String> problems = new ArrayList<>();
		for (JsonNode event : this.events) {
			String method = event.path("method").asString();
			JsonNode params = event.path("params");
			if (method.equals("Runtime.consoleAPICalled")
					&& List.of("error", "warning", "assert").contains(params.path("type").asString())) {
				problems.add("console." + params.path("type").asString() + ": " + params.path("args"));
			}
			else if (method.equals("Runtime.exceptionThrown")) {
				problems.add("exception: " + params.path("exceptionDetails"));
			}
			else if (method.equals("Log.entryAdded")
					&& List.of("error", "warning").contains(params.path("entry").path("level").asString())) {
				problems.add("log: " + params.path("entry"));
			}
		}
		return problems;
	}

	/** Every URL the page asked for. */
	public List<String> requests() {
		return this.events.stream()
			.filter((e) -> e.path("method").asString().equals("Network.requestWillBeSent"))
			.map((e) -> e.path("params").path("request").path("url").asString())
			.toList();
	}

	private JsonNode call(String method, Map<String, Object> params) throws Exception {
		int id = this.ids.incrementAndGet();
		CompletableFuture<JsonNode> answer = new CompletableFuture<>();
		this.pending.put(id, answer);
		this.socket.sendText(JSON.writeValueAsString(Map.of("id", id, "method", method, "params", params)), true)
			.get(10, TimeUnit.SECONDS);
		JsonNode reply = answer.get(30, TimeUnit.SECONDS);
		if (reply.has("error")) {
			throw new IllegalStateException(method + " failed: " + reply.path("error"));
		}
		return reply.path("result");
	}

	@Override
	public void close() throws Exception {
		try {
			this.socket.abort();
		}
		finally {
			// Chromium's helper processes too, so none still writes to its profile folder when the test removes it
			List<ProcessHandle> all = new ArrayList<>(this.process.descendants().toList());
			all.add(this.process.toHandle());
			all.forEach(ProcessHandle::destroy);
			for (ProcessHandle handle : all) {
				try {
					handle.onExit().get(10, TimeUnit.SECONDS);
				}
				catch (java.util.concurrent.TimeoutException ex) {
					handle.destroyForcibly();
				}
			}
		}
	}

	private final class Listener implements WebSocket.Listener {

		private final StringBuilder text = new StringBuilder();

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			this.text.append(data);
			if (last) {
				JsonNode message = JSON.readTree(this.text.toString());
				this.text.setLength(0);
				if (message.has("id")) {
					CompletableFuture<JsonNode> answer = HeadlessChromium.this.pending.remove(message.path("id").asInt());
					if (answer != null) {
						answer.complete(message);
					}
				}
				else {
					HeadlessChromium.this.events.add(message);
					if (message.path("method").asString().equals("Page.loadEventFired")) {
						HeadlessChromium.this.loads.forEach((load) -> load.complete(message));
					}
				}
			}
			webSocket.request(1);
			return null;
		}

	}

}
