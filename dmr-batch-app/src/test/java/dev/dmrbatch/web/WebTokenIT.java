package dev.dmrbatch.web;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.support.DmrProcess;
import dev.dmrbatch.support.HeadlessChromium;
import dev.dmrbatch.support.Workspace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who may use {@code job=serve}: on loopback too, only whoever holds its token (generated and printed, or given by
 * {@code DMR_SERVE_TOKEN} or an owner-only {@code token-file=}); {@code token=off} opens it on loopback only; the
 * token's cookie is named after the port, so two servers on one host keep their own. No model is asked: the runner's
 * address is a closed port.
 */
class WebTokenIT {

	private static final String NO_RUNNER = "http://127.0.0.1:9/v1";

	private static final String NEEDS_TOKEN =
			"this app needs its token: open the address job=serve printed (with ?token=)";

	@TempDir
	Path dir;

	@TempDir
	static Path sharedDir;

	/**
	 * The server as {@code job=serve} starts it by default, shared by the tests that only ask it: its start is most of
	 * a test's time.
	 */
	private static Serve byDefault;

	private static synchronized Serve byDefault() throws Exception {
		if (byDefault == null) {
			byDefault = Serve.start(new Workspace(Files.createDirectories(sharedDir.resolve("work"))), NO_RUNNER);
		}
		return byDefault;
	}

	@AfterAll
	static void stopByDefault() throws Exception {
		if (byDefault != null) {
			byDefault.close();
		}
	}

