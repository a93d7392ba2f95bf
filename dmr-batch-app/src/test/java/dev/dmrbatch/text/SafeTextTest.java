package dev.dmrbatch.text;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SafeTextTest {

	@Test
	void controlCharactersAreShownAsEscapesLineFeedsAndTabsStay() {
		assertThat(SafeText.visible("red \u001b[31mtext\u001b[0m, bell\u0007, nul\u0000, del\u007f, csi\u009b"))
			.isEqualTo("red \\u001b[31mtext\\u001b[0m, bell\\u0007, nul\\u0000, del\\u007f, csi\\u009b");
		assertThat(SafeText.visible("lines\n\tindented\r\nwindows\rback\bspace"))
			.isEqualTo("lines\n\tindented\r\nwindows\\u000dback\\u0008space");
		assertThat(SafeText.visible("abc\u202Efed\u2066x\u2069")).isEqualTo("abc\\u202efed\\u2066x\\u2069");
		assertThat(SafeText.visible("plain, café, Привет, 😀")).isEqualTo("plain, café, Привет, 😀");
		assertThat(SafeText.visible(null)).isNull();
		assertThat(SafeText.visible("trailing\r")).isEqualTo("trailing\\u000d");
	}

	@Test
	void anExcerptIsOneShortLine() {
		assertThat(SafeText.excerpt("two\nlines\tand \u001b", 40)).isEqualTo("two\\u000alines\\u0009and \\u001b");
		assertThat(SafeText.excerpt("x".repeat(100), 10)).isEqualTo("xxxxxxxxx…").hasSize(10);
		assertThat(SafeText.excerpt("short", 10)).isEqualTo("short");
	}

	@Test
	void aDocumentKeepsBidirectionalFormattingButNotControls() {
		String rtl = "\u2067\u05e9\u05dc\u05d5\u05dd\u2069 and \u202bembedded\u202c";
		assertThat(SafeText.document(rtl + "\u001b[2J")).isEqualTo(rtl + "\\u001b[2J");
		assertThat(SafeText.visible(rtl)).doesNotContain("\u2067").contains("\\u2067");
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

}
