package dev.dmrbatch.compare;

import java.util.ArrayList;
import java.util.List;

/**
 * A line diff of two texts, such as two runs' prompt templates: the lines of the longest common subsequence kept,
 * the others removed from the first or added by the second, in the order of the texts.
 */
final class LineDiff {

	/**
	 * Changed parts whose line counts multiply to more than this are shown as removed and added whole: the table of
	 * the longest common subsequence grows with that product.
	 */
	static final long MAX_CELLS = 4_000_000;

	private LineDiff() {
	}

	/** A line of the diff: {@code ' '} in both, {@code '-'} in the first only, {@code '+'} in the second only. */
	record Line(char kind, String text) {

		@Override
		public String toString() {
			return this.kind + " " + this.text;
		}

	}

	/** The diff of two texts, line by line; {@code null} reads as empty. */
	static List<Line> diff(String first, String second) {
		List<String> a = lines(first);
		List<String> b = lines(second);
		int prefix = 0;
		while (prefix < a.size() && prefix < b.size() && a.get(prefix).equals(b.get(prefix))) {
			prefix++;
		}
		int aEnd = a.size();
		int bEnd = b.size();
		while (aEnd > prefix && bEnd > prefix && a.get(aEnd - 1).equals(b.get(bEnd - 1))) {
			aEnd--;
			bEnd--;
		}
		List<Line> lines = new ArrayList<>();
		for (int i = 0; i < prefix; i++) {
			lines.add(new Line(' ', a.get(i)));
		}
		middle(a.subList(prefix, aEnd), b.subList(prefix, bEnd), lines);
		for (int i = aEnd; i < a.size(); i++) {
			lines.add(new Line(' ', a.get(i)));
		}
		return lines;
	}

	/** Whether a diff has any change. */
	static boolean changed(List<Line> diff) {
		return diff.stream().anyMatch((line) -> line.kind() != ' ');
	}

	private static void middle(List<String> a, List<String> b, List<Line> lines) {
		int n = a.size();
		int m = b.size();
		if ((long) n * m > MAX_CELLS) {
			a.forEach((line) -> lines.add(new Line('-', line)));
			b.forEach((line) -> lines.add(new Line('+', line)));
			return;
		}
		// common[i][j]: the longest common subsequence of a[i..] and b[j..]
		int[][] common = new int[n + 1][m + 1];
		for (int i = n - 1; i >= 0; i--) {
			for (int j = m - 1; j >= 0; j--) {
				common[i][j] = a.get(i).equals(b.get(j)) ? common[i + 1][j + 1] + 1
						: Math.max(common[i + 1][j], common[i][j + 1]);
			}
		}
		int i = 0;
		int j = 0;
		while (i < n && j < m) {
			if (a.get(i).equals(b.get(j))) {
				lines.add(new Line(' ', a.get(i++)));
				j++;
			}
			else if (common[i + 1][j] >= common[i][j + 1]) {
				lines.add(new Line('-', a.get(i++)));
			}
			else {
				lines.add(new Line('+', b.get(j++)));
			}
		}
		while (i < n) {
			lines.add(new Line('-', a.get(i++)));
		}
		while (j < m) {
			lines.add(new Line('+', b.get(j++)));
		}
	}

	private static List<String> lines(String text) {
		if (text == null || text.isEmpty()) {
			return List.of();
		}
		List<String> lines = new ArrayList<>(List.of(text.split("\r?\n", -1)));
		// a final line break ends the last line rather than starting an empty one
		if (lines.get(lines.size() - 1).isEmpty()) {
			lines.remove(lines.size() - 1);
		}
		return lines;
	}

}
