package dev.dmrbatch.compare;

/**
 * How much two answers differ: the Levenshtein distance of their characters (Unicode code points: insertions,
 * deletions and substitutions, each counting one) divided by the length of the longer, so 0 for equal answers and 1
 * for answers with nothing in common at any position. A common beginning and end are set aside first, so an answer
 * cut short by a lower {@code max_tokens} costs only what it lacks. Answers longer than {@value #LIMIT} characters
 * are measured on their first {@value #LIMIT}: the work grows with the product of the two lengths.
 */
final class TextDistance {

	/** The characters of an answer that are measured. */
	static final int LIMIT = 20_000;

	private TextDistance() {
	}

	/** The normalised distance between two texts, from 0 (equal) to 1; {@code null} reads as empty. */
	static double normalised(String a, String b) {
		int[] x = codePoints(a);
		int[] y = codePoints(b);
		int longer = Math.max(x.length, y.length);
		return (longer == 0) ? 0 : (double) levenshtein(x, y) / longer;
	}

	/** The edit distance between two texts' code points. */
	static int levenshtein(String a, String b) {
		return levenshtein(codePoints(a), codePoints(b));
	}

	private static int[] codePoints(String text) {
		if (text == null) {
			return new int[0];
		}
		return text.codePoints().limit(LIMIT).toArray();
	}

	private static int levenshtein(int[] x, int[] y) {
		int start = 0;
		while (start < x.length && start < y.length && x[start] == y[start]) {
			start++;
		}
		int xEnd = x.length;
		int yEnd = y.length;
		while (xEnd > start && yEnd > start && x[xEnd - 1] == y[yEnd - 1]) {
			xEnd--;
			yEnd--;
		}
		int n = xEnd - start;
		int m = yEnd - start;
		if (n == 0 || m == 0) {
			return n + m;
		}
		// two rows of the table, over the shorter text
		if (m > n) {
			int[] swap = x;
			x = y;
			y = swap;
			int count = n;
			n = m;
			m = count;
		}
		int[] previous = new int[m + 1];
		int[] current = new int[m + 1];
		for (int j = 0; j <= m; j++) {
			previous[j] = j;
		}
		for (int i = 1; i <= n; i++) {
			current[0] = i;
			int xi = x[start + i - 1];
			for (int j = 1; j <= m; j++) {
				int cost = (xi == y[start + j - 1]) ? 0 : 1;
				current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
			}
			int[] swap = previous;
			previous = current;
			current = swap;
		}
		return previous[m];
	}

}
