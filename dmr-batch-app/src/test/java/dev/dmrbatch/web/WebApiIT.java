package dev.dmrbatch.web;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.DmrProcess;
import dev.dmrbatch.support.FaultProxy;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web app's JSON API against the real runner, with {@code job=serve} and the batch runs it watches in processes
 * of their own on one store: every endpoint, the event stream of a run going on in another process included.
 */
class WebApiIT {

	@TempDir
	Path dir;

	private Workspace workspace() {
		Workspace workspace = new Workspace(this.dir.resolve("work"));
		workspace.file("input/few.csv", "id,text\nalpha,first\nbravo,second\ncharlie,third\n");
		StringBuilder many = new StringBuilder("id,text\n");
		IntStream.rangeClosed(1, 30).forEach((i) -> many.append("m").append(i).append(",text ").append(i).append('\n'));
		workspace.file("input/many.csv", many.toString());
		workspace.file("jobs/quick.yaml", """
				description: Three items.
				input: { format: csv, path: input/few.csv, id: id }
				model: { name: ai/tiny, max_tokens: 12, seed: 7, temperature: 0 }
				steps: [ { name: answer, prompt: "Item ${record.id}: ${text}" } ]
				export: [jsonl]
				""");
		workspace.file("jobs/slow.yaml", """
				input: { format: csv, path: input/many.csv, id: id }
				model: { name: ai/tiny, max_tokens: 8 }
				concurrency: 1
				steps: [ { name: answer, prompt: "Item ${record.id}: ${text}" } ]
				export: [jsonl]
				""");
		return workspace;
	}

	@Test
	void everyEndpointOnPostgres() throws Exception {
		everyEndpoint(WebStore.POSTGRES);
	}

