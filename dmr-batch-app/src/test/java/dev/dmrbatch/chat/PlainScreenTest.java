package dev.dmrbatch.chat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import dev.dmrbatch.model.ModelReply;
import dev.dmrbatch.model.StreamStop;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The chat through a pipe: answers alone on stdout, the rest on stderr, no control character written raw. */
class PlainScreenTest {

	@Test
	void answersGoToStdoutAsTheyStreamAndTheirControlCharactersAreShownNotObeyed() throws Exception {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		try (PlainScreen screen = new PlainScreen(new ByteArrayInputStream("hello\n/quit\n".getBytes(StandardCharsets.UTF_8)),
				new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), true)) {
			assertThat(screen.read("ai/tiny")).isEqualTo(new ChatInput.Prompt("hello"));
			screen.answerStarts(new StreamStop());
			screen.reasoning("hidden thoughts");
			screen.answer("red \u001b[31mtext\u0007");
			screen.answer(" and\nmore");
			screen.answerEnds(reply("ai/tiny", "", null, "stop"));
			screen.thinking(true);
			screen.answerStarts(new StreamStop());
			screen.reasoning("shown \u001b]0;title\u0007 thoughts");
			screen.answer("second");
			screen.answerEnds(reply("ai/tiny", "", null, "stop"));
			screen.error("model 'x' answered 500: bad\u001b[2J\nsecond line");
			assertThat(screen.read("ai/tiny")).isEqualTo(new ChatInput.Slash("quit", ""));
		}
		assertThat(out.toString(StandardCharsets.UTF_8))
			.isEqualTo("red ␛[31mtext␇ and\nmore\nsecond\n");
		assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("shown ␛]0;title␇ thoughts\n"
				+ "error: model 'x' answered 500: bad␛[2J\n");
	}

	@Test
	void aTruncatedAnswerIsSaidOnStderrInOneLineAndReasoningFoundLateIsSaidToo() throws Exception {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		try (PlainScreen screen = new PlainScreen(new ByteArrayInputStream(new byte[0]),
				new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), true)) {
			screen.answerStarts(new StreamStop());
			screen.answer("thoughts");
			screen.answerWasReasoning("thoughts");
			screen.answer("the start");
			screen.truncated("the answer of model 'x' at http://h/v1 was cut off\u001b[2J: its stream ended\nearly");
			screen.answerEnds(reply("x", "the start", "thoughts", "truncated"));
		}
		assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("thoughtsthe start\n");
		assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo(
				"(the answer so far was the model's reasoning, ended by </think>; the answer follows)\n"
						+ "truncated: the answer of model 'x' at http://h/v1 was cut off␛[2J: its stream ended\n");
	}

	@Test
	void withoutLinesTheWholeInputIsOnePromptEvenWhenALineLooksLikeACommand() throws Exception {
		String input = "Summarise this:\n/quit is not a command here\n\n  indented\n";
		try (PlainScreen screen = new PlainScreen(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
				new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
				new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false)) {
			assertThat(screen.read("ai/tiny"))
				.isEqualTo(new ChatInput.Prompt("Summarise this:\n/quit is not a command here\n\n  indented"));
			assertThat(screen.read("ai/tiny")).isNull();
		}
		try (PlainScreen empty = new PlainScreen(new ByteArrayInputStream(new byte[0]),
				new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
				new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false)) {
			assertThat(empty.read("ai/tiny")).isNull();
		}
	}

	private static ModelReply reply(String model, String content, String reasoning, String finishReason) {
		return ModelReply.answer(model, content).reasoning(reasoning)
			.finishReason(finishReason)
			.tokens(1, 2)
			.latency(3)
			.attempts(1)
			.build();
	}

}
