package dev.dmrbatch.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.Verdict;

/**
 * How the answers of a run that asked each item several times ({@code repeat=N}) agree, item by item and model by
 * model: how many of the N answers passed (answered, and passed every check they were given), and, for each
 * {@code expected} and {@code one-of} check, whether the majority answer passed it. The summary says how the answers
 * were asked: a request each, or one request for them all as its choices ({@code n}). The majority answer is the step's
 * answer (without its leading and trailing white space) given most often among the item's answered repetitions; a
 * tie goes to the one given first. Conversations are added in the store's order (item, model, repetition) with their
 * verdicts; memory holds one item's answers at a time.
 */
public final class Agreement {

	private final int repeat;

	/** The {@code expected} and {@code one-of} checks' keys, each with the step it checks. */
	private final Map<String, String> valueChecks;

	private final boolean checked;

	/** How many items (and models) had 0, 1, ... N answers that passed. */
	private final long[] passed;

	/** Per value check: items whose majority answer passed it, and items that had a majority answer. */
	private final Map<String, long[]> majorities = new LinkedHashMap<>();

	private long groupSeq = -1;

	private String groupModel;

	private final List<Conversation> group = new ArrayList<>();

	/**
	 * @param repeat how many times each item was asked of each model
	 * @param valueChecks the {@code expected} and {@code one-of} checks' keys with the step each checks, in the job
	 * file's order
	 * @param checked whether the run has checks: without, an answer passes when it is answered
	 */
	public Agreement(int repeat, Map<String, String> valueChecks, boolean checked) {
		this.repeat = repeat;
		this.valueChecks = valueChecks;
		this.checked = checked;
		this.passed = new long[repeat + 1];
		valueChecks.keySet().forEach((key) -> this.majorities.put(key, new long[2]));
	}

	/** The agreement of a run with these checks, asked {@code repeat} times: see {@link JobChecks#valueChecks()}. */
	public static Agreement of(int repeat, JobChecks checks) {
		return new Agreement(repeat, checks.valueChecks(), !checks.isEmpty());
	}

	/** Adds the next conversation, in the store's order, with its verdicts. */
	public void add(Conversation conversation) {
		if (conversation.itemSeq() != this.groupSeq || !conversation.model().equals(this.groupModel)) {
			close();
			this.groupSeq = conversation.itemSeq();
			this.groupModel = conversation.model();
		}
		this.group.add(conversation);
	}

	private void close() {
		if (this.group.isEmpty()) {
			return;
		}
		int passing = 0;
		for (Conversation c : this.group) {
			if (c.passed()) {
				passing++;
			}
		}
		this.passed[Math.min(passing, this.repeat)]++;
		this.valueChecks.forEach((key, step) -> {
			Boolean pass = majorityPassed(this.group, key, step);
			if (pass != null) {
				long[] counts = this.majorities.get(key);
				counts[1]++;
				counts[0] += pass ? 1 : 0;
			}
		});
		this.group.clear();
	}

	/**
	 * Whether the majority answer of a step passed a check, among an item's repetitions by one model; {@code null}
	 * when none of them has a verdict of that check.
	 */
	static Boolean majorityPassed(List<Conversation> repetitions, String checkKey, String step) {
		Map<String, Integer> counts = new LinkedHashMap<>();
		Map<String, Boolean> verdicts = new LinkedHashMap<>();
		for (Conversation c : repetitions) {
			Verdict verdict = c.verdicts().stream().filter((v) -> v.checkKey().equals(checkKey)).findFirst().orElse(null);
			String answer = answer(c, step);
			if (verdict == null || answer == null) {
				continue;
			}
			counts.merge(answer, 1, Integer::sum);
			verdicts.putIfAbsent(answer, verdict.pass());
		}
		String majority = null;
		for (Map.Entry<String, Integer> entry : counts.entrySet()) {
			if (majority == null || entry.getValue() > counts.get(majority)) {
				majority = entry.getKey();
			}
		}
		return (majority != null) ? verdicts.get(majority) : null;
	}

	/** The step's answer, without its leading and trailing white space, or {@code null} when it has none. */
	private static String answer(Conversation c, String step) {
		String answer = null;
		for (Conversation.Turn turn : c.turns()) {
			if (turn.isAnswer() && step.equals(turn.step())) {
				answer = turn.content(); // a step asked again for valid JSON: its last answer is the one checked
			}
		}
		return (answer != null) ? answer.strip() : null;
	}

	/** What was added, as totals: call once every conversation is added. */
	public Totals totals() {
		close();
		Map<String, long[]> majority = new LinkedHashMap<>();
		this.majorities.forEach((key, counts) -> majority.put(key, counts.clone()));
		return new Totals(this.repeat, this.passed.clone(), majority, this.checked, null);
	}

	/**
	 * A run's agreement.
	 *
	 * @param passed how many items (with one model) had 0, 1, ... {@code repeat} answers that passed
	 * @param majority per {@code expected} and {@code one-of} check, by key: the items whose majority answer passed
	 * it, and the items that had a majority answer
	 * @param checked whether the run has checks: without, an answer passes when it is answered
	 * @param asked how the answers were asked, as the summary says it, or {@code null} for a request each
	 */
	public record Totals(int repeat, long[] passed, Map<String, long[]> majority, boolean checked, String asked) {

		/** These totals, the answers asked as {@code asked} says. */
		public Totals askedAs(String asked) {
			return new Totals(this.repeat, this.passed, this.majority, this.checked, asked);
		}

		/**
		 * The summary's lines: {@code repeat 3: answers that passed every check, per item: 3/3 on 6 items, 2/3 on
		 * 3, 1/3 on 1, 0/3 on 0}, then one per {@code expected} or {@code one-of} check: {@code check
		 * answer.label: the majority answer passed on 8/10 items (80.0%)}. An item asked of several models counts
		 * once per model.
		 */
		public List<String> lines() {
			List<String> lines = new ArrayList<>();
			StringBuilder line = new StringBuilder("repeat ").append(this.repeat)
				.append(" (")
				.append((this.asked != null) ? this.asked
						: this.repeat + " requests per item and model, one answer each")
				.append(")")
				.append(this.checked ? ": answers that passed every check, per item: " : ": answers given, per item: ");
			for (int k = this.repeat; k >= 0; k--) {
				line.append((k < this.repeat) ? ", " : "")
					.append(k)
					.append('/')
					.append(this.repeat)
					.append(" on ")
					.append(this.passed[k])
					.append((k == this.repeat) ? ((this.passed[k] == 1) ? " item" : " items") : "");
			}
			lines.add(line.toString());
			this.majority.forEach((key, counts) -> lines.add(String.format(Locale.ROOT,
					"check %s: the majority answer passed on %d/%d items (%.1f%%)", key, counts[0], counts[1],
					(counts[1] > 0) ? 100.0 * counts[0] / counts[1] : 0.0)));
			return lines;
		}

	}

}
