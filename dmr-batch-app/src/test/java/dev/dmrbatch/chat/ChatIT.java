package dev.dmrbatch.chat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.DmrProcess;
import dev.dmrbatch.support.FaultProxy;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code job=chat} without a terminal, against the real runner: turns read from stdin, the answers alone on stdout,
 * every turn stored as it happens, sessions resumed, a batch run's conversation continued, sessions exported like
 * runs, a runner that is down reported in one line.
 */
class ChatIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String[] SETTINGS = { "--dmr.temperature=0", "--dmr.seed=1", "--dmr.max-tokens=12" };

	@TempDir
	Path dir;

	Workspace workspace;

	@BeforeEach
	void setUp() {
		this.workspace = new Workspace(this.dir);
	}

	@Test
	void pipedInputIsOnePromptWhoseAnswerAloneIsPrintedAndSavedAsASession() throws Exception {
		// when: two lines piped in, as `echo … | java -jar dmr-batch.jar job=chat` gives them
		Dmr.Result chat = piped(LocalRunner.baseUrl(), "Summarise:\nthe first line\n/model ai/tiny2\n", "job=chat",
				"model=ai/tiny", "session=pipe");

		// then: one turn holding the whole input, its answer alone on stdout
		assertThat(chat.exitCode()).as(chat.toString()).isZero();
		JsonNode session = export("pipe");
		assertThat(texts(session, "user")).containsExactly("Summarise:\nthe first line\n/model ai/tiny2");
		List<String> answers = texts(session, "assistant");
		assertThat(answers).hasSize(1);
		assertThat(chat.out()).isEqualTo(answers.get(0) + "\n");
		assertThat(session.get("calls").get(0).get("model").asString()).isEqualTo("ai/tiny");
	}

	@Test
	void pipedTurnsPrintTheAnswersAloneAndEachIsStoredWithItsModel() throws Exception {
		// when: a prompt, a block of two lines, a model switch and a prompt
		Dmr.Result chat = chat(LocalRunner.baseUrl(), """
				Hello there
				\"\"\"
				line one
				/not a command inside a block
				\"\"\"
				/model ai/tiny2
				Third
				""", "job=chat", "model=ai/tiny", "session=s1");

		// then: stdout is the three answers, each ended by a line break, and nothing else
		assertThat(chat.exitCode()).as(chat.toString()).isZero();
		JsonNode session = export("s1");
		List<String> prompts = texts(session, "user");
		List<String> answers = texts(session, "assistant");
		assertThat(prompts).containsExactly("Hello there", "line one\n/not a command inside a block", "Third");
		assertThat(answers).hasSize(3).allSatisfy((answer) -> assertThat(answer).isNotEmpty());
		assertThat(chat.out()).isEqualTo(String.join("\n", answers) + "\n");
		assertThat(chat.all()).doesNotContain("\u001b");
		assertThat(chat.err()).contains("session s1, model ai/tiny").contains("model ai/tiny2 for the turns to come");
		// each call with the model it was asked of and the settings it was sent with
		List<String> models = new ArrayList<>();
		session.get("calls").forEach((call) -> models.add(call.get("step").asString() + " " + call.get("model").asString()));
		assertThat(models).containsExactly("turn-1 ai/tiny", "turn-2 ai/tiny", "turn-3 ai/tiny2");

		// and: job=runs lists it as a chat session
		Dmr.Result runs = Dmr.run(this.workspace, null, "job=runs");
		assertThat(runs.out()).containsPattern("s1\\s+chat\\s+.*CHAT SESSION");

		// when: resumed, with one more turn
		Dmr.Result resumed = chat(LocalRunner.baseUrl(), "Fourth\n", "job=chat", "session=s1");

		// then: the history is shown (on stderr), the turn goes on the same session, sent with the earlier turns
		assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
		assertThat(resumed.err()).contains("> Hello there").contains("> Third").contains(answers.get(2))
			.contains("session s1, model ai/tiny2");
		JsonNode after = export("s1");
		assertThat(texts(after, "user")).containsExactly("Hello there", "line one\n/not a command inside a block",
				"Third", "Fourth");
		assertThat(texts(after, "assistant").subList(0, 3)).isEqualTo(answers);
		JsonNode last = after.get("calls").get(3);
		assertThat(last.get("model").asString()).isEqualTo("ai/tiny2");
		assertThat(last.get("prompt_tokens").asLong()).isGreaterThan(session.get("calls").get(2).get("prompt_tokens").asLong());
	}

	@Test
	void aSessionIsExportedLikeARunWithEveryTurnAndTemplatesStartTurns() throws Exception {
		// given: a template and a job file to start from
		this.workspace.file("templates/about.ftl", "Write about ${topic}.");
		this.workspace.file("jobs/ask.yaml", """
				input: { format: jsonl, path: input/none.jsonl }
				system: You answer in ${vars.language}.
				vars: { language: English }
				steps: [ { name: first, prompt: "Tell me about ${topic}." } ]
				""");
		Path file = this.dir.resolve("mine/chat.md");

		// when: two turns, the last taken back, two turns from templates, one template short of a variable
		Dmr.Result chat = chat(LocalRunner.baseUrl(), "First question\nSecond question\n/undo\n"
				+ "/template about topic=cats\n/template ask topic=pears\n/template about\n/export md " + file + "\n",
				"job=chat", "model=ai/tiny", "session=talk", "system=Answer briefly.");

		// then
		assertThat(chat.exitCode()).as(chat.toString()).isZero();
		assertThat(chat.err()).contains("exports: " + file);
		List<String> errors = chat.err().lines().filter((line) -> line.startsWith("error:")).toList();
		assertThat(errors).containsExactly("error: variable 'topic' is missing in template about.ftl line 1");
		JsonNode session = export("talk");
		// the job file's system prompt where /template set it, after the one the session started with
		assertThat(texts(session, "system")).containsExactly("Answer briefly.", "You answer in English.");
		assertThat(texts(session, "user")).containsExactly("First question", "Write about cats.",
				"Tell me about pears.");
		String written = Files.readString(file);
		assertThat(written).contains("You answer in English.").contains("First question").contains("Write about cats.")
			.contains("Tell me about pears.").doesNotContain("Second question");
		for (String answer : texts(session, "assistant")) {
			assertThat(written).contains(answer);
		}

		// job=export reads the store alone: the runner may be gone
		Dmr.Result export = Dmr.run(this.workspace, "http://127.0.0.1:9/v1", "job=export", "run=talk");
		assertThat(export.exitCode()).as(export.toString()).isZero();
		Path folder = this.workspace.path("output/chat/talk");
		assertThat(folder.resolve("results.pdf")).exists();
		assertThat(folder.resolve("report.html")).exists();
		String markdown = Files.readString(folder.resolve("results.md"));
		for (String answer : texts(session, "assistant")) {
			assertThat(markdown).contains(answer);
		}
	}

	@Test
	void anImageAttachedWithSlashImageIsSentWithTheNextPromptKeptByReferenceAndSentAgainLater() throws Exception {
		byte[] png = png(40, 30);
		this.workspace.bytes("input/a.png", png);
		this.workspace.bytes("input/bad.png", Arrays.copyOf(png, 50));
		String[] vision = { "job=chat", "model=ai/tiny-vision", "max_tokens=3" };
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			// when: a file that is not there, a broken image, then one that reads, shown and dropped, then attached
			Dmr.Result chat = chat(proxy.baseUrl(), """
					/image input/none.png
					/image input/bad.png
					/image input/a.png
					/image off
					/image
					/image input/a.png
					/image
					What is it?
					And now?
					""", concat(vision, "session=pic"));
			Dmr.Result plain = chat(proxy.baseUrl(), "What is it?\n", concat(vision, "session=plain"));

			// then: a bad file is one line naming it, nothing sent for it; the image goes with the next prompt only
			assertThat(chat.exitCode()).as(chat.toString()).isZero();
			assertThat(chat.err()).contains("there is no image file input/none.png")
				.contains("input/bad.png is not a readable PNG image").contains("no image attached")
				.contains("input/a.png (40x30, " + png.length + " bytes) goes with the next prompt")
				.doesNotContain("Exception");
			List<String> bodies = proxy.chatBodies();
			assertThat(bodies).hasSize(3);
			String url = "data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(png);
			assertThat(bodies.get(0)).contains(url);
			// a later turn sends the earlier image again, read from its file; the plain turn has none
			assertThat(bodies.get(1).split(java.util.regex.Pattern.quote(url), -1)).hasSize(2);
			assertThat(bodies.get(2)).doesNotContain("image_url");

			// and: the vision model answers, its prompt tokens grown with the image; the store keeps the reference
			JsonNode session = export("pic");
			assertThat(texts(session, "assistant")).hasSize(2);
			long withImage = session.get("calls").get(0).get("prompt_tokens").asLong();
			long without = export("plain").get("calls").get(0).get("prompt_tokens").asLong();
			assertThat(withImage).isGreaterThan(without);
			JsonNode user = session.get("messages").get(0);
			assertThat(user.get("images").get(0).get("file").asString()).isEqualTo("input/a.png");
			assertThat(user.get("images").get(0).get("bytes").asLong()).isEqualTo(png.length);
			assertThat(user.get("images").get(0).get("sha256").asString()).hasSize(64);
			assertThat(session.toString()).doesNotContain("base64");

			// when: the file changes, then the session is resumed with one more turn
			this.workspace.bytes("input/a.png", png(41, 30));
			Dmr.Result resumed = chat(proxy.baseUrl(), "Once more?\n", "job=chat", "session=pic", "max_tokens=3");

			// then: one sentence says so and the turn is sent without it
			assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
			assertThat(resumed.err()).contains("> What is it? [image input/a.png]").contains(
					"image input/a.png of turn-1 changed since it was sent (its SHA-256 differs); the turns are sent "
							+ "without it");
			assertThat(proxy.chatBodies().get(3)).doesNotContain("image_url");
		}
	}

	@Test
	void slashRetryAsksAnAnsweredTurnAgainWithItsImages() throws Exception {
		byte[] png = png(40, 30);
		this.workspace.bytes("input/a.png", png);
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			Dmr.Result chat = chat(proxy.baseUrl(), "/image input/a.png\nWhat is it?\n/retry\n", "job=chat",
					"model=ai/tiny-vision", "max_tokens=3", "session=again");
			assertThat(chat.exitCode()).as(chat.toString()).isZero();
			List<String> bodies = proxy.chatBodies();
			assertThat(bodies).hasSize(2);
			String url = "data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(png);
			// the answered turn taken back and asked again: its image with it, once, read again from its file
			assertThat(bodies.get(1).split(java.util.regex.Pattern.quote(url), -1)).hasSize(2);
			assertThat(bodies.get(1)).contains("What is it?");
			JsonNode session = export("again");
			assertThat(texts(session, "assistant")).hasSize(1);
			assertThat(session.get("messages").get(0).get("images").get(0).get("file").asString())
				.isEqualTo("input/a.png");
		}
	}

	@Test
	void anImageToAModelThatCannotReadImagesIsTheClientsOneLine() throws Exception {
		this.workspace.bytes("input/a.png", png(8, 8));
		Dmr.Result chat = chat(LocalRunner.baseUrl(), "/image input/a.png\nWhat is it?\n", "job=chat",
				"model=ai/tiny", "session=blind");
		assertThat(chat.exitCode()).isNotZero();
		assertThat(chat.err()).contains("model 'ai/tiny' at " + LocalRunner.baseUrl() + " cannot read images")
			.doesNotContain("Exception");
	}

	private static String[] concat(String[] args, String... more) {
		List<String> all = new ArrayList<>(Arrays.asList(args));
		all.addAll(Arrays.asList(more));
		return all.toArray(String[]::new);
	}

	private static byte[] png(int width, int height) throws Exception {
		java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(width, height,
				java.awt.image.BufferedImage.TYPE_INT_RGB);
		java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
		javax.imageio.ImageIO.write(image, "png", out);
		return out.toByteArray();
	}

	@Test
	void aBatchConversationIsContinuedAsANewSessionAndTheRunIsLeftAsItWas() throws Exception {
		// given: a batch run of two items, two steps each
		this.workspace.file("input/items.jsonl", "{\"id\": \"a1\", \"text\": \"apples\"}\n"
				+ "{\"id\": \"b2\", \"text\": \"bananas\"}\n");
		this.workspace.file("jobs/fruit.yaml", """
				input: { format: jsonl, path: input/items.jsonl, id: id }
				model: { name: ai/tiny, max_tokens: 8, temperature: 0, seed: 1 }
				system: You know fruit.
				steps:
				  - { name: describe, prompt: "Describe ${text}." }
				  - { name: price, prompt: "And the price of ${text}?" }
				""");
		Dmr.Result batch = Dmr.run(this.workspace, LocalRunner.baseUrl(), "job=fruit", "run=b1");
		assertThat(batch.exitCode()).as(batch.toString()).isZero();
		String before = exportJsonl("b1", "before");

		// when
		Dmr.Result chat = chat(LocalRunner.baseUrl(), "Which is cheaper?\n", "job=chat", "continue=b1:b2",
				"session=more");

		// then: the batch turns are shown, the new turn follows them in a session linked to the item
		assertThat(chat.exitCode()).as(chat.toString()).isZero();
		assertThat(chat.err()).contains("system: You know fruit.").contains("> Describe bananas.")
			.contains("> And the price of bananas?").contains("continues run");
		JsonNode session = export("more");
		assertThat(texts(session, "user")).containsExactly("Describe bananas.", "And the price of bananas?",
				"Which is cheaper?");
		assertThat(chat.out()).isEqualTo(texts(session, "assistant").get(2) + "\n");
		// the batch run's record never changes
		assertThat(exportJsonl("b1", "after")).isEqualTo(before);
		Dmr.Result runs = Dmr.run(this.workspace, null, "job=runs");
		assertThat(runs.out()).containsPattern("more\\s+chat\\s+");

		// and: an item that is not there is one sentence, exit 2
		Dmr.Result missing = chat(LocalRunner.baseUrl(), "", "job=chat", "continue=b1:zz");
		assertThat(missing.exitCode()).isEqualTo(2);
		assertThat(missing.err().strip()).isEqualTo("error: run b1 (fruit) has no item with id 'zz'");
	}

	@Test
	void aRunnerThatFailsATurnIsOneLineAndTheChatGoesOn() throws Exception {
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			proxy.faults((n) -> (n == 1)
					? new FaultProxy.Status(503, "{\"error\": {\"message\": \"Loading model\", \"code\": 503}}")
					: FaultProxy.FORWARD);
			Dmr.Result chat = chat(proxy.baseUrl(), "first\nsecond\n", "job=chat", "model=ai/tiny", "session=bumpy",
					"--dmr.retry.attempts=1");

			// then: one line for the failed turn, the next answered and stored alone; exit 5 as a failed run
			assertThat(chat.exitCode()).as(chat.toString()).isEqualTo(5);
			List<String> errors = chat.err().lines().filter((line) -> line.startsWith("error:")).toList();
			assertThat(errors).hasSize(1);
			assertThat(errors.get(0)).contains("ai/tiny").contains(proxy.baseUrl()).contains("503: Loading model");
			JsonNode session = export("bumpy");
			assertThat(texts(session, "user")).containsExactly("second");
			assertThat(chat.out()).isEqualTo(texts(session, "assistant").get(0) + "\n");
		}
	}

	@Test
	void anAnswerWhoseStreamTheRunnerCutIsKeptMarkedTruncatedAndACutBeforeAnyTextIsSentAgain() throws Exception {
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			proxy.faults((n) -> switch (n) {
				case 1 -> FaultProxy.cutAfter(1); // the role alone: nothing of the answer shown yet
				case 3 -> FaultProxy.cutAfter(4); // three pieces of the answer, then the end of the response
				case 4 -> FaultProxy.dropAfter(4); // three pieces, then the connection drops: a runner killed
				default -> FaultProxy.FORWARD;
			});
			Dmr.Result chat = chat(proxy.baseUrl(), "first\nsecond\nthird\n", "job=chat", "model=ai/tiny",
					"session=cut", "--dmr.retry.backoff=5ms");

			// then: the first turn sent again and answered whole; the others kept as far as they came, marked
			JsonNode session = export("cut");
			assertThat(texts(session, "user")).containsExactly("first", "second", "third");
			List<String> answers = texts(session, "assistant");
			assertThat(answers).hasSize(3).allSatisfy((answer) -> assertThat(answer).isNotEmpty());
			JsonNode calls = session.get("calls");
			assertThat(calls.get(0).get("finish_reason").asString()).isIn("stop", "length");
			assertThat(calls.get(0).get("attempts").asInt()).isEqualTo(2);
			assertThat(calls.get(1).get("finish_reason").asString()).isEqualTo("truncated");
			assertThat(calls.get(2).get("finish_reason").asString()).isEqualTo("truncated");
			// shown: the answers as far as they came on stdout, why each is cut on stderr; not a whole answer: exit 5
			assertThat(chat.out()).isEqualTo(String.join("\n", answers) + "\n");
			List<String> truncated = chat.err().lines().filter((line) -> line.startsWith("truncated:")).toList();
			assertThat(truncated).hasSize(2);
			assertThat(truncated.get(0)).isEqualTo("truncated: the answer of model 'ai/tiny' at " + proxy.baseUrl()
					+ " was cut off: its stream ended after 4 chunks without a finish reason");
			assertThat(truncated.get(1)).isEqualTo("truncated: the answer of model 'ai/tiny' at " + proxy.baseUrl()
					+ " was cut off: its stream ended after 4 chunks without a finish reason (the connection closed)");
			assertThat(chat.exitCode()).as(chat.toString()).isEqualTo(5);
			assertThat(chat.err()).doesNotContain("Exception").doesNotContain("\tat ");
		}
	}

	@Test
	void aRunnerThatIsDownIsOneLineATurnAndCommandsStillWork() throws Exception {
		// port 9 (discard): nothing listens there, and no test's ephemeral port can take it
		int port = 9;
		Dmr.Result chat = chat("http://127.0.0.1:" + port + "/v1", "hello\n/params\n", "job=chat", "model=ai/tiny",
				"--dmr.retry.attempts=1");
		assertThat(chat.exitCode()).as(chat.toString()).isEqualTo(5);
		List<String> errors = chat.err().lines().filter((line) -> line.startsWith("error:")).toList();
		// the start's model check and the turn: one line each, naming the runner
		assertThat(errors).hasSize(2).allSatisfy((line) -> assertThat(line).contains("127.0.0.1:" + port));
		assertThat(chat.err()).contains("max_tokens         12").doesNotContain("Exception").doesNotContain("\tat ");
		assertThat(chat.out()).isEmpty();
	}

	@Test
	void aKillMidSessionKeepsEveryTurnBefore() throws Exception {
		// given: a chat in a process of its own, its stdin a pipe
		List<String> args = new ArrayList<>(List.of("job=chat", "model=ai/tiny", "session=killed", "--lines"));
		args.addAll(Arrays.asList(SETTINGS));
		DmrProcess process = DmrProcess.start(this.workspace, LocalRunner.baseUrl(), args.toArray(String[]::new));
		OutputStream stdin = process.stdin();
		type(stdin, "one\ntwo\n/stats\n");
		await(process, () -> process.err().contains("2 answers"));
		// a long third answer, killed while it streams
		type(stdin, "/set max_tokens 2000\nthree\n");
		int before = process.out().length();
		await(process, () -> process.out().length() > before);

		// when
		process.kill();

		// then: the two turns before are stored, the third is not
		JsonNode session = export("killed");
		assertThat(texts(session, "user")).containsExactly("one", "two");
		assertThat(process.out()).startsWith(String.join("\n", texts(session, "assistant")) + "\n");
	}

	@Test
	void setKeepsTheProfilesExtraFieldsAndLogprobsInTheRequestSent() throws Exception {
		// given: a profile whose block for the model asks for log probabilities and sends a field of its own
		this.workspace.file("config/application-tiny.yaml", """
				dmr:
				  models:
				    "[ai/tiny]":
				      top-logprobs: 2
				      extra: { vendor_flag: 1 }
				""");
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			// when
			Dmr.Result chat = chat(proxy.baseUrl(), "/set temperature 0.7\n/set seed 5\nHello\n", "job=chat",
					"model=ai/tiny", "profile=tiny");

			// then: the request carries what was set and everything the profile gave
			assertThat(chat.exitCode()).as(chat.toString()).isZero();
			JsonNode body = JSON.readTree(proxy.chatBodies().get(0));
			assertThat(body.get("temperature").asDouble()).isEqualTo(0.7);
			assertThat(body.get("seed").asLong()).isEqualTo(5);
			assertThat(body.get("vendor_flag").asInt()).isEqualTo(1);
			assertThat(body.get("logprobs").asBoolean()).isTrue();
			assertThat(body.get("top_logprobs").asInt()).isEqualTo(2);
		}
	}

	@Test
	void requestSettingsGivenAtLaunchAreTakenAndBeatTheProfileAsInARun() throws Exception {
		// given: a profile whose block for the model sets max_tokens
		this.workspace.file("config/application-tiny.yaml", """
				dmr:
				  models:
				    "[ai/tiny]":
				      max-tokens: 40
				""");
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			// when: max_tokens= given at launch, then /set and /set … default
			Dmr.Result chat = chat(proxy.baseUrl(), "one\n/set max_tokens 9\ntwo\n/set max_tokens default\nthree\n",
					"job=chat", "model=ai/tiny", "profile=tiny", "max_tokens=3");

			// then: the launch value beats the profile's block; /set beats it; default goes back to it
			assertThat(chat.exitCode()).as(chat.toString()).isZero();
			assertThat(proxy.chatBodies()).extracting((body) -> JSON.readTree(body).get("max_tokens").asInt())
				.containsExactly(3, 9, 3);
		}
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			// and: as --dmr.max-tokens= too
			Dmr.Result chat = chat(proxy.baseUrl(), "one\n", "job=chat", "model=ai/tiny", "profile=tiny",
					"--dmr.max-tokens=4");
			assertThat(chat.exitCode()).as(chat.toString()).isZero();
			assertThat(proxy.chatBodies()).extracting((body) -> JSON.readTree(body).get("max_tokens").asInt())
				.containsExactly(4);
		}
	}

	@Test
	void aPipedChatWhoseModelTheRunnerLacksStopsBeforeSendingAnything() throws Exception {
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			// when: no model=, and a default model the runner does not have
			Dmr.Result chat = chat(proxy.baseUrl(), "Hello\n", "job=chat", "--dmr.default-model=ai/missing");

			// then: one sentence, exit 2, no request and no session
			assertThat(chat.exitCode()).as(chat.toString()).isEqualTo(2);
			assertThat(chat.err().strip()).startsWith("error: dmr.default-model: model 'ai/missing' is not available")
				.contains("ai/tiny").doesNotContain("\n");
			assertThat(chat.out()).isEmpty();
			assertThat(proxy.chatRequests()).isZero();
			assertThat(Dmr.run(this.workspace, null, "job=runs").out()).doesNotContain("CHAT SESSION");
		}
	}

	@Test
	void aSystemPromptSetMidSessionIsStoredAndReplayedWhereItWasSet() throws Exception {
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			// when: a system prompt at the start, another after the first answer
			Dmr.Result chat = chat(proxy.baseUrl(), "one\n/system Second.\ntwo\n", "job=chat", "model=ai/tiny",
					"session=mid", "system=First.");
			assertThat(chat.exitCode()).as(chat.toString()).isZero();

			// then: stored where each was set, and the second turn was sent with them there
			List<String> stored = roles(export("mid").get("messages"));
			assertThat(stored).containsExactly("system First.", "user one", "assistant", "system Second.", "user two",
					"assistant");
			assertThat(roles(JSON.readTree(proxy.chatBodies().get(1)).get("messages"))).isEqualTo(stored.subList(0, 5));

			// when: the session is continued
			Dmr.Result continued = chat(proxy.baseUrl(), "three\n", "job=chat", "continue=mid:mid", "session=more");
			assertThat(continued.exitCode()).as(continued.toString()).isZero();

			// then: its request replays the second system prompt where it was set
			List<String> sent = roles(JSON.readTree(proxy.chatBodies().get(2)).get("messages"));
			assertThat(sent.subList(0, 6)).isEqualTo(stored);
			assertThat(sent.get(6)).isEqualTo("user three");
			assertThat(roles(export("more").get("messages")).subList(0, 6)).isEqualTo(stored);
		}
	}

	/** Each message as {@code <role> <content>}, an assistant's as its role alone (the tiny model's answers vary). */
	private static List<String> roles(JsonNode messages) {
		List<String> roles = new ArrayList<>();
		messages.forEach((message) -> roles.add(message.get("role").asString().equals("assistant") ? "assistant"
				: message.get("role").asString() + " " + message.get("content").asString()));
		return roles;
	}

	@Test
	void anInvalidValueIsEchoedClippedAndItsControlCharactersShownNotWhole() throws Exception {
		// given: values of 3,000 characters, one holding control characters, given to /set, /think and /template
		String long1 = "7".repeat(3000);
		String long2 = "\u001b[2J" + "z".repeat(3000) + "\u0007";
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			// when
			Dmr.Result chat = chat(proxy.baseUrl(), "/set seed " + long1 + "\n/set temperature " + long2
					+ "\n/think " + long2 + "\n/template sneaky " + long2 + "\n", "job=chat", "model=ai/tiny");

			// then: one short line each, the value cut and its control characters drawn, nothing sent
			List<String> errors = chat.err().lines().filter((line) -> line.startsWith("error:")).toList();
			assertThat(errors).hasSize(4).allSatisfy((line) -> {
				assertThat(line).hasSizeLessThan(400).doesNotContainPattern("(.)\\1{120}").doesNotContain("\u001b",
						"\u0007");
			});
			assertThat(errors.get(0)).startsWith("error: seed must be a whole number, not '777").contains("…");
			assertThat(errors.subList(1, 4)).allSatisfy((line) -> assertThat(line).contains("␛[2Jzzz", "…"));
			assertThat(chat.err()).doesNotContain("\u001b", "7".repeat(121), "z".repeat(121));
			assertThat(proxy.chatRequests()).isZero();
		}
	}

	@Test
	void aTemplateCannotRunDataAsATemplate() throws Exception {
		// given: a template that would run a variable's text as a template, and one that includes it
		this.workspace.file("templates/sneaky.ftl", "<#assign t = text?interpret><@t/>");
		this.workspace.file("templates/outer.ftl", "<#include \"sneaky.ftl\">");
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			// when
			Dmr.Result chat = chat(proxy.baseUrl(), "/template sneaky text=${1+1}\n/template outer text=${1+1}\n",
					"job=chat", "model=ai/tiny");

			// then: refused as the job path refuses it, one line each, and nothing sent
			List<String> errors = chat.err().lines().filter((line) -> line.startsWith("error:")).toList();
			assertThat(errors).hasSize(2)
				.allSatisfy((line) -> assertThat(line).contains("?interpret is not allowed (it would run data as a "
						+ "template)"));
			assertThat(proxy.chatRequests()).isZero();
		}
	}

	@Test
	void exportWritesNoFileThatExistsNoRunsFolderAndNothingOutsideTheWorkingFolder() throws Exception {
		// given: a working folder with a job file, and beside it a folder that a link inside points at
		this.workspace = new Workspace(this.dir.resolve("home"));
		Path home = this.workspace.root();
		this.workspace.file("jobs/keep.yaml", "steps: [ { name: a, prompt: \"keep me\" } ]\n");
		Path elsewhere = Files.createDirectories(this.dir.resolve("elsewhere"));
		Files.createSymbolicLink(home.resolve("link"), elsewhere);
		Files.createSymbolicLink(home.resolve("dangling.md"), elsewhere.resolve("z.md"));

		// when: piped lines export over a job file, into the session's exports, outside, through the link, over a
		// link, and once where they may
		Dmr.Result chat = chat(LocalRunner.baseUrl(), "Hello\n/export md\n"
				+ "/export md " + home.resolve("jobs/keep.yaml") + "\n"
				+ "/export txt " + home.resolve("output/chat/exp/notes.txt") + "\n"
				+ "/export md " + home + "/../elsewhere/x.md\n"
				+ "/export md " + home.resolve("link/y.md") + "\n"
				+ "/export md dangling.md\n"
				+ "/export md mine/ok.md\n", "job=chat", "model=ai/tiny", "session=exp");

		// then: one sentence for each refused, nothing overwritten or written outside
		assertThat(chat.exitCode()).as(chat.toString()).isZero();
		List<String> errors = chat.err().lines().filter((line) -> line.startsWith("error:")).toList();
		assertThat(errors).containsExactly(
				"error: /export md: " + home.resolve("jobs/keep.yaml") + " exists already; give a file that does not "
						+ "exist (an export overwrites nothing)",
				"error: /export txt: " + home.resolve("output/chat/exp") + " holds the exports of a run; give a "
						+ "file in another folder (/export txt alone writes the session's own)",
				"error: /export md: " + this.dir.resolve("elsewhere/x.md") + " is outside the working folder "
						+ home + "; give a file inside it",
				"error: /export md: " + elsewhere.resolve("y.md") + " is outside the working folder " + home
						+ "; give a file inside it",
				"error: /export md: " + home.resolve("dangling.md") + " exists already; give a file that does not "
						+ "exist (an export overwrites nothing)");
		assertThat(this.workspace.read("jobs/keep.yaml")).isEqualTo("steps: [ { name: a, prompt: \"keep me\" } ]\n");
		assertThat(home.resolve("output/chat/exp/results.md")).exists();
		assertThat(home.resolve("output/chat/exp/notes.txt")).doesNotExist();
		try (var files = Files.list(elsewhere)) {
			assertThat(files).isEmpty();
		}
		assertThat(chat.err()).contains("exports: " + home.resolve("mine/ok.md"));
		assertThat(Files.readString(home.resolve("mine/ok.md"))).contains("Hello");
	}

	@Test
	void aRunnerKilledMidAnswerLeavesTheAnswerSoFarMarkedTruncated() throws Exception {
		// given: a runner of its own, and a chat asking it for a long answer, in a process of its own
		int port = LocalRunner.PORT + 18;
		String runner = LocalRunner.start(port, List.of("--threads", "1"));
		try {
			DmrProcess process = DmrProcess.start(this.workspace, runner, "job=chat", "model=ai/tiny",
					"session=killed-runner", "--lines", "--dmr.temperature=0", "--dmr.max-tokens=3000");
			type(process.stdin(), "Tell me everything.\n");
			await(process, () -> process.out().length() > 20);

			// when: the runner is killed while it answers
			LocalRunner.stop(port);
			process.stdin().close();
			int exit = process.waitFor();

			// then: what had arrived is stored and shown, marked truncated; not a whole answer: exit 5
			JsonNode session = export("killed-runner");
			List<String> answers = texts(session, "assistant");
			assertThat(answers).hasSize(1);
			assertThat(process.out()).isEqualTo(answers.get(0) + "\n");
			assertThat(session.get("calls").get(0).get("finish_reason").asString()).isEqualTo("truncated");
			assertThat(process.err()).containsPattern("truncated: the answer of model 'ai/tiny' at "
					+ java.util.regex.Pattern.quote(runner) + " was cut off: its stream ended after \\d+ chunks without "
					+ "a finish reason").doesNotContain("Exception");
			assertThat(exit).as(process.err()).isEqualTo(5);
		}
		finally {
			LocalRunner.stop(port);
		}
	}

	private static void type(OutputStream stdin, String text) throws Exception {
		stdin.write(text.getBytes(StandardCharsets.UTF_8));
		stdin.flush();
	}

	private static void await(DmrProcess process, Check check) throws Exception {
		long deadline = System.nanoTime() + java.time.Duration.ofMinutes(2).toNanos();
		while (!check.ok()) {
			if (!process.isAlive() || System.nanoTime() > deadline) {
				throw new AssertionError("the chat ended or took too long: " + process.out() + process.err());
			}
			Thread.sleep(10);
		}
	}

	private interface Check {

		boolean ok() throws Exception;

	}

	/** A chat in this JVM with stdin from the text (not a terminal, as under a pipe), a turn a line. */
	private Dmr.Result chat(String baseUrl, String input, String... args) {
		List<String> withLines = new ArrayList<>(Arrays.asList(args));
		withLines.add("--lines");
		return piped(baseUrl, input, withLines.toArray(String[]::new));
	}

	/** A chat in this JVM with stdin from the text, as the command line gives it. */
	private Dmr.Result piped(String baseUrl, String input, String... args) {
		List<String> all = new ArrayList<>(Arrays.asList(args));
		for (String setting : SETTINGS) {
			String option = setting.substring(0, setting.indexOf('='));
			String byName = option.substring("--dmr.".length()).replace('-', '_') + "=";
			if (all.stream().noneMatch((arg) -> arg.startsWith(option) || arg.startsWith(byName))) {
				all.add(setting);
			}
		}
		InputStream stdin = System.in;
		System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
		try {
			return Dmr.run(this.workspace, baseUrl, all.toArray(String[]::new));
		}
		finally {
			System.setIn(stdin);
		}
	}

	/** The session's conversation as results.jsonl has it, written by job=export from the store alone. */
	private JsonNode export(String session) throws Exception {
		return JSON.readTree(exportJsonl(session, "export-" + session + "-" + System.nanoTime()));
	}

	private String exportJsonl(String run, String folder) throws Exception {
		Dmr.Result export = Dmr.run(this.workspace, null, "job=export", "run=" + run, "export=jsonl",
				"output=" + folder);
		assertThat(export.exitCode()).as(export.toString()).isZero();
		return Files.readString(this.workspace.path(folder).resolve("results.jsonl"));
	}

	private static List<String> texts(JsonNode conversation, String role) {
		List<String> texts = new ArrayList<>();
		conversation.get("messages").forEach((message) -> {
			if (message.get("role").asString().equals(role)) {
				texts.add(message.get("content").asString());
			}
		});
		return texts;
	}

}
