package dev.dmrbatch.conversation;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import dev.dmrbatch.support.LocalPostgres;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code retry=failed} in the store: a run's failed conversations found, each replaced by its new attempt with its
 * turns and calls, the error it had kept as the item's earlier attempt; the ok ones and other models untouched.
 */
class ReplaceFailedIT {

	@TempDir
	Path dir;

	private ConversationStore store(DataSource data, String vendor) {
		Flyway.configure()
			.dataSource(data)
			.locations("classpath:db/migration/common", "classpath:db/migration/" + vendor)
			.load()
			.migrate();
		ConversationStore store = new ConversationStore(new JdbcTemplate(data));
		store.registerRun(new RunRecord(1, "job", null, "input/x.csv", this.dir.toString(), null, Instant.now()));
		return store;
	}

	private static Conversation conversation(long seq, String model, String error, String answer) {
		List<Conversation.Turn> turns = List.of(new Conversation.Turn("user", "s", "Item " + seq, null, null),
				new Conversation.Turn("assistant", "s", answer, null, null));
		List<Conversation.Call> calls = List.of(Conversation.Call.failed(0, "s", error, model));
		return (error != null)
				? Conversation.failed(seq, "r" + seq, model, error, turns.subList(0, 1), calls)
				: Conversation.answered(seq, "r" + seq, model, turns, List.of());
	}

	@Test
	void onH2() {
		JdbcDataSource data = new JdbcDataSource();
		data.setURL("jdbc:h2:mem:" + this.dir.getFileName() + ";DB_CLOSE_DELAY=-1");
		data.setUser("sa");
		replacing(data, "h2");
	}

	@Test
	void onPostgresql() {
		replacing(new DriverManagerDataSource(LocalPostgres.freshDatabase(), "dmrbatch", "dmrbatch"), "postgresql");
	}

	private static Conversation.Key key(String model) {
		return new Conversation.Key(model, 1);
	}

	private void replacing(DataSource data, String vendor) {
		ConversationStore store = store(data, vendor);
		// given: item 2 failed with model b, item 3 with both; item 4, asked three times of a, its second answer
		store.saveAll(1, List.of(conversation(1, "a", null, "one"), conversation(1, "b", null, "one"),
				conversation(2, "a", null, "two"), conversation(2, "b", "refused", null),
				conversation(3, "a", "timed out", null), conversation(3, "b", "timed out", null),
				conversation(4, "a", null, "four"), conversation(4, "a", "refused", null).withRepetition(2),
				conversation(4, "a", null, "four").withRepetition(3)));
		assertThat(store.failedItems(1)).isEqualTo(Map.of(2L, Set.of(key("b")), 3L, Set.of(key("a"), key("b")), 4L,
				Set.of(new Conversation.Key("a", 2))));
		assertThat(store.repetitions(1)).isEqualTo(3);

		// when: two retries, item 3 with b failing again in the first
		store.replaceFailed(1, List.of(conversation(2, "b", null, "two"), conversation(3, "a", null, "three"),
				conversation(3, "b", "refused again", null), conversation(4, "a", null, "four").withRepetition(2)));
		store.replaceFailed(1, List.of(conversation(3, "b", null, "three")));

		// then
		assertThat(store.failedItems(1)).isEmpty();
		assertThat(store.totals(1)).isEqualTo(new RunTotals(9, 9, 0, 0, 0));
		List<Conversation> stored = new ArrayList<>();
		store.forEach(1, stored::add);
		assertThat(stored).extracting((c) -> c.itemSeq() + c.model() + c.repetition() + " " + c.turns().size() + " "
				+ c.calls().size() + " " + c.earlierErrors())
			.containsExactly("1a1 2 0 []", "1b1 2 0 []", "2a1 2 0 []", "2b1 2 0 [refused]", "3a1 2 0 [timed out]",
					"3b1 2 0 [timed out, refused again]", "4a1 2 0 []", "4a2 2 0 [refused]", "4a3 2 0 []");
		store.deleteRun(1);
		assertThat(new JdbcTemplate(data).queryForObject("select count(*) from dmr_attempt", Long.class)).isZero();
	}

}
