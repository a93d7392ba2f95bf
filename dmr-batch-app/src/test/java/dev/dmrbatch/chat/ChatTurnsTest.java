package dev.dmrbatch.chat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.config.LaunchSettings;
import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.jobfile.TestJobFiles;
import dev.dmrbatch.model.ChatMessage;
import dev.dmrbatch.model.ChatService;
import dev.dmrbatch.model.ModelCallException;
import dev.dmrbatch.model.ModelReply;
import dev.dmrbatch.model.StreamListener;
import dev.dmrbatch.model.StreamStop;
import dev.dmrbatch.model.TestClients;
import dev.dmrbatch.prompt.PromptTemplates;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.support.FakeRunner;
import dev.dmrbatch.support.Workspace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The chat's turns, whatever the screen, against a fake runner: a turn streams its answer and goes on from the
 * session so far, with the settings the chat started with or was given; a refusal leaves the session as it was;
 * {@code /template} renders as a run's prompt does; one turn at a time per session.
 */
class ChatTurnsTest {

	@TempDir
	Path home;

	private final FakeRunner runner = new FakeRunner();

	@AfterEach
	void close() {
		this.runner.close();
	}

	private ChatTurns turns(LaunchSettings launch) {
		DmrProperties properties = this.runner.properties(this.home);
		ChatService chat = TestClients.chat(properties);
		return new ChatTurns(chat, null, TestJobFiles.of(properties), new PromptTemplates(properties), properties,
				launch);
	}

	/** What a screen is shown of an answer, piece by piece. */
	private static final class Screen implements StreamListener {

		final List<String> pieces = new CopyOnWriteArrayList<>();

		@Override
		public void reasoning(String text) {
			this.pieces.add("(thinking) " + text);
		}

		@Override
		public void answer(String text) {
			this.pieces.add(text);
		}

	}

	@Test
	void aTurnStreamsItsAnswerAndTheNextGoesOnFromTheSessionSoFar() {
		ChatTurns turns = turns(LaunchSettings.none());
		ChatSession session = new ChatSession("s", turns.settingsFor("ai/tiny"));
		Screen screen = new Screen();

		ModelReply first = turns.ask(session, "hello there", screen, new StreamStop());
		turns.ask(session, "and again", new Screen(), new StreamStop());

		assertThat(first.content()).isEqualTo("Echo: hello there");
		assertThat(screen.pieces).hasSizeGreaterThan(1);
		assertThat(String.join("", screen.pieces)).isEqualTo("Echo: hello there");
		assertThat(session.messages()).containsExactly(ChatMessage.user("hello there"),
				ChatMessage.assistant("Echo: hello there"), ChatMessage.user("and again"),
				ChatMessage.assistant("Echo: and again"));
		List<FakeRunner.Request> sent = this.runner.requests();
		assertThat(sent).hasSize(2).allSatisfy((request) -> assertThat(request.stream()).isTrue());
		assertThat(sent.get(1).messages()).extracting((m) -> m.get("content"))
			.containsExactly("hello there", "Echo: hello there", "and again");
		assertThat(session.calls()).extracting((c) -> c.call().step()).containsExactly("turn-1", "turn-2");
	}

	@Test
	void settingsGivenAtLaunchAndThoseSetLaterAreSentAndAValueThatDoesNotFitIsNamed() {
		ChatTurns turns = turns(LaunchSettings.of(ModelSettings.NONE.with("max_tokens", 7)));
		Map<String, String> given = new LinkedHashMap<>();
		given.put("temperature", "0.25");
		given.put("seed", " ");
		ModelSettings settings = turns.settingsWith("ai/tiny2", given);
		ChatSession session = new ChatSession("s", settings);

		turns.ask(session, "hi", new Screen(), new StreamStop());

		FakeRunner.Request sent = this.runner.requests().get(0);
		assertThat(sent.model()).isEqualTo("ai/tiny2");
		assertThat(sent.body().get("max_tokens").asInt()).as("given at launch, over the profile's 512").isEqualTo(7);
		assertThat(sent.body().get("temperature").asDouble()).isEqualTo(0.25);
		assertThat(sent.body().has("seed")).as("a blank value is left out").isFalse();
		assertThatExceptionOfType(RunException.class)
			.isThrownBy(() -> turns.settingsWith("ai/tiny", Map.of("temperature", "hot")))
			.withMessageContaining("temperature");
	}

