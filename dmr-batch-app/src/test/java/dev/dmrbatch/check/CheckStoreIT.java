package dev.dmrbatch.check;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.conversation.Verdict;
import dev.dmrbatch.support.LocalPostgres;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The verdicts of a run's checks as the store keeps them: evaluations numbered from 0, readers showing the latest,
 * pass counts per check and per model counted by the database; the same in H2 and PostgreSQL.
 */
class CheckStoreIT {

	@TempDir
	Path dir;

	private ConversationStore conversations;

	private CheckStore store(DataSource data, String vendor) {
		Flyway.configure()
			.dataSource(data)
			.locations("classpath:db/migration/common", "classpath:db/migration/" + vendor)
			.load()
			.migrate();
		this.conversations = new ConversationStore(new JdbcTemplate(data));
		return new CheckStore(new JdbcTemplate(data));
	}

	@Test
	void verdictsOfTheLatestEvaluationOnH2() {
		JdbcDataSource data = new JdbcDataSource();
		data.setURL("jdbc:h2:mem:" + this.dir.getFileName() + ";DB_CLOSE_DELAY=-1");
		data.setUser("sa");
		evaluations(store(data, "h2"));
	}

	@Test
	void theSameOnPostgresql() {
		evaluations(store(new DriverManagerDataSource(LocalPostgres.freshDatabase(), "dmrbatch", "dmrbatch"),
				"postgresql"));
	}

	private void evaluations(CheckStore store) {
		List<String> keys = List.of("summary.short", "summary.keywords", "label.expected");
		assertThat(store.latestEvaluation(7)).isEmpty();
		assertThat(store.passCounts(7)).isEmpty();
		assertThat(store.checkKeys(7)).isEmpty();

		// during the run: two models, item 2's second step not answered, a reason longer than the store keeps
		Evaluation during = store.beginDuringRun(7, keys, "[{\"key\":\"summary.short\"}]");
		String longReason = "x".repeat(1500);
		store.saveAll(during, List.of(
				new ItemVerdicts(1, "ai/tiny", List.of(new Verdict("label.expected", true, "equals 'a'"),
						new Verdict("summary.short", true, "12 chars"), new Verdict("summary.keywords", false, longReason))),
				new ItemVerdicts(1, "ai/tiny2", List.of(new Verdict("summary.short", false, "900 chars"),
						new Verdict("summary.keywords", true, "has 'a'", "{\"score\": 4}"),
						new Verdict("label.expected", false, "not 'a'")))));
		store.save(during, 2, "ai/tiny", List.of(new Verdict("summary.short", true, "3 chars")));
		// another run's verdicts are no part of it
		store.save(store.beginDuringRun(8, keys, null), 1, "ai/tiny", List.of(new Verdict("summary.short", false, "-")));
		// a resumed run keeps its evaluation
		assertThat(store.beginDuringRun(7, keys, "[]").checks()).isEqualTo("[{\"key\":\"summary.short\"}]");

		assertThat(store.latestEvaluation(7)).contains(CheckStore.DURING_RUN);
		assertThat(store.checkKeys(7)).isEqualTo(keys);
		assertThat(store.passCounts(7)).containsExactly(new CheckTotals("summary.short", null, 2, 3),
				new CheckTotals("summary.keywords", null, 1, 2), new CheckTotals("label.expected", null, 1, 2));
		assertThat(store.passCountsByModel(7)).containsExactly(new CheckTotals("summary.short", "ai/tiny", 2, 2),
				new CheckTotals("summary.short", "ai/tiny2", 0, 1), new CheckTotals("summary.keywords", "ai/tiny", 0, 1),
				new CheckTotals("summary.keywords", "ai/tiny2", 1, 1), new CheckTotals("label.expected", "ai/tiny", 1, 1),
				new CheckTotals("label.expected", "ai/tiny2", 0, 1));
		List<ItemVerdicts> read = new ArrayList<>();
		store.forEachLatest(7, read::add);
		assertThat(read).extracting(ItemVerdicts::itemSeq, ItemVerdicts::model)
			.containsExactly(org.assertj.core.groups.Tuple.tuple(1L, "ai/tiny"),
					org.assertj.core.groups.Tuple.tuple(1L, "ai/tiny2"), org.assertj.core.groups.Tuple.tuple(2L, "ai/tiny"));
		assertThat(read.get(0).verdicts()).extracting(Verdict::checkKey).isEqualTo(keys);
		assertThat(read.get(0).verdicts().get(1).reason()).hasSize(CheckStore.REASON_LENGTH).endsWith("…");
		assertThat(read.get(1).verdicts().get(1).judgeReply()).isEqualTo("{\"score\": 4}");
		assertThat(store.latestIn(7, 1, 2)).singleElement().satisfies((item) -> {
			assertThat(item.itemSeq()).isEqualTo(2);
			assertThat(item.verdicts()).containsExactly(new Verdict("summary.short", true, "3 chars"));
		});

		// a later evaluation with an edited set of checks: readers show it alone
		Evaluation again = store.beginNew(7, List.of("summary.short"), null);
		assertThat(again.number()).isEqualTo(1);
		store.save(again, 1, "ai/tiny", List.of(new Verdict("summary.short", false, "now too long")));
		assertThat(store.latestEvaluation(7)).contains(1);
		assertThat(store.checkKeys(7)).containsExactly("summary.short");
		assertThat(store.passCounts(7)).containsExactly(new CheckTotals("summary.short", null, 0, 1));
		assertThat(store.latestIn(7, 0, 10)).containsExactly(
				new ItemVerdicts(1, "ai/tiny", List.of(new Verdict("summary.short", false, "now too long"))));
		assertThat(store.evaluations(7)).extracting(Evaluation::number).containsExactly(0, 1);
		assertThat(store.beginNew(7, List.of(), null).number()).isEqualTo(2);
		assertThat(store.beginNew(9, List.of(), null).number()).as("a run never evaluated before").isEqualTo(1);
		judgeCalls();
	}

	/** A judge's calls are the conversation's: numbered after its own, counted in its tokens, no step of its own. */
	private void judgeCalls() {
		ConversationStore store = this.conversations;
		store.registerRun(new RunRecord(7, "job", null, "input/x.jsonl", this.dir.toString(), null, Instant.now()));
		Conversation.Call step = Conversation.Call.answered(0, "summary").finishReason("stop").tokens(10, 5)
				.latency(100).attempts(1).build();
		Conversation.Call grader = Conversation.Call.answered(1, "summary.quality").finishReason("stop").tokens(20, 8)
				.latency(300).attempts(1).requestModel("ai/tiny2").build();
		store.saveAll(7, List.of(Conversation.answered(1, "a", "ai/tiny",
				List.of(new Conversation.Turn("assistant", "summary", "text")), List.of(step, grader))));
		store.addCheckCalls(7, 1, 1, "ai/tiny", 1, List.of(grader, grader));
		store.addCheckCalls(7, 2, 1, "ai/tiny", 1, List.of(grader));
		assertThat(store.stepNames(7)).containsExactly("summary");
		assertThat(store.totals(7).promptTokens()).isEqualTo(10 + 4 * 20);
		List<Conversation.Call> calls = new ArrayList<>();
		store.forEach(7, (c) -> calls.addAll(c.calls()));
		assertThat(calls).extracting(Conversation.Call::step)
			.containsExactly("summary", "summary.quality", "summary.quality", "summary.quality", "summary.quality");
		assertThat(calls.get(4).requestModel()).isEqualTo("ai/tiny2");
	}

}
