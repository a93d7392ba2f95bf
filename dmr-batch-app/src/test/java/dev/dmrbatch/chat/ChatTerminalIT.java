package dev.dmrbatch.chat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.DmrProcess;
import dev.dmrbatch.support.FaultProxy;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code job=chat} on a terminal (a real pseudo-terminal from script(1), keys typed into it): the answer streams on
 * screen, Ctrl-C stops it and the chat goes on, {@code /model} switches and each turn records its model,
 * {@code /quit} leaves, and the typed lines are kept in the history file.
 */
class ChatTerminalIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final java.util.regex.Pattern RETRY = java.util.regex.Pattern.compile("retrying: [^\r\n]*");

	private static final java.util.regex.Pattern ESCAPES = java.util.regex.Pattern
		.compile("\u001b\\[[0-9;?]*[A-Za-z]|\u001b[=>]|[\r\n]");

	@TempDir
	Path dir;

	FaultProxy proxy;

	@AfterEach
	void closeProxy() {
		if (this.proxy != null) {
			this.proxy.close();
		}
	}

	@Test
	void anAnswerStreamsCtrlCStopsItAndTheChatGoesOnWithAnotherModel() throws Exception {
		Workspace workspace = new Workspace(this.dir);
		// the answer's events passed on one every 10 ms: a long answer takes some 20 s on screen, whatever the load,
		// so Ctrl-C always meets it still being written
		FaultProxy runner = new FaultProxy(LocalRunner.baseUrl());
		this.proxy = runner;
		runner.faults((n) -> FaultProxy.paced(10));
		List<String> command = DmrProcess.launched(workspace, runner.baseUrl(), "chat", "model=ai/tiny",
				"session=term", "--dmr.temperature=0", "--dmr.seed=1", "--dmr.max-tokens=2000");
		String shell = command.stream().map((arg) -> "'" + arg.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
		Path typescript = this.dir.resolve("typescript");
		// SIGINT back to its default: a test run started in the background by a script has it ignored, and a JVM
		// started so cannot take Ctrl-C (coreutils' env since 8.31)
		ProcessBuilder builder = new ProcessBuilder("script", "-qfc",
				"stty cols 120 rows 40; exec env --default-signal=INT " + shell, "/dev/null")
			.redirectErrorStream(true)
			.redirectOutput(typescript.toFile())
			.directory(this.dir.toFile());
		builder.environment().put("TERM", "xterm-256color");
		Process process = builder.start();
		OutputStream keys = process.getOutputStream();
		try {
			// the prompt shows the model
			int prompt = await(process, typescript, "ai/tiny\u001b[0m> ", 0);

			// when: a long answer is asked for
			type(keys, "Tell me a long story\r");
			int echoed = await(process, typescript, "Tell me a long story", prompt);
			int answerStart = await(process, typescript, "\n", echoed);
			// then: its first tokens are on screen while it is still being written (no figures line yet)
			awaitText(process, typescript, answerStart, 8);
			assertThat(screen(typescript).substring(answerStart)).doesNotContain("tokens/s");

			// when: Ctrl-C
			type(keys, "\u0003");
			// then: the answer stops, marked so, and the chat is still there
			int stopped = await(process, typescript, ", stopped", answerStart);
			assertThat(process.isAlive()).isTrue();

			// when: another model, a short answer
			type(keys, "/model ai/tiny2\r");
			int switched = await(process, typescript, "ai/tiny2\u001b[0m> ", stopped);
			type(keys, "/set max_tokens 6\r");
			await(process, typescript, "max_tokens = 6", switched);
			// an invalid value is echoed clipped, as every error line is
			type(keys, "/set seed " + "7".repeat(1000) + "\r");
			int refused = await(process, typescript, "error: seed must be a whole number, not '", switched);
			int clipped = await(process, typescript, "\u001b[0m", refused);
			assertThat(screen(typescript).substring(refused, clipped)).matches("7{100,120}\u2026\u001b\\[0m");
			type(keys, "And now?\r");
			int answered = await(process, typescript, "6 tokens, ", switched);
			type(keys, "/quit\r");
			await(process, typescript, "session term saved (2 answers)", answered);
			assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
			assertThat(process.exitValue()).as(screen(typescript)).isZero();
		}
		finally {
			process.destroyForcibly();
		}

		// then: the stopped answer is stored as stopped, with what had arrived; each turn with its model
		Dmr.Result export = Dmr.run(workspace, null, "job=export", "run=term", "export=jsonl", "output=check");
		assertThat(export.exitCode()).as(export.toString()).isZero();
		JsonNode session = JSON.readTree(Files.readString(workspace.path("check/results.jsonl")));
		JsonNode first = session.get("calls").get(0);
		assertThat(first.get("model").asString()).isEqualTo("ai/tiny");
		assertThat(first.get("finish_reason").asString()).isEqualTo("stopped");
		assertThat(first.get("completion_tokens").asLong()).as(screen(typescript)).isPositive().isLessThan(2000);
		List<String> answers = new ArrayList<>();
		session.get("messages").forEach((m) -> {
			if (m.get("role").asString().equals("assistant")) {
				answers.add(m.get("content").asString());
			}
		});
		assertThat(answers.get(0)).isNotEmpty();
		assertThat(screen(typescript)).contains(answers.get(0).substring(0, Math.min(8, answers.get(0).length())));
		JsonNode second = session.get("calls").get(1);
		assertThat(second.get("model").asString()).isEqualTo("ai/tiny2");
		assertThat(second.get("completion_tokens").asLong()).isEqualTo(6);
		// the history of typed lines, for the next session
		assertThat(Files.readString(workspace.path("data/chat-history"))).contains("Tell me a long story")
			.contains("/model ai/tiny2");
	}

	private static void type(OutputStream keys, String text) throws Exception {
		keys.write(text.getBytes(StandardCharsets.UTF_8));
		keys.flush();
	}

	private static String screen(Path typescript) throws Exception {
		return Files.readString(typescript, StandardCharsets.UTF_8);
	}

	/** Waits for the text on screen after {@code from} and returns where it ends. */
	private static int await(Process process, Path typescript, String text, int from) throws Exception {
		long deadline = System.nanoTime() + java.time.Duration.ofMinutes(2).toNanos();
		while (true) {
			String screen = screen(typescript);
			int at = screen.indexOf(text, from);
			if (at >= 0) {
				return at + text.length();
			}
			if (!process.isAlive() || System.nanoTime() > deadline) {
				throw new AssertionError("waited for '" + text + "'; the screen:\n" + screen.replace("\u001b", "ESC"));
			}
			Thread.sleep(5);
		}
	}

	/** Waits for {@code count} visible characters on screen after {@code from}, escape sequences left out. */
	private static void awaitText(Process process, Path typescript, int from, int count) throws Exception {
		long deadline = System.nanoTime() + java.time.Duration.ofMinutes(2).toNanos();
		// a retry's notice (the shared runner may be loading a model) is no answer
		while (ESCAPES.matcher(RETRY.matcher(screen(typescript).substring(from)).replaceAll("")).replaceAll("").strip()
			.length() < count) {
			if (!process.isAlive() || System.nanoTime() > deadline) {
				throw new AssertionError("no answer on screen: " + screen(typescript).replace("\u001b", "ESC"));
			}
			Thread.sleep(2);
		}
	}

}