	@Test
	void aRefusalLeavesTheSessionAsItWas() {
		this.runner.answers((request) -> new FakeRunner.Status(400, "{\"error\":{\"message\":\"no such model\"}}"));
		ChatTurns turns = turns(LaunchSettings.none());
		ChatSession session = new ChatSession("s", turns.settingsFor("ai/tiny"));

		assertThatExceptionOfType(ModelCallException.class)
			.isThrownBy(() -> turns.ask(session, "hi", new Screen(), new StreamStop()))
			.withMessageContaining("answered 400: no such model");

		assertThat(session.answers()).isZero();
		assertThat(session.messages()).isEmpty();
	}

	@Test
	void anAnswerStoppedMidwayKeepsWhatArrivedMarkedStopped() {
		this.runner.answers((request) -> new FakeRunner.Answer("one two three four five six"));
		ChatTurns turns = turns(LaunchSettings.none());
		ChatSession session = new ChatSession("s", turns.settingsFor("ai/tiny"));
		StreamStop stop = new StreamStop();
		List<String> shown = new ArrayList<>();

		ModelReply reply = turns.ask(session, "count", new StreamListener() {

			@Override
			public void reasoning(String text) {
			}

			@Override
			public void answer(String text) {
				shown.add(text);
				if (shown.size() == 2) {
					stop.stop(); // Ctrl-C
				}
			}

		}, stop);

		assertThat(reply.finishReason()).isEqualTo(ChatService.STOPPED);
		assertThat(reply.content()).isEqualTo(String.join("", shown)).startsWith("one two ")
			.isNotEqualTo("one two three four five six");
		assertThat(session.messages()).last().isEqualTo(ChatMessage.assistant(reply.content()));
	}

	@Test
	void aTemplateRendersAJobFilesSystemPromptAndFirstStepOrATemplateWithTheSessionAsItsItem() {
		new Workspace(this.home).file("jobs/review.yaml", """
				model: { name: ai/tiny }
				system: "You review ${vars.kind}."
				vars: { kind: code, tone: dry }
				steps:
				  - { name: a, prompt: "Review ${text} for ${record.id} (${vars.tone})" }
				  - { name: b, prompt: "never rendered" }
				""").file("templates/ask.ftl", "Ask ${text} as ${record.id}");
		ChatTurns turns = turns(LaunchSettings.none());
		ChatSession session = new ChatSession("morning", turns.settingsFor("ai/tiny"));

		ChatTurns.Rendered job = turns.template("review", Map.of("text", "this", "tone", "warm"), session);
		ChatTurns.Rendered template = turns.template("ask", Map.of("text", "that"), session);

		assertThat(job).isEqualTo(new ChatTurns.Rendered("You review code.", "Review this for morning (warm)"));
		assertThat(template).isEqualTo(new ChatTurns.Rendered(null, "Ask that as morning"));
		assertThatIllegalArgumentException().isThrownBy(() -> turns.template("nope", Map.of(), session))
			.withMessage("no job file or template named 'nope' (jobs/nope.yaml, templates/nope)");
		assertThat(this.runner.requests()).isEmpty();
	}

	@Test
	void turnsOfOneSessionTakeTurnsAndThoseOfAnotherDoNotWait() throws Exception {
		ChatTurns turns = turns(LaunchSettings.none());
		CountDownLatch inside = new CountDownLatch(1);
		CountDownLatch leave = new CountDownLatch(1);
		List<String> order = new CopyOnWriteArrayList<>();
		Thread first = new Thread(() -> turns.oneAtATime("s", () -> {
			order.add("first in");
			inside.countDown();
			await(leave);
			order.add("first out");
			return null;
		}));
		first.start();
		assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();
		Thread second = new Thread(() -> turns.oneAtATime("s", () -> order.add("second")));
		second.start();

		turns.oneAtATime("other", () -> order.add("other session"));
		turns.oneAtATime(null, () -> order.add("new session"));
		Thread.sleep(20);
		leave.countDown();
		first.join(5000);
		second.join(5000);

		assertThat(order).containsExactly("first in", "other session", "new session", "first out", "second");
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
