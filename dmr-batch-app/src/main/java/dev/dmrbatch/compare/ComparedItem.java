package dev.dmrbatch.compare;

import java.util.List;
import java.util.Map;

/**
 * One item (one item id) across the sides of a comparison.
 *
 * @param position its place in the comparison: the first side's input order, then items the first side lacks
 * @param sides what each side has of it, by label in side order; a side without the item is absent
 * @param distances the normalised distance of each other side's answer from the first side's, by label; only where
 * both answered the item
 * @param flips the checks whose verdict differs from the first side's, pass to fail first
 */
record ComparedItem(long position, String id, Map<String, Entry> sides, Map<String, Double> distances,
		List<Flip> flips) {

	/** The largest distance from the first side's answer; -1 when there is none to measure. */
	double maxDistance() {
		return this.distances.values().stream().mapToDouble(Double::doubleValue).max().orElse(-1);
	}

	/**
	 * One side's conversation of the item.
	 *
	 * @param answer the answers of its steps in order, joined by a blank line: the text that is compared
	 * @param checks the verdicts of its checks by {@code <step>.<check>}, in the checks' order
	 * @param answers how many times the side asked the item ({@code repeat=N}); the entry is its first answer
	 * @param passed how many of those answers passed every check (without checks: were answered)
	 */
	record Entry(long seq, String status, String error, String answer, Map<String, Verdict> checks, int answers,
			int passed) {

		boolean isOk() {
			return "ok".equals(this.status);
		}

	}

	/** A check's verdict on an answer, with its short reason. */
	record Verdict(boolean pass, String reason) {
	}

	/** A check whose verdict on this item changed from the first side to {@code label}. */
	record Flip(String check, String label, boolean was, boolean now) {

		String direction() {
			return this.was ? "pass->fail" : "fail->pass";
		}

	}

}
