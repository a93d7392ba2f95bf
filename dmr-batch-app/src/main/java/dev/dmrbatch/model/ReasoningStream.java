package dev.dmrbatch.model;

/**
 * {@link Reasoning} for an answer that arrives in pieces: a leading {@code <think>…</think>} block goes to the
 * reasoning as it streams, the rest to the answer, whatever the pieces' boundaries (a tag may be split across two
 * pieces). Not thread-safe: one per streamed answer.
 */
final class ReasoningStream {

	private static final String OPEN = "<think>";

	private static final String CLOSE = "</think>";

	private final StreamListener listener;

	private final StringBuilder pending = new StringBuilder();

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
			this.state = State.ANSWER;
			flushAnswer();
		}
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
		int keep = 0;
		for (int n = Math.min(CLOSE.length() - 1, text.length()); n > 0; n--) {
			if (CLOSE.startsWith(text.substring(text.length() - n))) {
				keep = n;
				break;
			}
		}
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

		START, THINK, AFTER_THINK, ANSWER

	}

}
