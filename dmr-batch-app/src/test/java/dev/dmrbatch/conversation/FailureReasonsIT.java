package dev.dmrbatch.conversation;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import dev.dmrbatch.support.LocalPostgres;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Why a run's items failed, grouped by the store: errors that differ only by the item are one reason. */
class FailureReasonsIT {

	@TempDir
	Path dir;

	ConversationStore store;

	@BeforeEach
	void setUp() {
		JdbcDataSource data = new JdbcDataSource();
		data.setURL("jdbc:h2:mem:" + this.dir.getFileName() + ";DB_CLOSE_DELAY=-1");
		data.setUser("sa");
		this.store = store(data, "h2");
	}

	private ConversationStore store(DataSource data, String vendor) {
		Flyway.configure()
			.dataSource(data)
			.locations("classpath:db/migration/common", "classpath:db/migration/" + vendor)
			.load()
			.migrate();
		ConversationStore store = new ConversationStore(new JdbcTemplate(data));
		store.registerRun(new RunRecord(1, "job", null, "input/x.jsonl", this.dir.toString(), null, Instant.now()));
		return store;
	}

	private static Conversation failed(long seq, String id, String error) {
		return Conversation.failed(seq, id, "ai/tiny", error, List.of(), List.of());
	}

	private static Conversation ok(long seq) {
		return Conversation.answered(seq, "ok" + seq, "ai/tiny", List.of(), List.of());
	}

	@Test
	void errorsThatDifferOnlyByTheItemAreOneReasonMostFrequentFirst() {
		grouping(this.store);
	}

	@Test
	void theSameOnPostgresql() {
		ConversationStore postgres = store(new DriverManagerDataSource(LocalPostgres.freshDatabase(), "dmrbatch",
				"dmrbatch"), "postgresql");
		grouping(postgres);
		assertThat(postgres.storeId()).hasSize(36).isEqualTo(postgres.storeId()).isNotEqualTo(this.store.storeId());
	}

	private void grouping(ConversationStore store) {
		String missing = "variable 'no_such_field' is missing in template first.ftl line 2";
		store.saveAll(1, List.of(ok(1), failed(2, "a", missing),
				failed(3, "3", "input/x.jsonl line 3: not valid JSON (Unexpected character ('o' (code 111)))"),
				failed(4, "b", missing), ok(5), failed(6, "d", missing), failed(7, "e", missing),
				failed(8, "8", "input/x.jsonl line 8: not valid JSON (Unexpected end-of-input)"),
				failed(9, "f", "step first: HTTP 500 from the runner")));

		List<ConversationStore.FailureReason> reasons = store.failureReasons(1, "input/x.jsonl", 5);

		assertThat(reasons).containsExactly(new ConversationStore.FailureReason(missing, 4, List.of("a", "b", "d")),
				new ConversationStore.FailureReason("input/x.jsonl line 3: not valid JSON", 2, List.of("3", "8")),
				new ConversationStore.FailureReason("step first: HTTP 500 from the runner", 1, List.of("f")));
		assertThat(store.failureReasons(1, "input/x.jsonl", 2)).hasSize(2);
		assertThat(store.failureReasons(2, "input/x.jsonl", 5)).isEmpty();
	}

	@Test
	void aHundredThousandFailedItemsAreGroupedByTheDatabase() {
		List<Conversation> batch = new ArrayList<>();
		for (long seq = 1; seq <= 100_000; seq++) {
			batch.add((seq % 10 == 0) ? failed(seq, "i" + seq, "step first: model answered nothing")
					: failed(seq, "i" + seq, "input/x.jsonl line " + seq + ": not valid JSON (at column " + seq % 70
							+ ")"));
			if (batch.size() == 5000) {
				this.store.saveAll(1, batch);
				batch.clear();
			}
		}
		List<ConversationStore.FailureReason> reasons = null;
		for (String pass : List.of("first", "second")) {
			long start = System.nanoTime();
			reasons = this.store.failureReasons(1, "input/x.jsonl", 5);
			System.out.println("failure reasons of 100000 failed items, " + pass + " call: "
					+ (System.nanoTime() - start) / 1_000_000 + " ms");
		}

		assertThat(reasons).extracting(ConversationStore.FailureReason::count).containsExactly(90_000L, 10_000L);
		assertThat(reasons.get(0).ids()).containsExactly("i1", "i2", "i3");
		assertThat(reasons.get(1).ids()).containsExactly("i10", "i20", "i30");
	}

}
