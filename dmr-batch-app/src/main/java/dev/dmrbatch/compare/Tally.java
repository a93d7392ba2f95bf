package dev.dmrbatch.compare;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * What the items of a comparison add up to, counted as they stream past: pass rates per check and side, flipped
 * verdicts, how far answers moved, items some sides lack; and the few items listed side by side, each list cut at
 * a stated length.
 */
final class Tally {

	/** Items listed with flipped verdicts, per direction (pass to fail, fail to pass), in input order. */
	static final int FLIPS_LISTED = 50;

	/** Items listed as those whose answers changed most. */
	static final int CHANGED_LISTED = 20;

	/** Items listed as held by some sides only. */
	static final int ONLY_LISTED = 50;

	/** The measure, as the outputs state it. */
	static final String MEASURE = "normalised Levenshtein distance of the answer text (edit distance in characters "
			+ "divided by the longer answer's length): 0 same, 1 nothing in common; an item's answer is its steps' "
			+ "answers joined by a blank line; measured against the first side, for items both answered";

	private final List<String> labels;

	private final String first;

	/** Per check, per label: {passed, evaluated}. */
	private final Map<String, Map<String, long[]>> checks = new LinkedHashMap<>();

	/** Per check: {pass to fail, fail to pass}, over the other sides against the first. */
	private final Map<String, long[]> flips = new LinkedHashMap<>();

	private final List<ComparedItem> passToFail = new ArrayList<>();

	private final List<ComparedItem> failToPass = new ArrayList<>();

	private long passToFailItems;

	private long failToPassItems;

	/** The most changed so far, least changed on top; of equals, the later item on top. */
	private final PriorityQueue<ComparedItem> changed = new PriorityQueue<>(
			Comparator.comparingDouble(ComparedItem::maxDistance)
				.thenComparing(Comparator.comparingLong(ComparedItem::position).reversed()));

	private long measured;

	private long changedItems;

	private double distanceSum;

	private long items;

	private final List<ComparedItem> only = new ArrayList<>();

	private long onlyItems;

	Tally(List<Side> sides) {
		this.labels = sides.stream().map(Side::label).toList();
		this.first = this.labels.get(0);
	}

	/** Makes a check known before its verdicts come, so the checks keep their order. */
	void check(String check) {
		this.checks.computeIfAbsent(check, (c) -> new LinkedHashMap<>());
	}

	void add(ComparedItem item) {
		this.items++;
		if (item.sides().size() < this.labels.size()) {
			this.onlyItems++;
			if (this.only.size() < ONLY_LISTED) {
				this.only.add(item);
			}
		}
		item.sides().forEach((label, entry) -> entry.checks().forEach((check, verdict) -> {
			long[] counts = this.checks.computeIfAbsent(check, (c) -> new LinkedHashMap<>())
				.computeIfAbsent(label, (l) -> new long[2]);
			counts[0] += verdict.pass() ? 1 : 0;
			counts[1]++;
		}));
		boolean down = false;
		boolean up = false;
		for (ComparedItem.Flip flip : item.flips()) {
			this.flips.computeIfAbsent(flip.check(), (c) -> new long[2])[flip.was() ? 0 : 1]++;
			down |= flip.was();
			up |= !flip.was();
		}
		if (down) {
			this.passToFailItems++;
			if (this.passToFail.size() < FLIPS_LISTED) {
				this.passToFail.add(item);
			}
		}
		if (up) {
			this.failToPassItems++;
			if (this.failToPass.size() < FLIPS_LISTED) {
				this.failToPass.add(item);
			}
		}
		double distance = item.maxDistance();
		if (distance >= 0) {
			this.measured++;
			this.distanceSum += distance;
			if (distance > 0) {
				this.changedItems++;
				this.changed.add(item);
				if (this.changed.size() > CHANGED_LISTED) {
					this.changed.poll();
				}
			}
		}
	}

	List<String> labels() {
		return this.labels;
	}

	long items() {
		return this.items;
	}

	/** The pass rate of a check on a side, {@code null} when it judged none of its items. */
	Double rate(String check, String label) {
		long[] counts = this.checks.getOrDefault(check, Map.of()).get(label);
		return (counts == null || counts[1] == 0) ? null : (double) counts[0] / counts[1];
	}

	long[] counts(String check, String label) {
		return this.checks.getOrDefault(check, Map.of()).get(label);
	}

	List<String> checkNames() {
		return List.copyOf(this.checks.keySet());
	}

	long flips(String check, boolean passToFail) {
		long[] counts = this.flips.get(check);
		return (counts == null) ? 0 : counts[passToFail ? 0 : 1];
	}

	List<ComparedItem> passToFail() {
		return this.passToFail;
	}

	List<ComparedItem> failToPass() {
		return this.failToPass;
	}

	long passToFailItems() {
		return this.passToFailItems;
	}

	long failToPassItems() {
		return this.failToPassItems;
	}

	/** The items whose answers changed most, most changed first; of equals, the earlier first. */
	List<ComparedItem> mostChanged() {
		List<ComparedItem> most = new ArrayList<>(this.changed);
		most.sort(Comparator.comparingDouble(ComparedItem::maxDistance).reversed()
			.thenComparingLong(ComparedItem::position));
		return most;
	}

	long measured() {
		return this.measured;
	}

	long changedItems() {
		return this.changedItems;
	}

	double meanDistance() {
		return (this.measured == 0) ? 0 : this.distanceSum / this.measured;
	}

	List<ComparedItem> only() {
		return this.only;
	}

	long onlyItems() {
		return this.onlyItems;
	}

	/** The command line's summary: the items, a line per check, how many answers changed. */
	List<String> summary() {
		List<String> lines = new ArrayList<>();
		lines.add("compared " + String.join(" vs ", this.labels) + ": " + this.items + " items, "
				+ (this.items - this.onlyItems) + " in all, " + this.onlyItems + " in some only");
		for (String check : this.checks.keySet()) {
			lines.add("check " + check + ": " + rates(check) + "; " + flips(check, true) + " flipped pass->fail, "
					+ flips(check, false) + " fail->pass");
		}
		if (this.checks.isEmpty()) {
			lines.add("checks: none stored for these runs");
		}
		lines.add(String.format(Locale.ROOT, "answers changed: %d of %d items answered on both sides against %s "
				+ "(normalised Levenshtein distance > 0; mean %.3f)", this.changedItems, this.measured, this.first,
				meanDistance()));
		return lines;
	}

	/** {@code a 37/40 (92.5%), b 30/40 (75.0%, -17.5 points)}. */
	String rates(String check) {
		List<String> parts = new ArrayList<>();
		Double base = rate(check, this.first);
		for (String label : this.labels) {
			long[] counts = counts(check, label);
			if (counts == null) {
				parts.add(label + " -");
				continue;
			}
			double rate = (double) counts[0] / counts[1];
			String change = (label.equals(this.first) || base == null) ? ""
					: String.format(Locale.ROOT, ", %+.1f points", 100 * (rate - base));
			parts.add(String.format(Locale.ROOT, "%s %d/%d (%.1f%%%s)", label, counts[0], counts[1], 100 * rate,
					change));
		}
		return String.join(", ", parts);
	}

}
