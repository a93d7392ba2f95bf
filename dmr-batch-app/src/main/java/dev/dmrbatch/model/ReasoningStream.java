package dev.dmrbatch.model;

/**
 * {@link Reasoning} for an answer that arrives in pieces: a leading {@code <think>…</think>} block goes to the
 * reasoning as it streams, the rest to the answer, whatever the pieces' boundaries (a tag may be split across two
 * pieces). A bare {@code </think>} (the template opened the block) can only be known when it comes: until then the
 * text streams as the answer, then the listener is told it was the reasoning
 * ({@link StreamListener#answerWasReasoning}). Not thread-safe: one per streamed answer.
 */
final class ReasoningStream {

	private static final String OPEN = Reasoning.OPEN;

	private static final String CLOSE = Reasoning.CLOSE;

	private final StreamListener listener;

	private final StringBuilder pending = new StringBuilder();

	/** What went to the answer while a bare closing tag may still come. */
	private final StringBuilder untagged = new StringBuilder();

	private State state = State.START;

	ReasoningStream(StreamListener listener) {
		this.listener = listener;
	}

	/** Takes the next piece of the streamed content. */
	void accept(String text) {
		if (text.isEmpty()) {
			return;
		}
		this.pending.append(text);
		switch (this.state) {
			case START -> start();
			case THINK -> think();
			case AFTER_THINK -> afterThink();
			case UNTAGGED -> untagged();
			case ANSWER -> flushAnswer();
		}
	}

	/** The stream ended: what is held back goes where it belongs (an unclosed think block is all reasoning). */
	void finish() {
		if (this.pending.isEmpty()) {
			return;
		}
		if (this.state == State.THINK) {
			this.listener.reasoning(this.pending.toString());
		}
		else if (this.state != State.AFTER_THINK || !this.pending.toString().isBlank()) {
			this.listener.answer(this.pending.toString());
		}
		this.pending.setLength(0);
	}

	private void start() {
		String text = this.pending.toString().stripLeading();
		if (text.length() < OPEN.length() && OPEN.startsWith(text)) {
			return; // maybe a think block: wait for more
		}
		if (text.startsWith(OPEN)) {
			this.pending.setLength(0);
			this.pending.append(text.substring(OPEN.length()));
			this.state = State.THINK;
			think();
		}
		else {
			this.state = State.UNTAGGED;
			untagged();
		}
	}

	/** An answer without an opening tag: a closing one, before any opening one, ends the reasoning it was. */
	private void untagged() {
		String text = this.pending.toString();
		int open = text.indexOf(OPEN);
		int close = text.indexOf(CLOSE);
		if (open >= 0 && (close < 0 || open < close)) {
			// an opening tag in the text: the tags that follow are the answer's own
			this.untagged.setLength(0);
			this.state = State.ANSWER;
			flushAnswer();
			return;
		}
		if (close >= 0) {
			String before = text.substring(0, close);
			if (!before.isEmpty()) {
				this.listener.answer(before);
				this.untagged.append(before);
			}
			if (!this.untagged.toString().isBlank()) {
				this.listener.answerWasReasoning(this.untagged.toString());
			}
			this.untagged.setLength(0);
			this.pending.setLength(0);
			this.pending.append(text.substring(close + CLOSE.length()));
			this.state = State.AFTER_THINK;
			afterThink();
			return;
		}
		// hold back a tail that may be the start of either tag
		int keep = Math.max(tagStartAtEnd(text, CLOSE), tagStartAtEnd(text, OPEN));
		if (text.length() > keep) {
			String shown = text.substring(0, text.length() - keep);
			this.listener.answer(shown);
			this.untagged.append(shown);
			this.pending.delete(0, text.length() - keep);
		}
	}

	/** The length of the longest end of {@code text} that is a start of {@code tag}, the tag excluded. */
	private static int tagStartAtEnd(String text, String tag) {
		for (int n = Math.min(tag.length() - 1, text.length()); n > 0; n--) {
			if (tag.startsWith(text.substring(text.length() - n))) {
				return n;
			}
		}
		return 0;
	}

	private void think() {
		String text = this.pending.toString();
		int close = text.indexOf(CLOSE);
		if (close >= 0) {
			if (close > 0) {
				this.listener.reasoning(text.substring(0, close));
			}
			this.pending.setLength(0);
			this.pending.append(text.substring(close + CLOSE.length()));
			this.state = State.AFTER_THINK;
			afterThink();
			return;
		}
		// hold back a tail that may be the start of the closing tag
		int keep = tagStartAtEnd(text, CLOSE);
		if (text.length() > keep) {
			this.listener.reasoning(text.substring(0, text.length() - keep));
			this.pending.delete(0, text.length() - keep);
		}
	}

	private void afterThink() {
		// the answer starts at its first visible character, as Reasoning.split strips it
		String text = this.pending.toString().stripLeading();
		this.pending.setLength(0);
		if (!text.isEmpty()) {
			this.pending.append(text);
			this.state = State.ANSWER;
			flushAnswer();
		}
	}

	private void flushAnswer() {
		if (!this.pending.isEmpty()) {
			this.listener.answer(this.pending.toString());
			this.pending.setLength(0);
		}
	}

	private enum State {

		START, THINK, AFTER_THINK, UNTAGGED, ANSWER

	}

}
