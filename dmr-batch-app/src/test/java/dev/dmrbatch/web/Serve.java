package dev.dmrbatch.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.dmrbatch.support.DmrProcess;
import dev.dmrbatch.support.Workspace;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code job=serve} in a JVM of its own, on a free port, and an HTTP client for it, logged in: it opened the printed
 * address (the token in it) once, as a browser does, and carries the cookie that left.
 */
final class Serve implements AutoCloseable {

	static final JsonMapper JSON = JsonMapper.shared();

	private static final Pattern URL = Pattern.compile("dmr-batch web app: (http://\\S+)");

	final DmrProcess process;

	/** The address it printed, the token in it when there is one. */
	final URI url;

	/** The server itself: the printed address without its query. */
	final URI base;

	/** A client that keeps the cookies it is given: after {@link #start}, the token's. */
	final HttpClient http = HttpClient.newBuilder()
		.connectTimeout(Duration.ofSeconds(5))
		.cookieHandler(new java.net.CookieManager(null, java.net.CookiePolicy.ACCEPT_ALL))
		.build();

	/** A client without the token: no cookie, no header. */
	final HttpClient anonymous = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private Serve(DmrProcess process, URI url) {
		this.process = process;
		this.url = url;
		this.base = URI.create(url.getScheme() + "://" + url.getAuthority() + "/");
	}

	static Serve start(Workspace workspace, String runner, String... args) throws Exception {
		return start(workspace, true, java.util.Map.of(), runner, args);
	}

	/** @param home whether {@code --dmr.home} is given, or the working folder is the process's current one */
	static Serve start(Workspace workspace, boolean home, String runner, String... args) throws Exception {
		return start(workspace, home, java.util.Map.of(), runner, args);
	}

	/** @param environment variables added to the process's environment */
	static Serve start(Workspace workspace, java.util.Map<String, String> environment, String runner, String... args)
			throws Exception {
		return start(workspace, true, environment, runner, args);
	}

	private static Serve start(Workspace workspace, boolean home, java.util.Map<String, String> environment,
			String runner, String... args) throws Exception {
		String[] all = new String[args.length + 2];
		all[0] = "serve";
		all[1] = "port=0";
		System.arraycopy(args, 0, all, 2, args.length);
		DmrProcess process = home ? DmrProcess.start(workspace, environment, runner, all)
				: DmrProcess.startInWorkspace(workspace, runner, all);
		long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
		while (System.nanoTime() < deadline) {
			Matcher printed = URL.matcher(process.out());
			if (printed.find()) {
				Serve serve = new Serve(process, URI.create(printed.group(1)));
				serve.logIn();
				return serve;
			}
			if (!process.isAlive()) {
				throw new AssertionError("job=serve ended: " + process.out() + process.err());
			}
			Thread.sleep(100);
		}
		process.terminate();
		throw new AssertionError("job=serve printed no address within two minutes: " + process.err());
	}

	/** Opens the printed address once, when it holds a token: the cookie it leaves goes with every later request. */
	private void logIn() throws Exception {
		if (this.url.getQuery() == null) {
			return;
		}
		HttpResponse<String> first = this.http.send(HttpRequest.newBuilder(this.url).build(),
				HttpResponse.BodyHandlers.ofString());
		if (first.statusCode() != 200) {
			close();
			throw new AssertionError("the printed address answered " + first.statusCode() + ": " + first.body());
		}
	}

	/** The token in the printed address, null when there is none. */
	String token() {
		String query = this.url.getRawQuery();
		return (query != null && query.startsWith("token="))
				? java.net.URLDecoder.decode(query.substring("token=".length()), java.nio.charset.StandardCharsets.UTF_8)
				: null;
	}

	HttpResponse<String> get(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(this.base.resolve(path)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	JsonNode json(String path) throws Exception {
		HttpResponse<String> response = get(path);
		if (response.statusCode() != 200) {
			throw new AssertionError("GET " + path + ": " + response.statusCode() + " " + response.body());
		}
		return JSON.readTree(response.body());
	}

	String csrf() throws Exception {
		return json("api/csrf").path("token").asString();
	}

	HttpResponse<String> post(String path, String json, boolean withCsrf) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(this.base.resolve(path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json));
		if (withCsrf) {
			request.header("X-CSRF-Token", csrf());
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** Waits until a run of the label shows in {@code /api/runs} with a status the predicate accepts. */
	JsonNode awaitRun(String label, java.util.function.Predicate<String> status) throws Exception {
		long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
		while (System.nanoTime() < deadline) {
			for (JsonNode run : json("api/runs")) {
				if (label.equals(run.path("run").asString(null)) && status.test(run.path("status").asString())) {
					return run;
				}
			}
			Thread.sleep(200);
		}
		throw new AssertionError("run " + label + " did not show up as expected: " + json("api/runs"));
	}

	@Override
	public void close() throws Exception {
		this.process.terminate();
		this.process.waitFor();
	}

}
