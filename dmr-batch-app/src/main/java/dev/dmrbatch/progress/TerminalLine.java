package dev.dmrbatch.progress;

import java.io.PrintStream;
import java.util.function.IntSupplier;

import dev.dmrbatch.text.SafeText;

/**
 * The live progress line at the bottom of the terminal. Log lines go through {@link #aroundLog}: the line is erased,
 * the log line written, the line drawn again, under one lock, so the two never mix on screen.
 */
public final class TerminalLine {

	private static final Object LOCK = new Object();

	private static volatile TerminalLine active;

	private final PrintStream out;

	private final IntSupplier width;

	private final String clearToEnd;

	private String text = "";

	TerminalLine(PrintStream out, IntSupplier width, String clearToEnd) {
		this.out = out;
		this.width = width;
		this.clearToEnd = clearToEnd;
	}

	/** Writes a log line (or anything else bound for the terminal) without garbling the progress line. */
	public static void aroundLog(Runnable write) {
		TerminalLine line = active;
		if (line == null) {
			write.run();
			return;
		}
		synchronized (LOCK) {
			line.erase();
			write.run();
			line.paint();
		}
	}

	void show() {
		active = this;
	}

	void draw(String text) {
		synchronized (LOCK) {
			this.text = SafeText.excerpt(text, Integer.MAX_VALUE);
			paint();
		}
	}

	/** Erases the line and stops drawing it. */
	void close() {
		synchronized (LOCK) {
			if (active == this) {
				active = null;
			}
			erase();
		}
	}

	private void paint() {
		if (this.text.isEmpty()) {
			return;
		}
		// one cell short of the width: writing the last cell wraps the cursor on some terminals
		int columns = Math.max(20, this.width.getAsInt() - 1);
		String shown = (this.text.length() > columns) ? this.text.substring(0, columns) : this.text;
		this.out.print("\r" + shown + this.clearToEnd);
		this.out.flush();
	}

	private void erase() {
		this.out.print("\r" + this.clearToEnd);
		this.out.flush();
	}

}
