package dev.dmrbatch.compare;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The line diff of two runs' prompt templates. */
class LineDiffTest {

	@Test
	void equalTextsHaveNoChange() {
		List<LineDiff.Line> diff = LineDiff.diff("a\nb\n", "a\nb");
		assertThat(diff).extracting(LineDiff.Line::toString).containsExactly("  a", "  b");
		assertThat(LineDiff.changed(diff)).isFalse();
	}

	@Test
	void aChangedLineIsRemovedThenAdded() {
		List<LineDiff.Line> diff = LineDiff.diff("Summarize:\n${text}\nIn two sentences.",
				"Summarize:\n${text}\nIn one sentence.");
		assertThat(diff).extracting(LineDiff.Line::toString)
			.containsExactly("  Summarize:", "  ${text}", "- In two sentences.", "+ In one sentence.");
		assertThat(LineDiff.changed(diff)).isTrue();
	}

	@Test
	void insertionsAndDeletionsKeepTheCommonLinesInOrder() {
		List<LineDiff.Line> diff = LineDiff.diff("a\nb\nc\nd\ne", "a\nc\nd\nx\ne\nf");
		assertThat(diff).extracting(LineDiff.Line::toString)
			.containsExactly("  a", "- b", "  c", "  d", "+ x", "  e", "+ f");
	}

	@Test
	void oneSideEmpty() {
		assertThat(LineDiff.diff(null, "a\r\nb")).extracting(LineDiff.Line::toString).containsExactly("+ a", "+ b");
		assertThat(LineDiff.diff("a", "")).extracting(LineDiff.Line::toString).containsExactly("- a");
	}

	@Test
	void everyLineOfBothTextsIsThereOnce() {
		java.util.Random random = new java.util.Random(3);
		for (int run = 0; run < 200; run++) {
			String a = random(random);
			String b = random(random);
			List<LineDiff.Line> diff = LineDiff.diff(a, b);
			assertThat(String.join("\n", diff.stream().filter((l) -> l.kind() != '+').map(LineDiff.Line::text).toList()))
				.isEqualTo(a);
			assertThat(String.join("\n", diff.stream().filter((l) -> l.kind() != '-').map(LineDiff.Line::text).toList()))
				.isEqualTo(b);
		}
	}

	private static String random(java.util.Random random) {
		StringBuilder text = new StringBuilder();
		int lines = 1 + random.nextInt(8);
		for (int i = 0; i < lines; i++) {
			text.append((i > 0) ? "\n" : "").append("line ").append(random.nextInt(4));
		}
		return text.toString();
	}

}
