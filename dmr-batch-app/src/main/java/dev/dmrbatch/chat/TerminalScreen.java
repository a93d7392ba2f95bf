package dev.dmrbatch.chat;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import dev.dmrbatch.model.ChatService;
import dev.dmrbatch.model.ModelReply;
import dev.dmrbatch.model.StreamStop;
import dev.dmrbatch.text.SafeText;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;
import org.jline.utils.InfoCmp;

/**
 * The chat on a terminal: JLine's line editor with a history kept across sessions, the model in the prompt, the
 * answer written as it streams, the reasoning dimmed apart from it, and one dim line of figures after it. Ctrl-C
 * while an answer is written stops it (the chat goes on); Ctrl-C at the prompt clears the line; Ctrl-D leaves.
 */
final class TerminalScreen implements ChatScreen {

	private static final AttributedStyle DIM = AttributedStyle.DEFAULT.faint();

	private static final AttributedStyle ERROR = AttributedStyle.DEFAULT.foreground(AttributedStyle.RED);

	private final Terminal terminal;

	private final LineReader reader;

	private final PrintWriter out;

	private final AtomicReference<StreamStop> answering = new AtomicReference<>();

	private boolean thinking;

	/** What the answer being written has shown: nothing yet, reasoning, or the answer. */
	private Shown shown = Shown.NOTHING;

	private boolean atLineStart = true;

	private boolean retryShown;

	TerminalScreen(Path history) throws IOException {
		this.terminal = TerminalBuilder.builder().system(true).build();
		this.reader = LineReaderBuilder.builder()
			.terminal(this.terminal)
			.appName("dmr-batch")
			.variable(LineReader.HISTORY_FILE, history)
			.variable(LineReader.SECONDARY_PROMPT_PATTERN, "... ")
			// prompts are text: "!" and "^" are not history expansions
			.option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
			.build();
		this.out = this.terminal.writer();
		// Ctrl-C while an answer is written stops it; the line editor takes Ctrl-C over while it reads a line
		this.terminal.handle(Terminal.Signal.INT, (signal) -> {
			StreamStop stop = this.answering.get();
			if (stop != null) {
				stop.stop();
			}
		});
	}

	@Override
	public ChatInput.Entry read(String model) throws IOException {
		String prompt = new AttributedString(SafeText.visible(model), AttributedStyle.BOLD).toAnsi(this.terminal) + "> ";
		while (true) {
			try {
				return ChatInput.read((continuation) -> {
					try {
						return this.reader.readLine(continuation ? "... " : prompt);
					}
					catch (EndOfFileException ex) {
						return null;
					}
				});
			}
			catch (UserInterruptException ex) {
				// Ctrl-C at the prompt: the line is dropped, the chat goes on
			}
		}
	}

	@Override
	public void answerStarts(StreamStop stop) {
		this.shown = Shown.NOTHING;
		this.atLineStart = true;
		this.answering.set(stop);
	}

	@Override
	public void reasoning(String text) {
		clearRetry();
		if (!this.thinking) {
			if (this.shown == Shown.NOTHING) {
				write(dim("thinking… (/think on shows it)"));
				newline();
				this.shown = Shown.REASONING;
			}
			return;
		}
		this.shown = Shown.REASONING;
		write(dim(SafeText.visible(text)));
	}

	@Override
	public void answer(String text) {
		clearRetry();
		if (this.shown == Shown.REASONING && !this.atLineStart) {
			newline();
			newline();
		}
		this.shown = Shown.ANSWER;
		write(SafeText.visible(text));
	}

	@Override
	public void answerWasReasoning(String text) {
		if (!this.atLineStart) {
			newline();
		}
		write(dim("(the text above was the model's reasoning, ended by </think>; the answer follows)"));
		newline();
	}

	@Override
	public void truncated(String reason) {
		clearRetry();
		if (!this.atLineStart) {
			newline();
		}
		write(new AttributedString("truncated: " + SafeText.visible(SafeText.firstLine(reason)), ERROR)
			.toAnsi(this.terminal));
		newline();
	}

	/** Why the request is sent again, on a line of its own that the answer or the error then replaces. */
	@Override
	public void retrying(String reason) {
		clearRetry();
		write(dim("retrying: " + SafeText.visible(SafeText.firstLine(reason))));
		this.retryShown = true;
	}

	private void clearRetry() {
		if (this.retryShown) {
			this.terminal.puts(InfoCmp.Capability.carriage_return);
			this.terminal.puts(InfoCmp.Capability.clr_eol);
			this.terminal.flush();
			this.retryShown = false;
			this.atLineStart = true;
		}
	}

	@Override
	public void answerEnds(ModelReply reply) {
		this.answering.set(null);
		clearRetry();
		if (!this.atLineStart) {
			newline();
		}
		if (reply != null) {
			String mark = switch (String.valueOf(reply.finishReason())) {
				case ChatService.STOPPED -> ", stopped";
				case ChatService.TRUNCATED -> ", truncated";
				default -> "";
			};
			write(dim(reply.completionTokens() + " tokens, " + Chat.seconds(reply.latencyMillis()) + ", "
					+ Chat.rate(reply.completionTokens(), reply.latencyMillis()) + mark));
			newline();
		}
	}

	@Override
	public boolean thinking() {
		return this.thinking;
	}

	@Override
	public void thinking(boolean show) {
		this.thinking = show;
	}

	@Override
	public void say(String line) {
		write(SafeText.visible(line));
		newline();
	}

	@Override
	public void error(String line) {
		clearRetry();
		if (!this.atLineStart) {
			newline();
		}
		write(new AttributedString("error: " + SafeText.visible(SafeText.clipped(SafeText.firstLine(line))), ERROR).toAnsi(this.terminal));
		newline();
	}

	@Override
	public boolean interactive() {
		return true;
	}

	@Override
	public void close() {
		try {
			this.reader.getHistory().save();
		}
		catch (IOException ex) {
			// the history is a convenience: a chat never fails for it
		}
		try {
			this.terminal.close();
		}
		catch (IOException ex) {
			// closing is all that was wanted
		}
	}

	private String dim(String text) {
		return new AttributedString(text, DIM).toAnsi(this.terminal);
	}

	private void write(String text) {
		if (text.isEmpty()) {
			return;
		}
		this.out.print(text);
		this.out.flush();
		this.atLineStart = text.endsWith("\n");
	}

	private void newline() {
		this.out.println();
		this.out.flush();
		this.atLineStart = true;
	}

	private enum Shown {

		NOTHING, REASONING, ANSWER

	}

}
