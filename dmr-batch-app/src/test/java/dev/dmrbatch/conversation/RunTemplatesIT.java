package dev.dmrbatch.conversation;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 * What a comparison reads of the store: the templates a run was made with (kept once, a restart keeps the first),
 * its items' figures without their turns, and its conversations by range of record numbers; in H2 and PostgreSQL.
 */
class RunTemplatesIT {

	@TempDir
	Path dir;

	private static ConversationStore store(DataSource data, String vendor) {
		Flyway.configure()
			.dataSource(data)
			.locations("classpath:db/migration/common", "classpath:db/migration/" + vendor)
			.load()
			.migrate();
		return new ConversationStore(new JdbcTemplate(data));
	}

	@Test
	void onH2() {
		JdbcDataSource data = new JdbcDataSource();
		data.setURL("jdbc:h2:mem:" + this.dir.getFileName() + ";DB_CLOSE_DELAY=-1");
		data.setUser("sa");
		readBack(store(data, "h2"));
	}

	@Test
	void onPostgresql() {
		readBack(store(new DriverManagerDataSource(LocalPostgres.freshDatabase(), "dmrbatch", "dmrbatch"),
				"postgresql"));
	}

	private void readBack(ConversationStore store) {
		store.registerRun(new RunRecord(4, "job", "a", "input/x.jsonl", "out", "{}", Instant.now()));
		assertThat(store.templates(4)).isEmpty();
		Map<String, String> sources = new LinkedHashMap<>();
		sources.put("system", "Be brief.");
		sources.put("steps.answer (answer.ftl)", "Say ${title}.\n" + "x".repeat(20_000));
		sources.put("steps.answer.when", "title??");
		store.saveTemplates(4, sources);
		// a restart of the run keeps what it started with
		store.saveTemplates(4, Map.of("system", "edited since"));
		assertThat(store.templates(4)).containsExactlyEntriesOf(sources);
		assertThat(store.templates(5)).isEmpty();

		List<Conversation> conversations = new ArrayList<>();
		for (int seq = 1; seq <= 5; seq++) {
			for (String model : List.of("m2", "m1")) {
				conversations.add(Conversation.ended(seq, "id-" + seq, model,
						(seq == 3) ? "no" : null,
						List.of(new Conversation.Turn("user", "answer", "q" + seq),
								new Conversation.Turn("assistant", "answer", "a" + seq + model)),
						List.of(Conversation.Call.answered(0, "answer").finishReason("stop").tokens(10 + seq, 2)
								.latency(100 * seq).attempts(1).build())));
			}
		}
		store.saveAll(4, conversations);
		List<String> items = new ArrayList<>();
		store.forEachItem(4, (item) -> items.add(item.itemSeq() + " " + item.itemId() + " " + item.model() + " "
				+ item.isOk() + " " + item.promptTokens() + " " + item.completionTokens() + " " + item.latencyMillis()));
		assertThat(items).hasSize(10).startsWith("1 id-1 m1 true 11 2 100", "1 id-1 m2 true 11 2 100")
			.contains("3 id-3 m1 false 13 2 300");
		List<String> between = new ArrayList<>();
		store.forEachBetween(4, 1, 3, (c) -> between.add(c.itemSeq() + c.model() + ":" + c.turns().get(1).content()));
		assertThat(between).containsExactly("2m1:a2m1", "2m2:a2m2", "3m1:a3m1", "3m2:a3m2");
	}

}
