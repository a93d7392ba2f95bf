package dev.dmrbatch.text;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SafeTextTest {

	@Test
	void controlCharactersAreShownAsTheirPicturesLineFeedsAndTabsStay() {
		assertThat(SafeText.visible("red \u001b[31mtext\u001b[0m, bell\u0007, nul\u0000, del\u007f, csi\u009b"))
			.isEqualTo("red ␛[31mtext␛[0m, bell␇, nul␀, del␡, csi[U+009B]");
		assertThat(SafeText.visible("lines\n\tindented\r\nwindows\rback\bspace"))
			.isEqualTo("lines\n\tindented\r\nwindows␍back␈space");
		assertThat(SafeText.visible("abc\u202Efed\u2066x\u2069")).isEqualTo("abc[U+202E]fed[U+2066]x[U+2069]");
		assertThat(SafeText.visible("plain, café, Привет, 😀")).isEqualTo("plain, café, Привет, 😀");
		assertThat(SafeText.visible(null)).isNull();
		assertThat(SafeText.visible("trailing\r")).isEqualTo("trailing␍");
	}

	@Test
	void aRealEscapeAndTheTextOfAnEscapeLookDifferent() {
		// an answer about terminal colours quotes "\u001b[31m" as text: it stays as written, a real ESC does not
		String quoted = "print(\"\\u001b[31mred\")";
		assertThat(SafeText.visible(quoted)).isEqualTo(quoted);
		assertThat(SafeText.document(quoted)).isEqualTo(quoted);
		assertThat(SafeText.document("\u001b[31m")).isEqualTo("␛[31m").isNotEqualTo(SafeText.document("\\u001b[31m"));
		// the same picture on a terminal, in a log and in a document
		assertThat(SafeText.visible("Roses are \u001b[0;31mred")).isEqualTo(SafeText.document("Roses are \u001b[0;31mred"))
			.isEqualTo("Roses are ␛[0;31mred");
	}

	@Test
	void anExcerptIsOneShortLine() {
		assertThat(SafeText.excerpt("two\nlines\tand \u001b", 40)).isEqualTo("two␊lines␉and ␛");
		assertThat(SafeText.excerpt("x".repeat(100), 10)).isEqualTo("xxxxxxxxx…").hasSize(10);
		assertThat(SafeText.excerpt("short", 10)).isEqualTo("short");
	}

	@Test
	void aDocumentKeepsBidirectionalFormattingButNotControls() {
		String rtl = "\u2067\u05e9\u05dc\u05d5\u05dd\u2069 and \u202bembedded\u202c";
		assertThat(SafeText.document(rtl + "\u001b[2J")).isEqualTo(rtl + "␛[2J");
		assertThat(SafeText.visible(rtl)).doesNotContain("\u2067").contains("[U+2067]");
	}

	@Test
	void aClippedMessageCutsLongValuesAndKeepsWordsPathsAndUrlsWhole() {
		String path = "/home/someone/projects/tickets/input/2026-12/tickets.csv";
		assertThat(SafeText.clipped("input file " + path + " cannot be read")).isEqualTo("input file " + path
				+ " cannot be read");
		String clipped = SafeText.clipped("concurrency=sk-" + "s".repeat(3000) + " must be 'auto' or a number");
		assertThat(clipped).startsWith("concurrency=sk-sss").endsWith("s… must be 'auto' or a number");
		assertThat(clipped.length()).isEqualTo(120 + 1 + " must be 'auto' or a number".length());
		assertThat(SafeText.clipped("word ".repeat(1000))).hasSize(1001).endsWith("…");
		assertThat(SafeText.clipped(null)).isNull();
	}

	@Test
	void aFailuresReasonIsTheDatabasesOwnSentenceNotTheWrapperQuotingTheStatement() {
		java.sql.SQLException refused = new java.sql.SQLException(
				"ERROR: could not serialize access due to read/write dependencies among transactions\n  Detail: ...",
				"40001");
		RuntimeException wrapper = new org.springframework.dao.CannotAcquireLockException(
				"PreparedStatementCallback; SQL [INSERT INTO BATCH_JOB_INSTANCE(JOB_INSTANCE_ID, JOB_NAME) VALUES (?, ?)]",
				refused);
		assertThat(SafeText.reason(new IllegalStateException("outer", wrapper)))
			.isEqualTo("ERROR: could not serialize access due to read/write dependencies among transactions");
		// dmr-batch's own exception says it best, wherever it stands in the chain
		RuntimeException own = new dev.dmrbatch.run.plan.RunException("there is a session named 'a' already");
		own.initCause(new IllegalStateException("deeper"));
		assertThat(SafeText.reason(new IllegalStateException("outer", own)))
			.isEqualTo("there is a session named 'a' already");
		RuntimeException cycle = new IllegalStateException("a");
		RuntimeException other = new IllegalStateException("b", cycle);
		cycle.initCause(other);
		assertThat(SafeText.reason(cycle)).isIn("a", "b");
	}

}
