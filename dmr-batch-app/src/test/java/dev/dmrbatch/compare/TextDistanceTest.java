package dev.dmrbatch.compare;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The normalised Levenshtein distance the comparison ranks changed answers by. */
class TextDistanceTest {

	@Test
	void editsCountOneEach() {
		assertThat(TextDistance.levenshtein("kitten", "sitting")).isEqualTo(3);
		assertThat(TextDistance.levenshtein("flaw", "lawn")).isEqualTo(2);
		assertThat(TextDistance.levenshtein("", "abc")).isEqualTo(3);
		assertThat(TextDistance.levenshtein("abc", "")).isEqualTo(3);
		assertThat(TextDistance.levenshtein("same", "same")).isZero();
		// a common beginning and end around the change
		assertThat(TextDistance.levenshtein("the cat sat on the mat", "the dog sat on the mat")).isEqualTo(3);
		assertThat(TextDistance.levenshtein("abcXdef", "abcdef")).isEqualTo(1);
	}

	@Test
	void normalisedByTheLongerText() {
		assertThat(TextDistance.normalised("kitten", "sitting")).isCloseTo(3.0 / 7, within(1e-12));
		assertThat(TextDistance.normalised("", "")).isZero();
		assertThat(TextDistance.normalised(null, null)).isZero();
		assertThat(TextDistance.normalised("abc", "xyz")).isEqualTo(1.0);
		assertThat(TextDistance.normalised("abc", null)).isEqualTo(1.0);
		// an answer cut short: what it lacks over the longer one's length
		assertThat(TextDistance.normalised("one two three four", "one two")).isCloseTo(11.0 / 18, within(1e-12));
		assertThat(TextDistance.normalised("a", "b")).isEqualTo(TextDistance.normalised("b", "a"));
	}

	@Test
	void charactersAreCodePoints() {
		// one emoji is one character, not two UTF-16 units
		assertThat(TextDistance.levenshtein("a😀b", "a😃b")).isEqualTo(1);
		assertThat(TextDistance.normalised("😀", "")).isEqualTo(1.0);
	}

	@Test
	void agreesWithTheTextbookTableOnRandomTexts() {
		java.util.Random random = new java.util.Random(7);
		for (int run = 0; run < 2000; run++) {
			// short and long texts (several blocks of 64 characters), over few letters and over many
			int length = (run % 4 == 0) ? 300 : (run % 4 == 1) ? 70 : 12;
			String letters = (run % 2 == 0) ? "abc" : "abcdefghijklmnopqrstuvwxyz .,ÄÖ😀";
			String a = random(random, random.nextInt(length + 1), letters);
			String b = (run % 3 == 0) ? mutate(random, a, letters) : random(random, random.nextInt(length + 1), letters);
			assertThat(TextDistance.levenshtein(a, b)).as(a + " / " + b).isEqualTo(textbook(a, b));
		}
	}

	@Test
	void longAnswersAreMeasuredOnTheirBeginning() {
		String a = "x".repeat(TextDistance.LIMIT) + "tail a";
		String b = "x".repeat(TextDistance.LIMIT) + "other tail b";
		assertThat(TextDistance.normalised(a, b)).isZero();
	}

	private static String random(java.util.Random random, int length, String letters) {
		int[] points = letters.codePoints().toArray();
		StringBuilder text = new StringBuilder();
		for (int i = 0; i < length; i++) {
			text.appendCodePoint(points[random.nextInt(points.length)]);
		}
		return text.toString();
	}

	/** A few edits here and there. */
	private static String mutate(java.util.Random random, String text, String letters) {
		StringBuilder changed = new StringBuilder(text);
		for (int edits = random.nextInt(6); edits > 0 && changed.length() > 0; edits--) {
			int at = random.nextInt(changed.length());
			if (Character.isSurrogate(changed.charAt(at))) {
				continue;
			}
			switch (random.nextInt(3)) {
				case 0 -> changed.deleteCharAt(at);
				case 1 -> changed.insert(at, letters.charAt(random.nextInt(3)));
				default -> changed.setCharAt(at, letters.charAt(random.nextInt(3)));
			}
		}
		return changed.toString();
	}

	/** The full table, over code points. */
	private static int textbook(String a, String b) {
		int[] x = a.codePoints().toArray();
		int[] y = b.codePoints().toArray();
		int[][] d = new int[x.length + 1][y.length + 1];
		for (int i = 0; i <= x.length; i++) {
			for (int j = 0; j <= y.length; j++) {
				d[i][j] = (i == 0) ? j : (j == 0) ? i
						: Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1),
								d[i - 1][j - 1] + ((x[i - 1] == y[j - 1]) ? 0 : 1));
			}
		}
		return d[x.length][y.length];
	}

}
