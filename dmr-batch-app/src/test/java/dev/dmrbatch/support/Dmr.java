package dev.dmrbatch.support;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.dmrbatch.DmrBatchApplication;

/**
 * Runs dmr-batch in this JVM, as {@code java -jar} would, in a workspace of its own, and captures what it printed.
 */
public final class Dmr {

	private Dmr() {
	}

	/** What one command did: its exit code, stdout and stderr. */
	public record Result(int exitCode, String out, String err) {

		public String all() {
			return this.out + this.err;
		}

		@Override
		public String toString() {
			return "exit " + this.exitCode + "\n--- stdout\n" + this.out + "--- stderr\n" + this.err;
		}

	}

	/**
	 * Runs a command in the workspace against the given base URL; with the store opened in this JVM while the
	 * workspace's commands all run here (see {@link Workspace}).
	 */
	public static synchronized Result run(Workspace workspace, String baseUrl, String... args) {
		List<String> all = new ArrayList<>(Arrays.asList(args));
		all.add("--dmr.home=" + workspace.root());
		if (baseUrl != null) {
			all.add("--dmr.base-url=" + baseUrl);
		}
		if (!workspace.storeShared() && all.stream().noneMatch((arg) -> arg.startsWith("--dmr.store.shared="))) {
			all.add("--dmr.store.shared=false");
		}
		PrintStream out = System.out;
		PrintStream err = System.err;
		ByteArrayOutputStream capturedOut = new ByteArrayOutputStream();
		ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
		System.setOut(new PrintStream(new Tee(capturedOut, out), true, StandardCharsets.UTF_8));
		System.setErr(new PrintStream(new Tee(capturedErr, err), true, StandardCharsets.UTF_8));
		int code;
		try {
			code = DmrBatchApplication.run(all.toArray(String[]::new));
		}
		finally {
			System.out.flush();
			System.err.flush();
			System.setOut(out);
			System.setErr(err);
		}
		return new Result(code, capturedOut.toString(StandardCharsets.UTF_8), capturedErr.toString(StandardCharsets.UTF_8));
	}

	/** Copies to the captured buffer and to the real stream, so test logs still show what happened. */
	private static final class Tee extends java.io.OutputStream {

		private final java.io.OutputStream first;

		private final java.io.OutputStream second;

		Tee(java.io.OutputStream first, java.io.OutputStream second) {
			this.first = first;
			this.second = second;
		}

		@Override
		public void write(int b) throws java.io.IOException {
			this.first.write(b);
			this.second.write(b);
		}

		@Override
		public void write(byte[] b, int off, int len) throws java.io.IOException {
			this.first.write(b, off, len);
			this.second.write(b, off, len);
		}

		@Override
		public void flush() throws java.io.IOException {
			this.first.flush();
			this.second.flush();
		}

	}

}
