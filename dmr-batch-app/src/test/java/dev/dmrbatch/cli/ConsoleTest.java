package dev.dmrbatch.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConsoleTest {

	@Test
	void outputHeldBackIsWrittenWhenReleasedAndOnlyThen() {
		PrintStream out = System.out;
		ByteArrayOutputStream written = new ByteArrayOutputStream();
		System.setOut(new PrintStream(written, true, StandardCharsets.UTF_8));
		try {
			Console.holdOutput();
			Console.out("not held: no command line let it be");
			int before = written.size();
			Console.mayHoldOutput();
			Console.holdOutput();
			Console.out("ID  RUN");
			Console.out("1   first\u001b[2J");
			assertThat(written.size()).as("written while held").isEqualTo(before);

			Console.releaseOutput();
			assertThat(written.toString(StandardCharsets.UTF_8)).isEqualTo("not held: no command line let it be"
					+ System.lineSeparator() + "ID  RUN" + System.lineSeparator() + "1   first\u241b[2J"
					+ System.lineSeparator());

			Console.out("after");
			assertThat(written.toString(StandardCharsets.UTF_8)).endsWith("after" + System.lineSeparator());
			Console.releaseOutput(); // nothing held: nothing more
			assertThat(written.toString(StandardCharsets.UTF_8)).hasLineCount(4);
		}
		finally {
			Console.releaseOutput();
			System.setOut(out);
		}
	}

}
