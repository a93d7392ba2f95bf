package dev.dmrbatch.chat;

import java.io.IOException;

import dev.dmrbatch.model.ModelReply;
import dev.dmrbatch.model.StreamListener;
import dev.dmrbatch.model.StreamStop;

/**
 * Where the chat meets its user: a terminal ({@link TerminalScreen}: a line editor, colours, Ctrl-C) or plain
 * streams ({@link PlainScreen}: stdin read line by line, the answers alone on stdout). Every text from the model or
 * the runner goes through {@link dev.dmrbatch.text.SafeText} before it is written, and an error line is clipped as the
 * console clips one ({@link dev.dmrbatch.text.SafeText#clipped}): a value it quotes is never echoed whole.
 */
interface ChatScreen extends StreamListener, AutoCloseable {

	/**
	 * Reads the next prompt or command.
	 * @param model the model the next turn is sent to, which the prompt shows
	 * @return the entry, or {@code null} when the user leaves (Ctrl-D, end of input)
	 */
	ChatInput.Entry read(String model) throws IOException;

	/** An answer is about to stream; {@code stop} stops it (Ctrl-C on a terminal). */
	void answerStarts(StreamStop stop);

	/** The answer ended: {@code reply} is null when it failed. */
	void answerEnds(ModelReply reply);

	/** Whether the model's reasoning is shown. */
	boolean thinking();

	void thinking(boolean show);

	/** A line for the user: what a command did. */
	void say(String line);

	/** Text of several lines (a list, the help), as {@link #say} writes a line. */
	default void show(String text) {
		say(text);
	}

	/** What went wrong, in one line; the chat goes on. */
	void error(String line);

	/** Whether this is a terminal (the piped mode's exit code tells failed turns). */
	boolean interactive();

	@Override
	void close();

}