	void everyEndpoint(WebStore kind) throws Exception {
		Workspace workspace = workspace();
		String[] store = kind.prepare(workspace);
		Dmr.Result quick = Dmr.run(workspace, LocalRunner.baseUrl(), WebStore.with(store, "job=quick", "run=first"));
		assertThat(quick.exitCode()).as(quick.toString()).isZero();
		try (FaultProxy slowRunner = new FaultProxy(LocalRunner.baseUrl()).faults((n) -> new FaultProxy.Slow(250));
				Serve serve = Serve.start(workspace, LocalRunner.baseUrl(), store)) {
			assertThat(serve.url.getHost()).isEqualTo("127.0.0.1");
			// on loopback too, the token: printed in the address, whose first visit (Serve's) left its cookie
			assertThat(serve.url.getQuery()).matches("token=[0-9a-f]{40}");
			HttpResponse<String> noToken = serve.anonymous.send(HttpRequest.newBuilder(serve.base.resolve("api/runs")).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(noToken.statusCode()).isEqualTo(401);
			assertThat(Serve.JSON.readTree(noToken.body()).path("error").asString()).startsWith("this app needs its token");

			// GET /api/runs: the array job=runs --json prints, the same keys and values
			Dmr.Result runs = Dmr.run(workspace, LocalRunner.baseUrl(), WebStore.with(store, "job=runs", "--json"));
			JsonNode cli = Serve.JSON.readTree(runs.out());
			JsonNode api = serve.json("api/runs");
			assertThat(api.size()).isEqualTo(cli.size()).isEqualTo(1);
			assertThat(names(api.get(0))).containsExactlyElementsOf(names(cli.get(0)));
			assertThat(api.get(0).path("id").asLong()).isEqualTo(cli.get(0).path("id").asLong());
			assertThat(api.get(0).path("status").asString()).isEqualTo("COMPLETED");
			long first = api.get(0).path("id").asLong();

			// GET /api/runs/{id}: by id or label
			JsonNode run = serve.json("api/runs/first");
			assertThat(run.path("id").asLong()).isEqualTo(first);
			assertThat(run.path("items").asLong()).isEqualTo(3);
			assertThat(run.path("total_items").asLong()).isEqualTo(3);
			assertThat(run.path("executions").size()).isEqualTo(1);
			assertThat(serve.get("api/runs/nosuch").statusCode()).isEqualTo(404);

			// GET /api/runs/{id}/items: pages in the shape of results.jsonl lines
			JsonNode line = Serve.JSON.readTree(Files.readAllLines(workspace.path("output/quick/first/results.jsonl")).get(0));
			JsonNode page = serve.json("api/runs/" + first + "/items?size=2&page=1");
			assertThat(page.path("total").asLong()).isEqualTo(3);
			assertThat(page.path("pages").asLong()).isEqualTo(2);
			assertThat(page.path("items").size()).isEqualTo(2);
			assertThat(page.path("items").get(0)).isEqualTo(line);
			assertThat(serve.json("api/runs/" + first + "/items?size=2&page=2").path("items").get(0).path("id").asString())
				.isEqualTo("charlie");
			assertThat(serve.json("api/runs/" + first + "/items?status=failed").path("total").asLong()).isZero();
			assertThat(serve.json("api/runs/" + first + "/items?status=ok").path("total").asLong()).isEqualTo(3);
			JsonNode searched = serve.json("api/runs/" + first + "/items?q=BRAVO");
			assertThat(searched.path("total").asLong()).isEqualTo(1);
			assertThat(searched.path("items").get(0).path("id").asString()).isEqualTo("bravo");
			assertThat(serve.json("api/runs/" + first + "/items?q=second").path("total").asLong()).isEqualTo(1);
			assertThat(serve.get("api/runs/" + first + "/items?size=0").statusCode()).isEqualTo(400);
			// a client's mistake: a 4xx with one sentence, as JSON under /api whatever is accepted, a page elsewhere
			HttpResponse<String> notNumber = serve.get("api/runs/" + first + "/items?page=abc");
			assertThat(notNumber.statusCode()).isEqualTo(400);
			assertThat(Serve.JSON.readTree(notNumber.body()).path("error").asString())
				.isEqualTo("page=abc is not a whole number in range");
			assertThat(serve.get("api/runs/" + first + "/items?page=99999999999").statusCode()).isEqualTo(400);
			assertThat(serve.get("runs/" + first + "?page=abc").statusCode()).isEqualTo(400);
			HttpResponse<String> nowhere = serve.get("api/nosuch");
			assertThat(nowhere.statusCode()).isEqualTo(404);
			assertThat(Serve.JSON.readTree(nowhere.body()).path("error").asString()).isNotBlank();
			HttpResponse<String> noPage = serve.get("nosuch");
			assertThat(noPage.statusCode()).isEqualTo(404);
			assertThat(noPage.body()).doesNotContain("Whitelabel").contains("nothing at this address");
			HttpResponse<String> noRuns = serve.get("compare");
			assertThat(noRuns.statusCode()).isEqualTo(400);
			assertThat(noRuns.body()).doesNotContain("Whitelabel").contains("parameter runs is missing");
			HttpResponse<String> malformed = serve.http.send(chatRequest(serve, "{not json"),
					HttpResponse.BodyHandlers.ofString());
			assertThat(malformed.statusCode()).isEqualTo(400);
			assertThat(Serve.JSON.readTree(malformed.body()).path("error").asString())
				.isEqualTo("the request body is not valid JSON");
			assertThat(serve.post("api/jobs/quick/runs", "{not json", true).statusCode()).isEqualTo(400);
			HttpResponse<String> wrongMethod = serve.http.send(HttpRequest.newBuilder(serve.base.resolve("api/runs"))
				.header("X-CSRF-Token", serve.csrf()).DELETE().build(), HttpResponse.BodyHandlers.ofString());
			assertThat(wrongMethod.statusCode()).isEqualTo(405);
			assertThat(Serve.JSON.readTree(wrongMethod.body()).path("error").asString()).isNotBlank();
			assertThat(serve.process.out() + serve.process.err()).doesNotContain("\tat ");

			// GET /api/runs/{id}/events: a finished run ends at once
			Events finished = Events.get(serve.http, serve.base.resolve("api/runs/" + first + "/events"), "end");
			assertThat(finished.named("end")).hasSize(1);
			assertThat(finished.named("end").get(0).data().path("status").asString()).isEqualTo("COMPLETED");

			// a run going on in another process: progress at least every 2 s, its items, then the end
			DmrProcess slow = DmrProcess.start(workspace, slowRunner.baseUrl(), WebStore.with(store, "job=slow", "run=live"));
			long live = serve.awaitRun("live", (status) -> status.equals("STARTED")).path("id").asLong();
			Events events = Events.get(serve.http, serve.base.resolve("api/runs/" + live + "/events"), "end");
			assertThat(slow.waitFor()).as(slow.err()).isZero();
			List<Events.Event> progress = events.named("progress");
			assertThat(progress.size()).isGreaterThanOrEqualTo(3);
			for (int i = 1; i < progress.size(); i++) {
				assertThat(progress.get(i).nanos() - progress.get(i - 1).nanos()).isLessThan(2_000_000_000L);
				assertThat(progress.get(i).data().path("done").asLong())
					.isGreaterThanOrEqualTo(progress.get(i - 1).data().path("done").asLong());
			}
			assertThat(names(progress.get(0).data())).containsExactly("done", "total", "failed", "items_per_s", "workers");
			// a run of one process has no cluster workers
			assertThat(progress.get(0).data().path("workers").isArray()).isTrue();
			assertThat(progress.get(0).data().path("workers").size()).isZero();
			assertThat(progress.get(0).data().path("done").asLong()).isLessThan(30);
			assertThat(progress.get(progress.size() - 1).data().path("done").asLong()).isEqualTo(30);
			assertThat(progress.get(progress.size() - 1).data().path("total").asLong()).isEqualTo(30);
			assertThat(progress.stream().anyMatch((e) -> e.data().path("items_per_s").asDouble() > 0)).isTrue();
			List<Events.Event> items = events.named("item");
			assertThat(items).isNotEmpty();
			assertThat(items.get(items.size() - 1).data().path("id").asString()).isEqualTo("m30");
			assertThat(items.get(0).data().path("status").asString()).isEqualTo("ok");
			assertThat(events.named("end").get(0).data().path("status").asString()).isEqualTo("COMPLETED");

			// a run whose process is killed: abandoned, its stream ends, not shown as running
			DmrProcess killed = DmrProcess.start(workspace, slowRunner.baseUrl(), WebStore.with(store, "job=slow", "run=killed"));
			long gone = serve.awaitRun("killed", (status) -> status.equals("STARTED")).path("id").asLong();
			while (serve.json("api/runs/" + gone).path("items").asLong() == 0) {
				Thread.sleep(200);
			}
			killed.kill();
			Events abandoned = Events.get(serve.http, serve.base.resolve("api/runs/" + gone + "/events"), "end");
			assertThat(abandoned.named("end").get(0).data().path("status").asString()).isEqualTo("ABANDONED");
			assertThat(serve.json("api/runs/" + gone).path("running").asBoolean()).isFalse();
			assertThat(serve.get("runs/" + gone).body()).contains("ABANDONED");

			// two models: one conversation per item and model, progress counted in items
			Dmr.Result pair = Dmr.run(workspace, LocalRunner.baseUrl(),
					WebStore.with(store, "job=quick", "run=pair", "model=ai/tiny,ai/tiny2"));
			assertThat(pair.exitCode()).as(pair.toString()).isZero();
			assertThat(serve.json("api/runs/pair").path("items").asLong()).isEqualTo(6);
			Events paired = Events.get(serve.http, serve.base.resolve("api/runs/pair/events"), "end");
			assertThat(paired.named("progress").get(0).data().path("done").asLong()).isEqualTo(3);
			assertThat(serve.get("runs/pair").body()).contains("<span id=\"done\">3</span> of <span id=\"total\">3</span>");

			// GET /api/models: the runner's
			assertThat(serve.json("api/models").path("models").toString()).contains("ai/tiny", "ai/tiny2");

			// POST /api/chat: refused without the CSRF token; answered as a stream of deltas, then done
			assertThat(serve.post("api/chat", "{}", false).statusCode()).isEqualTo(403);
			String ask = "{\"model\": \"ai/tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"Hello there\"}], "
					+ "\"max_tokens\": 24, \"seed\": 3, \"temperature\": 0}";
			Events chat = Events.read(serve.http, chatRequest(serve, ask), "done");
			List<Events.Event> deltas = chat.named("message");
			assertThat(deltas.size()).isGreaterThan(1);
			JsonNode done = chat.named("done").get(0).data();
			StringBuilder answer = new StringBuilder();
			deltas.forEach((d) -> answer.append(d.data().path("delta").asString("")));
			assertThat(answer.toString()).isNotBlank();
			assertThat(done.path("usage").path("completion_tokens").asLong()).isPositive();
			String session = done.path("session").asString();
			assertThat(session).startsWith("chat-");
			// the same session as job=chat's: listed among the runs as one
			Dmr.Result listed = Dmr.run(workspace, LocalRunner.baseUrl(), WebStore.with(store, "job=runs"));
			assertThat(listed.out()).contains(session).contains("CHAT SESSION");
			// and resumed: a second turn in it
			String more = "{\"model\": \"ai/tiny\", \"session\": \"" + session + "\", \"messages\": [{\"role\": \"user\", "
					+ "\"content\": \"And then?\"}], \"max_tokens\": 8}";
			JsonNode again = Events.read(serve.http, chatRequest(serve, more), "done").named("done").get(0).data();
			assertThat(again.path("session").asString()).isEqualTo(session);
			JsonNode sessions = serve.json("api/chat/sessions");
			assertThat(sessions.get(0).path("name").asString()).isEqualTo(session);
			assertThat(sessions.get(0).path("answers").asLong()).isEqualTo(2);
			// a session resumed with no model goes on with its own, in the API and on the page
			String other = Events.read(serve.http, chatRequest(serve, ask.replace("\"ai/tiny\"", "\"ai/tiny2\"")), "done")
				.named("done").get(0).data().path("session").asString();
			Events.read(serve.http, chatRequest(serve, "{\"session\": \"" + other + "\", \"messages\": [{\"role\": "
					+ "\"user\", \"content\": \"More\"}], \"max_tokens\": 4}"), "done");
			for (JsonNode listedSession : serve.json("api/chat/sessions")) {
				if (listedSession.path("name").asString().equals(other)) {
					assertThat(listedSession.path("model").asString()).isEqualTo("ai/tiny2");
					assertThat(listedSession.path("answers").asLong()).isEqualTo(2);
				}
			}
			assertThat(serve.get("chat?session=" + other).body()).contains("<option value=\"ai/tiny2\" selected>");
			// two new chats at once: two sessions, two names
			java.util.concurrent.CompletableFuture<String> one = java.util.concurrent.CompletableFuture.supplyAsync(
					() -> newSession(serve, ask));
			String two = newSession(serve, ask);
			assertThat(one.join()).isNotEqualTo(two);
			// a mistake in what was asked is answered before the stream starts: a 400, not an event
			HttpResponse<String> badSetting = serve.http.send(chatRequest(serve, ask.replace("\"temperature\": 0",
					"\"temperature\": 9")), HttpResponse.BodyHandlers.ofString());
			assertThat(badSetting.statusCode()).isEqualTo(400);
			assertThat(Serve.JSON.readTree(badSetting.body()).path("error").asString()).contains("temperature");

			// one conversation by its id as a query parameter
			HttpResponse<String> byId = serve.get("runs/first/item?id=alpha");
			assertThat(byId.statusCode()).isEqualTo(200);
			assertThat(byId.body()).contains("alpha");

			// POST /api/jobs/{name}/runs: started in the background, seen in the run history when done
			HttpResponse<String> started = serve.post("api/jobs/quick/runs", "{\"run\": \"from-web\", \"model\": \"ai/tiny2\"}",
					true);
			assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
			JsonNode answered = Serve.JSON.readTree(started.body());
			assertThat(answered.path("run").asString()).isEqualTo("from-web");
			JsonNode web = serve.awaitRun("from-web", (status) -> status.equals("COMPLETED"));
			assertThat(answered.path("id").asLong()).isEqualTo(web.path("id").asLong());
			// refused in the background: answered as refused, with the reason
			HttpResponse<String> complete = serve.post("api/jobs/quick/runs", "{\"run\": \"from-web\", \"model\": \"ai/tiny2\"}",
					true);
			assertThat(complete.statusCode()).as(complete.body()).isEqualTo(409);
			assertThat(complete.body()).contains("already complete");
			workspace.file("output/quick/taken/results.jsonl", "{}\n");
			HttpResponse<String> folderTaken = serve.post("api/jobs/quick/runs", "{\"run\": \"taken\"}", true);
			assertThat(folderTaken.statusCode()).as(folderTaken.body()).isEqualTo(409);
			assertThat(folderTaken.body()).contains("output folder");
			// run=new: answered with the label it was given
			JsonNode fresh = Serve.JSON.readTree(serve.post("api/jobs/quick/runs", "{\"run\": \"new\"}", true).body());
			assertThat(fresh.path("run").asString()).matches("\\d{8}-\\d{6}(-\\d+)?");
			assertThat(serve.awaitRun(fresh.path("run").asString(), (status) -> status.equals("COMPLETED")).path("id")
				.asLong()).isEqualTo(fresh.path("id").asLong());
			assertThat(web.path("ok").asLong()).isEqualTo(3);
			assertThat(web.path("model").path("name").asString()).isEqualTo("ai/tiny2");
			// a trial run: two records drawn, labelled as the command line labels it
			HttpResponse<String> sampled = serve.post("api/jobs/quick/runs", "{\"sample\": 2, \"sample_seed\": 5}", true);
			assertThat(sampled.statusCode()).as(sampled.body()).isEqualTo(202);
			JsonNode trial = Serve.JSON.readTree(sampled.body());
			assertThat(trial.path("run").asString()).isEqualTo("try-sample-2-seed-5");
			JsonNode tried = serve.awaitRun("try-sample-2-seed-5", (status) -> status.equals("COMPLETED"));
			assertThat(tried.path("items").asLong()).isEqualTo(2);
			assertThat(serve.post("api/jobs/quick/runs", "{\"limit\": \"none\"}", true).body())
				.contains("limit=none is not a number of records");
			assertThat(serve.post("api/jobs/quick/runs", "{}", false).statusCode()).isEqualTo(403);
			assertThat(serve.post("api/jobs/nosuch/runs", "{}", true).statusCode()).isEqualTo(404);
			HttpResponse<String> outside = serve.post("api/jobs/quick/runs", "{\"input\": \"../few.csv\"}", true);
			assertThat(outside.statusCode()).isEqualTo(400);
			assertThat(outside.body()).contains("outside the working folder");
			HttpResponse<String> absolute = serve.post("api/jobs/quick/runs", "{\"input\": \"/etc/passwd\"}", true);
			assertThat(absolute.statusCode()).isEqualTo(400);
			HttpResponse<String> missing = serve.post("api/jobs/quick/runs", "{\"input\": \"input/none.csv\"}", true);
			assertThat(missing.statusCode()).as(missing.body()).isEqualTo(400);

			// a page of the app carries the policy: only its own script, no inline one
			HttpResponse<String> home = serve.get("");
			assertThat(home.headers().firstValue("Content-Security-Policy").orElseThrow())
				.contains("default-src 'self'", "script-src 'self'").doesNotContain("unsafe-inline");
			// a name other than this machine's is refused on loopback (DNS rebinding)
			assertThat(statusLine(serve, "attacker.example")).contains(" 403 ");
			assertThat(statusLine(serve, "localhost:" + serve.base.getPort())).contains(" 200 ");
			assertThat(statusLine(serve, "localhost:" + serve.base.getPort(), "")).contains(" 401 ");

			// the same port again: one line, exit 2
			Dmr.Result taken = Dmr.run(workspace, LocalRunner.baseUrl(),
					WebStore.with(store, "serve", "port=" + serve.base.getPort()));
			assertThat(taken.exitCode()).as(taken.toString()).isEqualTo(2);
			assertThat(taken.err().strip().lines()).hasSize(1);
			assertThat(taken.err()).contains("port " + serve.base.getPort() + " is in use");

			// a repeated run's answers are reviewed each on its own: the second answer's review is its alone
			Dmr.Result twice = Dmr.run(workspace, LocalRunner.baseUrl(), WebStore.with(store, "job=quick",
					"run=twice", "repeat=2"));
			assertThat(twice.exitCode()).as(twice.toString()).isZero();
			HttpResponse<String> which = serve.post("api/runs/twice/reviews", "{\"item\": \"alpha\", \"pass\": false}",
					true);
			assertThat(which.statusCode()).isEqualTo(400);
			assertThat(Serve.JSON.readTree(which.body()).path("error").asString())
				.isEqualTo("repeat is missing: item alpha was answered 2 times (repeat 1 to 2)");
			HttpResponse<String> second = serve.post("api/runs/twice/reviews",
					"{\"item\": \"alpha\", \"repeat\": 2, \"pass\": false, \"comment\": \"the second\"}", true);
			assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
			assertThat(Serve.JSON.readTree(second.body()).path("repeat").asInt()).isEqualTo(2);
			JsonNode answers = serve.json("api/runs/twice/items?q=alpha").path("items");
			assertThat(answers.size()).isEqualTo(2);
			for (JsonNode given : answers) {
				boolean reviewed = given.toString().contains("the second");
				assertThat(reviewed).as(given.toString()).isEqualTo(given.path("repeat").asInt() == 2);
			}
			assertThat(serve.get("runs/twice/items/alpha").body()).contains("answer 1").contains("answer 2");
		}
	}

	@Test
	void aChatAnswerWhoseStreamTheRunnerCutIsStoredMarkedTruncated() throws Exception {
		Workspace workspace = workspace();
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl()).faults((n) -> switch (n) {
			case 1 -> FaultProxy.cutAfter(4); // three pieces of the answer, then the end of the response
			case 2 -> FaultProxy.dropAfter(4); // three pieces, then the connection drops: a runner killed
			default -> FaultProxy.FORWARD;
		}); Serve serve = Serve.start(workspace, proxy.baseUrl())) {
			// when: two turns whose streams the runner cuts, the second by dropping the connection
			String ask = "{\"model\": \"ai/tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"Tell me more\"}], "
					+ "\"max_tokens\": 64, \"temperature\": 0}";
			Events first = Events.read(serve.http, chatRequest(serve, ask), "done");
			JsonNode done = first.named("done").get(0).data();
			String session = done.path("session").asString();
			Events second = Events.read(serve.http, chatRequest(serve, "{\"session\": \"" + session + "\", \"messages\": "
					+ "[{\"role\": \"user\", \"content\": \"Go on\"}], \"max_tokens\": 64}"), "done");

			// then: each reply says truncated and why, with the text that came
			List<JsonNode> dones = List.of(done, second.named("done").get(0).data());
			for (int i = 0; i < 2; i++) {
				assertThat(dones.get(i).path("finish_reason").asString()).as(dones.get(i).toString()).isEqualTo("truncated");
				assertThat(dones.get(i).path("truncated").asString()).isEqualTo("the answer of model 'ai/tiny' at "
						+ proxy.baseUrl() + " was cut off: its stream ended after 4 chunks without a finish reason"
						+ ((i == 1) ? " (the connection closed)" : ""));
			}
			StringBuilder shown = new StringBuilder();
			first.named("message").forEach((d) -> shown.append(d.data().path("delta").asString("")));
			assertThat(shown.toString()).isNotEmpty();

			// and the stored session marks both answers truncated, each as far as it came
			Dmr.Result export = Dmr.run(workspace, null, "job=export", "run=" + session, "export=jsonl", "output=cut");
			assertThat(export.exitCode()).as(export.toString()).isZero();
			JsonNode stored = Serve.JSON.readTree(Files.readString(workspace.path("cut").resolve("results.jsonl")));
			assertThat(stored.path("calls").size()).isEqualTo(2);
			stored.path("calls").forEach((call) -> assertThat(call.path("finish_reason").asString()).isEqualTo("truncated"));
			List<String> answers = new ArrayList<>();
			stored.path("messages").forEach((message) -> {
				if (message.path("role").asString().equals("assistant")) {
					answers.add(message.path("content").asString());
				}
			});
			assertThat(answers).hasSize(2).allSatisfy((answer) -> assertThat(answer).isNotEmpty());
			assertThat(answers.get(0)).isEqualTo(shown.toString());
			assertThat(proxy.chatRequests()).isEqualTo(2);
		}
	}

	private static String newSession(Serve serve, String ask) {
		Events events;
		try {
			events = Events.read(serve.http, chatRequest(serve, ask), "done");
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
		List<Events.Event> done = events.named("done");
		if (done.isEmpty()) {
			throw new AssertionError("the chat's stream ended without done: " + events.all().stream()
				.filter((event) -> !event.name().equals("token"))
				.map((event) -> event.name() + " " + event.data())
				.toList());
		}
		return done.get(0).data().path("session").asString();
	}

	private static HttpRequest chatRequest(Serve serve, String body) throws Exception {
		return HttpRequest.newBuilder(serve.base.resolve("api/chat"))
			.header("Content-Type", "application/json")
			.header("Accept", "text/event-stream")
			.header("X-CSRF-Token", serve.csrf())
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build();
	}

	@Test
	void anotherAddressNeedsTheToken() throws Exception {
		Workspace workspace = workspace();
		String[] store = WebStore.POSTGRES.prepare(workspace);
		String address = java.net.NetworkInterface.networkInterfaces()
			.flatMap(java.net.NetworkInterface::inetAddresses)
			.filter((a) -> !a.isLoopbackAddress() && a instanceof java.net.Inet4Address)
			.map(java.net.InetAddress::getHostAddress)
			.findFirst()
			.orElse("0.0.0.0");
		try (Serve serve = Serve.start(workspace, LocalRunner.baseUrl(), WebStore.with(store, "address=" + address))) {
			// a token was made and printed in the address
			assertThat(serve.url.getQuery()).matches("token=[0-9a-f]{40}");
			String token = serve.token();
			assertThat(anonymous(serve, "").statusCode()).isEqualTo(401);
			assertThat(anonymous(serve, "api/runs").statusCode()).isEqualTo(401);
			assertThat(anonymous(serve, "api/runs?token=wrong").statusCode()).isEqualTo(401);
			HttpResponse<String> first = anonymous(serve, "?token=" + token);
			assertThat(first.statusCode()).isEqualTo(200);
			String cookie = first.headers().firstValue("Set-Cookie").orElseThrow();
			assertThat(cookie).startsWith("dmr-token-" + serve.base.getPort() + "=").contains("Path=/")
				.contains("HttpOnly").contains("SameSite=Strict");
			HttpResponse<String> withCookie = serve.anonymous.send(HttpRequest.newBuilder(serve.base.resolve("api/runs"))
				.header("Cookie", cookie.substring(0, cookie.indexOf(';'))).build(), HttpResponse.BodyHandlers.ofString());
			assertThat(withCookie.statusCode()).isEqualTo(200);
			HttpResponse<String> bearer = serve.anonymous.send(HttpRequest.newBuilder(serve.base.resolve("api/models"))
				.header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
			assertThat(bearer.statusCode()).isEqualTo(200);
		}
		// a token given is the one asked for; with no --dmr.home the working folder is the current one
		try (Serve serve = Serve.start(workspace, false, LocalRunner.baseUrl(),
				WebStore.with(store, "address=" + address, "token=s3cret-token-0123456789"))) {
			assertThat(serve.url.getQuery()).isEqualTo("token=s3cret-token-0123456789");
			assertThat(anonymous(serve, "api/runs").statusCode()).isEqualTo(401);
			assertThat(anonymous(serve, "api/runs?token=s3cret-token-0123456789").statusCode()).isEqualTo(200);
			HttpResponse<String> jobs = anonymous(serve, "jobs?token=s3cret-token-0123456789");
			assertThat(jobs.body()).contains("quick", "slow").doesNotContain("No job files");
		}
	}

	/**
	 * The status line of a GET with the given Host header (the JDK's client will not send one of its own) and the
	 * server's token.
	 */
	private static String statusLine(Serve serve, String host) throws Exception {
		return statusLine(serve, host, "Authorization: Bearer " + serve.token() + "\r\n");
	}

	private static String statusLine(Serve serve, String host, String headers) throws Exception {
		try (java.net.Socket socket = new java.net.Socket(serve.base.getHost(), serve.base.getPort())) {
			socket.getOutputStream().write(("GET /api/models HTTP/1.1\r\nHost: " + host + "\r\n" + headers
					+ "Connection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
			return new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
					java.nio.charset.StandardCharsets.US_ASCII)).readLine();
		}
	}

	private static HttpResponse<String> anonymous(Serve serve, String path) throws Exception {
		return serve.anonymous.send(HttpRequest.newBuilder(serve.base.resolve(path)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private static List<String> names(JsonNode node) {
		List<String> names = new ArrayList<>();
		node.propertyNames().forEach(names::add);
		return names;
	}


}
