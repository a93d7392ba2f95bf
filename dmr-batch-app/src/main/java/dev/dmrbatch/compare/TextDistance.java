package dev.dmrbatch.compare;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * How much two answers differ: the Levenshtein distance of their characters (Unicode code points: insertions,
 * deletions and substitutions, each counting one) divided by the length of the longer, so 0 for equal answers and 1
 * for answers with nothing in common at any position. A common beginning and end are set aside first, so an answer
 * cut short by a lower {@code max_tokens} costs only what it lacks; the rest is computed 64 characters at a time
 * (Myers' bit vectors). Answers longer than {@value #LIMIT} characters are measured on their first {@value #LIMIT}:
 * the work grows with the product of the two lengths.
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
		// the shorter text is the pattern, held as bit vectors: 64 of its characters to a word
		int[] pattern = (xEnd - start <= yEnd - start) ? Arrays.copyOfRange(x, start, xEnd)
				: Arrays.copyOfRange(y, start, yEnd);
		int[] text = (xEnd - start <= yEnd - start) ? Arrays.copyOfRange(y, start, yEnd)
				: Arrays.copyOfRange(x, start, xEnd);
		if (pattern.length == 0) {
			return text.length;
		}
		return bitParallel(pattern, text);
	}

	/**
	 * Myers' bit-vector algorithm, in blocks of 64 rows as Hyyrö describes it: each column of the edit table is kept
	 * as its vertical differences (+1 in {@code vp}, -1 in {@code vn}), a whole block computed at once, with the
	 * horizontal difference at a block's last row carried into the next block.
	 */
	private static int bitParallel(int[] pattern, int[] text) {
		int m = pattern.length;
		int words = (m + 63) / 64;
		Map<Integer, long[]> equal = new HashMap<>();
		for (int i = 0; i < m; i++) {
			equal.computeIfAbsent(pattern[i], (c) -> new long[words])[i / 64] |= 1L << (i % 64);
		}
		long[] none = new long[words];
		long[] vp = new long[words];
		long[] vn = new long[words];
		Arrays.fill(vp, -1L);
		long last = 1L << ((m - 1) % 64);
		int distance = m;
		for (int c : text) {
			long[] eq = equal.getOrDefault(c, none);
			// the first row's horizontal difference is +1: the top row of the table counts up
			long hpCarry = 1;
			long hnCarry = 0;
			for (int w = 0; w < words; w++) {
				long x = eq[w] | hnCarry;
				long d0 = (((x & vp[w]) + vp[w]) ^ vp[w]) | x | vn[w];
				long hp = vn[w] | ~(d0 | vp[w]);
				long hn = d0 & vp[w];
				long hpOut;
				long hnOut;
				if (w < words - 1) {
					hpOut = hp >>> 63;
					hnOut = hn >>> 63;
				}
				else {
					hpOut = ((hp & last) != 0) ? 1 : 0;
					hnOut = ((hn & last) != 0) ? 1 : 0;
					distance += (int) (hpOut - hnOut);
				}
				hp = (hp << 1) | hpCarry;
				hn = (hn << 1) | hnCarry;
				vp[w] = hn | ~(d0 | hp);
				vn[w] = hp & d0;
				hpCarry = hpOut;
				hnCarry = hnOut;
			}
		}
		return distance;
	}

}
