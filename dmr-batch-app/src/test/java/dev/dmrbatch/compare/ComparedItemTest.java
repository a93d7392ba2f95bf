package dev.dmrbatch.compare;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.compare.ComparedItem.Entry;
import dev.dmrbatch.compare.ComparedItem.Verdict;
import dev.dmrbatch.conversation.Conversation;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** One item across the sides: distances and flips against the first side, and what the tally keeps of it. */
class ComparedItemTest {

	@Test
	void flipsAgainstTheFirstSidePassToFailFirst() {
		Map<String, Entry> sides = new LinkedHashMap<>();
		sides.put("a", entry("ok", "one two", Map.of("s.x", true, "s.y", false, "s.z", true)));
		sides.put("b", entry("ok", "one two three", Map.of("s.x", true, "s.y", true, "s.z", false)));
		sides.put("c", entry("failed", "one", Map.of("s.x", false)));

		ComparedItem item = Comparisons.item(0, "id-1", "a", sides);

		assertThat(item.flips()).extracting((f) -> f.check() + " " + f.direction() + " " + f.label())
			.containsExactly("s.z pass->fail b", "s.x pass->fail c", "s.y fail->pass b");
		// measured where both answered: c failed
		assertThat(item.distances()).containsOnlyKeys("b");
		assertThat(item.distances().get("b")).isEqualTo(TextDistance.normalised("one two", "one two three"));
		assertThat(item.maxDistance()).isEqualTo(6.0 / 13);
	}

	@Test
	void anItemTheFirstSideLacksHasNothingToMeasureAgainst() {
		ComparedItem item = Comparisons.item(3, "id-9", "a", Map.of("b", entry("ok", "x", Map.of("s.x", true))));
		assertThat(item.distances()).isEmpty();
		assertThat(item.flips()).isEmpty();
		assertThat(item.maxDistance()).isEqualTo(-1);
	}

	@Test
	void theAnswerIsTheStepsAnswersJoinedByABlankLine() {
		Conversation c = Conversation.answered(1, "id", "m",
				List.of(new Conversation.Turn("system", null, "sys"), new Conversation.Turn("user", "a", "q1"),
						new Conversation.Turn("assistant", "a", "first"), new Conversation.Turn("user", "b", "q2"),
						new Conversation.Turn("assistant", "b", "second")),
				List.of());
		assertThat(Comparisons.answer(c)).isEqualTo("first\n\nsecond");
	}

	@Test
	void theTallyKeepsTheMostChangedAndTheFirstFlipsOnly() {
		List<Side> labelled = List.of(new Side(null, "m"), new Side(null, "n"));
		labelled.forEach((side) -> side.label(side.model()));
		Tally tally = new Tally(labelled);
		for (int i = 0; i < 200; i++) {
			Map<String, Entry> sides = new LinkedHashMap<>();
			sides.put("m", entry("ok", "x".repeat(100), Map.of("s.c", true)));
			sides.put("n", entry("ok", "x".repeat(100 - i % 100), Map.of("s.c", i % 2 == 0)));
			tally.add(Comparisons.item(i, "i" + i, "m", sides));
		}
		assertThat(tally.mostChanged()).hasSize(Tally.CHANGED_LISTED);
		// the largest distances first (i % 100 = 99), ties in input order
		assertThat(tally.mostChanged()).extracting(ComparedItem::id).startsWith("i99", "i199", "i98", "i198");
		assertThat(tally.passToFailItems()).isEqualTo(100);
		assertThat(tally.passToFail()).hasSize(Tally.FLIPS_LISTED).extracting(ComparedItem::id).startsWith("i1", "i3");
		assertThat(tally.rate("s.c", "m")).isEqualTo(1.0);
		assertThat(tally.rate("s.c", "n")).isEqualTo(0.5);
		assertThat(tally.changedItems()).isEqualTo(198);
		assertThat(tally.measured()).isEqualTo(200);
	}

	private static Entry entry(String status, String answer, Map<String, Boolean> verdicts) {
		Map<String, Verdict> checks = new LinkedHashMap<>();
		new java.util.TreeMap<>(verdicts).forEach((check, pass) -> checks.put(check, new Verdict(pass, null)));
		// asked once: it passed as the one rule says, when answered and passed every check
		Conversation asked = Conversation.ended(1, "i", "m", "ok".equals(status) ? null : "it failed", List.of(),
				List.of());
		boolean passed = asked.withVerdicts(verdicts.entrySet()
			.stream()
			.map((v) -> new dev.dmrbatch.conversation.Verdict(v.getKey(), v.getValue(), null))
			.toList(), List.of()).passed();
		return new Entry(1, status, null, answer, checks, 1, passed ? 1 : 0);
	}

}