	@Test
	void onLoopbackEveryRequestNeedsTheToken() throws Exception {
		Serve serve = byDefault();
		assertThat(serve.url.getHost()).isEqualTo("127.0.0.1");
		assertThat(serve.url.getQuery()).matches("token=[0-9a-f]{40}");

		// without it: refused with one sentence and nothing else, JSON under /api
		for (String path : List.of("api/runs", "api/models", "api/chat/sessions", "api/csrf", "api/runs/1/items")) {
			refusedAsJson(anonymous(serve, HttpRequest.newBuilder(serve.base.resolve(path))), path);
		}
		refusedAsJson(anonymous(serve, HttpRequest.newBuilder(serve.base.resolve("api/runs/1/events"))
			.header("Accept", "text/event-stream")), "the event stream");
		refusedAsJson(anonymous(serve, HttpRequest.newBuilder(serve.base.resolve("api/chat"))
			.header("Content-Type", "application/json")
			.header("Accept", "text/event-stream")
			.header("X-CSRF-Token", "guessed")
			.POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"ai/tiny\", \"messages\": [{\"role\": \"user\", "
					+ "\"content\": \"Hello\"}]}"))), "the chat");
		for (String path : List.of("", "runs/1", "chat", "jobs", "compare?runs=1,2", "static/app.js", "error")) {
			HttpResponse<String> page = anonymous(serve, HttpRequest.newBuilder(serve.base.resolve(path)));
			assertThat(page.statusCode()).as(path).isEqualTo(401);
			assertThat(page.body()).as(path).isEqualTo(NEEDS_TOKEN + "\n");
		}
		// a wrong token is no token
		refusedAsJson(anonymous(serve, HttpRequest.newBuilder(serve.base.resolve("api/runs?token=" + "0".repeat(40)))),
				"a wrong token");
		refusedAsJson(anonymous(serve, HttpRequest.newBuilder(serve.base.resolve("api/runs"))
			.header("Authorization", "Bearer " + "0".repeat(40))), "a wrong bearer token");

		// with it: the printed address left a cookie named after the port, for the whole app, out of scripts' reach
		HttpResponse<String> first = anonymous(serve, HttpRequest.newBuilder(serve.url));
		assertThat(first.statusCode()).isEqualTo(200);
		String cookie = first.headers().firstValue("Set-Cookie").orElseThrow();
		assertThat(cookie).startsWith("dmr-token-" + serve.base.getPort() + "=" + serve.token() + ";")
			.contains("Path=/", "HttpOnly", "SameSite=Strict");
		assertThat(serve.get("api/runs").statusCode()).isEqualTo(200);
		assertThat(serve.get("").statusCode()).isEqualTo(200);
		assertThat(anonymous(serve, HttpRequest.newBuilder(serve.base.resolve("api/runs"))
			.header("Authorization", "Bearer " + serve.token())).statusCode()).isEqualTo(200);
		assertThat(serve.process.out() + serve.process.err()).doesNotContain("\tat ");
	}

	@Test
	void errorIsTheAppsOwnNotFound() throws Exception {
		Serve serve = byDefault();
		for (String accept : List.of("text/html", "application/json", "*/*")) {
			HttpResponse<String> error = serve.http.send(HttpRequest.newBuilder(serve.base.resolve("error"))
				.header("Accept", accept).build(), HttpResponse.BodyHandlers.ofString());
			assertThat(error.statusCode()).as(accept).isEqualTo(404);
			assertThat(error.body()).as(accept).contains("there is nothing at this address")
				.doesNotContain("Whitelabel", "999", "timestamp");
			assertThat(error.headers().firstValue("Content-Security-Policy")).isPresent();
		}
		HttpResponse<String> posted = serve.post("error", "{}", true);
		assertThat(posted.statusCode()).isEqualTo(404);
		assertThat(posted.body()).contains("there is nothing at this address").doesNotContain("Whitelabel", "999");
		// under /api, JSON as the rest of the API
		HttpResponse<String> api = serve.get("api/error");
		assertThat(api.statusCode()).isEqualTo(404);
		assertThat(Serve.JSON.readTree(api.body()).path("error").asString()).isEqualTo("there is nothing at this address");
	}

	@Test
	void tokenOffOpensTheAppOnLoopback() throws Exception {
		Workspace workspace = workspace("work");
		try (Serve serve = Serve.start(workspace, NO_RUNNER, "token=off")) {
			assertThat(serve.url.getQuery()).isNull();
			assertThat(anonymous(serve, HttpRequest.newBuilder(serve.base.resolve("api/runs"))).statusCode())
				.isEqualTo(200);
			assertThat(anonymous(serve, HttpRequest.newBuilder(serve.base.resolve(""))).statusCode()).isEqualTo(200);
			assertThat(serve.post("api/chat", "{}", false).statusCode()).isEqualTo(403); // the CSRF token still
		}
	}

	@Test
	void theTokenFromTheEnvironmentOrAnOwnerOnlyFile() throws Exception {
		Workspace workspace = workspace("work");
		String fromEnvironment = "env-token-0123456789abcdef";
		try (Serve serve = Serve.start(workspace, Map.of("DMR_SERVE_TOKEN", fromEnvironment), NO_RUNNER)) {
			assertThat(serve.token()).isEqualTo(fromEnvironment);
			assertThat(ProcessHandle.of(serve.process.pid()).orElseThrow().info().commandLine().orElseThrow())
				.doesNotContain(fromEnvironment);
			refusedAsJson(anonymous(serve, HttpRequest.newBuilder(serve.base.resolve("api/runs"))), "no token");
			assertThat(serve.get("api/runs").statusCode()).isEqualTo(200);
		}
		String fromFile = "file-token+/=0123456789&#%";
		Path file = workspace.path("secret/token");
		Files.createDirectories(file.getParent());
		Files.writeString(file, fromFile + "\n");
		Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
		try (Serve serve = Serve.start(workspace, Map.of("DMR_SERVE_TOKEN", fromEnvironment), NO_RUNNER,
				"token-file=" + file)) {
			// the file beats the environment, as the command line does
			assertThat(serve.token()).isEqualTo(fromFile);
			assertThat(ProcessHandle.of(serve.process.pid()).orElseThrow().info().commandLine().orElseThrow())
				.doesNotContain(fromFile);
			refusedAsJson(anonymous(serve, HttpRequest.newBuilder(serve.base.resolve("api/runs"))), "no token");
			assertThat(serve.get("api/runs").statusCode()).isEqualTo(200);
			assertThat(anonymous(serve, HttpRequest.newBuilder(serve.base.resolve("api/runs"))
				.header("Authorization", "Bearer " + fromFile)).statusCode()).isEqualTo(200);
		}
	}

	@Test
	void aTokenThatCannotBeTrustedIsRefusedInOneSentence() throws Exception {
		Workspace workspace = workspace("work");
		refused(workspace, Map.of(), "token= is shorter than 16 characters", "short-token", "token=short-token");
		refused(workspace, Map.of("DMR_SERVE_TOKEN", "short-too"), "DMR_SERVE_TOKEN is shorter than 16 characters",
				"short-too");
		refused(workspace, Map.of(), "token= may hold only", "with space 0123456789", "token=with space 0123456789");
		Path open = workspace.path("open-token");
		Files.writeString(open, "readable-by-all-0123456789\n");
		Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
		refused(workspace, Map.of(), "token-file=" + open + " is open to other users", "readable-by-all-0123456789",
				"token-file=" + open);
		Path group = workspace.path("group-token");
		Files.writeString(group, "readable-by-group-0123456789\n");
		Files.setPosixFilePermissions(group, PosixFilePermissions.fromString("rw-r-----"));
		refused(workspace, Map.of(), "token-file=" + group + " is open to other users", "readable-by-group-0123456789",
				"token-file=" + group);
		Path shortFile = workspace.path("short-token");
		Files.writeString(shortFile, "tiny\n");
		Files.setPosixFilePermissions(shortFile, PosixFilePermissions.fromString("rw-------"));
		refused(workspace, Map.of(), "the token in token-file=" + shortFile + " is shorter than 16 characters", "tiny",
				"token-file=" + shortFile);
		refused(workspace, Map.of(), "token-file=" + workspace.path("none") + " does not exist", "\u0000",
				"token-file=" + workspace.path("none"));
		refused(workspace, Map.of(), "give token= or token-file=, not both", "given-token-0123456789",
				"token=given-token-0123456789", "token-file=" + shortFile);
		refused(workspace, Map.of(), "token=off is only for a loopback address", "\u0000", "token=off",
				"address=0.0.0.0");
	}

	@Test
	void twoServersOnTwoPortsKeepTheirOwnSession() throws Exception {
		Workspace one = workspace("one");
		Workspace two = workspace("two");
		try (Serve first = Serve.start(one, NO_RUNNER, "token=first-token-0123456789");
				Serve second = Serve.start(two, NO_RUNNER, "token=second-token-0123456789");
				HeadlessChromium chromium = new HeadlessChromium(Files.createDirectories(this.dir.resolve("chromium")))) {
			assertThat(first.base.getHost()).isEqualTo(second.base.getHost());
			// cookies ignore ports: one browser logs in to both
			chromium.open(first.url);
			chromium.open(second.url);
			// and each keeps its own session
			assertThat(body(chromium, first.base.resolve("api/csrf"))).contains("\"token\"");
			assertThat(body(chromium, second.base.resolve("api/csrf"))).contains("\"token\"");
			assertThat(body(chromium, first.base.resolve("api/runs"))).startsWith("[");
			// one server's cookie is not the other's login
			String cookie = "dmr-token-" + first.base.getPort() + "=first-token-0123456789";
			HttpResponse<String> crossed = second.anonymous.send(HttpRequest.newBuilder(second.base.resolve("api/runs"))
				.header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString());
			assertThat(crossed.statusCode()).isEqualTo(401);
		}
	}

	private Workspace workspace(String name) throws Exception {
		return new Workspace(Files.createDirectories(this.dir.resolve(name)));
	}

	private static String body(HeadlessChromium chromium, URI url) throws Exception {
		chromium.open(url);
		return chromium.evaluate("document.body.textContent").asString();
	}

	private static HttpResponse<String> anonymous(Serve serve, HttpRequest.Builder request) throws Exception {
		return serve.anonymous.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static void refusedAsJson(HttpResponse<String> response, String what) {
		assertThat(response.statusCode()).as(what).isEqualTo(401);
		assertThat(response.headers().firstValue("Content-Type").orElse("")).as(what).startsWith("application/json");
		// a problem detail, and nothing else: the sentence as its detail and its error
		JsonNode problem = Serve.JSON.readTree(response.body());
		assertThat(problem.path("error").asString()).as(what).isEqualTo(NEEDS_TOKEN);
		assertThat(problem.path("detail").asString()).as(what).isEqualTo(NEEDS_TOKEN);
		assertThat(problem.path("status").asInt()).as(what).isEqualTo(401);
		assertThat(problem.propertyNames()).as(what).containsExactlyInAnyOrder("title", "status", "detail", "error");
	}

	/** {@code job=serve} with these arguments ends at once: exit 2, one sentence, the token nowhere in it. */
	private static void refused(Workspace workspace, Map<String, String> environment, String sentence, String secret,
			String... args) throws Exception {
		String[] all = new String[args.length + 2];
		all[0] = "serve";
		all[1] = "port=0";
		System.arraycopy(args, 0, all, 2, args.length);
		DmrProcess process = DmrProcess.start(workspace, environment, NO_RUNNER, all);
		long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
		while (process.isAlive() && System.nanoTime() < deadline) {
			Thread.sleep(100);
		}
		if (process.isAlive()) {
			process.terminate();
			process.waitFor();
			throw new AssertionError("job=serve " + String.join(" ", args) + " started: " + process.out());
		}
		String said = process.out() + process.err();
		assertThat(process.waitFor()).as(said).isEqualTo(2);
		assertThat(process.err().strip().lines()).as(said).hasSize(1);
		assertThat(process.err()).as(said).contains(sentence).doesNotContain(secret).doesNotContain("\tat ");
		assertThat(process.out()).as(said).doesNotContain(secret);
	}

}
