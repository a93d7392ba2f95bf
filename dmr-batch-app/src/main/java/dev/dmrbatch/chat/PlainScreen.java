package dev.dmrbatch.chat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import dev.dmrbatch.model.ModelReply;
import dev.dmrbatch.model.StreamStop;
import dev.dmrbatch.text.SafeText;

/**
 * The chat without a terminal, for scripts and pipes: stdin read whole as one prompt, or with {@code --lines} line by
 * line (or {@code """} blocks, commands included) as turns of one conversation; each answer written to stdout as it
 * streams and ended with a line break, everything else on stderr; no escape codes.
 */
final class PlainScreen implements ChatScreen {

	private final BufferedReader in;

	private final PrintStream out;

	private final PrintStream err;

	private final boolean lines;

	private boolean read;

	private boolean thinking;

	private boolean reasoningOpen;

	/**
	 * @param lines each line (or block) a turn; else the whole input is one prompt, as {@code echo … | chat} means
	 */
	PlainScreen(InputStream in, PrintStream out, PrintStream err, boolean lines) {
		this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
		this.lines = lines;
		this.out = out;
		this.err = err;
	}

	@Override
	public ChatInput.Entry read(String model) throws IOException {
		if (this.lines) {
			return ChatInput.read((continuation) -> this.in.readLine());
		}
		if (this.read) {
			return null;
		}
		this.read = true;
		StringBuilder text = new StringBuilder();
		char[] buffer = new char[8192];
		for (int n = this.in.read(buffer); n >= 0; n = this.in.read(buffer)) {
			text.append(buffer, 0, n);
		}
		String prompt = text.toString().strip();
		return prompt.isEmpty() ? null : new ChatInput.Prompt(prompt);
	}

	@Override
	public void answerStarts(StreamStop stop) {
		this.reasoningOpen = false;
	}

	@Override
	public void reasoning(String text) {
		if (this.thinking) {
			// apart from the answer: stderr, so stdout holds the answers alone
			this.err.print(SafeText.visible(text));
			this.reasoningOpen = true;
		}
	}

	@Override
	public void answer(String text) {
		endReasoning();
		this.out.print(SafeText.visible(text));
		this.out.flush();
	}

	@Override
	public void answerWasReasoning(String text) {
		// stdout has it already: say so where the rest goes
		endReasoning();
		this.err.println("(the answer so far was the model's reasoning, ended by </think>; the answer follows)");
		this.err.flush();
	}

	@Override
	public void truncated(String reason) {
		endReasoning();
		this.err.println("truncated: " + SafeText.visible(SafeText.firstLine(reason)));
		this.err.flush();
	}

	private void endReasoning() {
		if (this.reasoningOpen) {
			this.err.println();
			this.err.flush();
			this.reasoningOpen = false;
		}
	}

	@Override
	public void answerEnds(ModelReply reply) {
		endReasoning();
		if (reply != null) {
			this.out.println();
			this.out.flush();
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
		this.err.println(SafeText.visible(line));
		this.err.flush();
	}

	@Override
	public void error(String line) {
		this.err.println("error: " + SafeText.visible(SafeText.clipped(SafeText.firstLine(line))));
		this.err.flush();
	}

	@Override
	public boolean interactive() {
		return false;
	}

	@Override
	public void close() {
		this.out.flush();
		this.err.flush();
	}

}
