package dev.dmrbatch.chat;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The chat's command parser and its multi-line blocks. */
class ChatInputTest {

	@Test
	void aSlashAndALetterMakeACommandWithTheRestOfTheLineAsItsArgument() {
		assertThat(ChatInput.parse("/set temperature 0.5", false))
			.isEqualTo(new ChatInput.Slash("set", "temperature 0.5"));
		assertThat(((ChatInput.Slash) ChatInput.parse("/set  stop  a|b", false)).words())
			.containsExactly("stop", "a|b");
		assertThat(ChatInput.parse("/System   You are  terse. ", false))
			.isEqualTo(new ChatInput.Slash("system", "You are  terse."));
		assertThat(ChatInput.parse("/quit", false)).isEqualTo(new ChatInput.Slash("quit", ""));
		assertThat(((ChatInput.Slash) ChatInput.parse("/undo", false)).words()).isEmpty();
	}

	@Test
	void anythingElseIsAPrompt() {
		assertThat(ChatInput.parse("what is /etc?", false)).isEqualTo(new ChatInput.Prompt("what is /etc?"));
		assertThat(ChatInput.parse("/ 2 = half", false)).isEqualTo(new ChatInput.Prompt("/ 2 = half"));
		assertThat(ChatInput.parse("/help", true)).isEqualTo(new ChatInput.Prompt("/help"));
	}

	@Test
	void aBlockJoinsItsLinesUpToTheClosingQuotes() throws IOException {
		Lines lines = new Lines("\"\"\"", "/not a command", "  indented", "last line\"\"\"", "/stats");
		assertThat(ChatInput.read(lines)).isEqualTo(new ChatInput.Prompt("/not a command\n  indented\nlast line"));
		assertThat(lines.continuations).containsExactly(false, true, true, true);
		assertThat(ChatInput.read(lines)).isEqualTo(new ChatInput.Slash("stats", ""));
		assertThat(ChatInput.read(lines)).isNull();
	}

	@Test
	void aBlockMayStartAndEndOnItsOwnLines() throws IOException {
		assertThat(ChatInput.read(new Lines("\"\"\"first", "second", "\"\"\"")))
			.isEqualTo(new ChatInput.Prompt("first\nsecond"));
		assertThat(ChatInput.read(new Lines("\"\"\"one line\"\"\""))).isEqualTo(new ChatInput.Prompt("one line"));
		// a block left open at the end of the input is sent as it is
		assertThat(ChatInput.read(new Lines("\"\"\"", "unfinished"))).isEqualTo(new ChatInput.Prompt("unfinished"));
	}

	private static final class Lines implements ChatInput.Lines {

		private final Deque<String> lines;

		final List<Boolean> continuations = new ArrayList<>();

		Lines(String... lines) {
			this.lines = new ArrayDeque<>(List.of(lines));
		}

		@Override
		public String next(boolean continuation) {
			this.continuations.add(continuation);
			return this.lines.poll();
		}

	}

}
