package dev.dmrbatch.web;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.support.Workspace;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A run of 100,000 items in the store (written directly: no model is needed to browse it) served by
 * {@code job=serve}: a page of items, the last page, the failures, a search, and the run page itself answer in a
 * fraction of a second, because only one page is ever read.
 */
class WebScaleIT {

	static final int ITEMS = 100_000;

	@TempDir
	Path dir;

	@Test
	void aHundredThousandItemsArePagedAndSearchedOnTheServer() throws Exception {
		Workspace workspace = new Workspace(this.dir);
		JdbcDataSource data = new JdbcDataSource();
		data.setURL("jdbc:h2:file:" + workspace.path("data/dmr-batch") + ";DB_CLOSE_ON_EXIT=FALSE");
		data.setUser("sa");
		// through one connection, a commit per thousand items: with a connection per statement H2 opens the file and
		// closes it (compacting it) for every batch, and commits every row
		try (Connection connection = data.getConnection()) {
			write(workspace, data, connection);
		}

		try (Serve serve = Serve.start(workspace, "http://127.0.0.1:9/v1")) {
			serve.get("api/runs/1/items?size=1"); // the first request warms the server up
			Map<String, Double> seconds = new LinkedHashMap<>();
			JsonNode first = timed(serve, seconds, "first page", "api/runs/1/items?page=1&size=50");
			assertThat(first.path("total").asLong()).isEqualTo(ITEMS);
			assertThat(first.path("items").get(0).path("id").asString()).isEqualTo("item-1");
			JsonNode last = timed(serve, seconds, "last page", "api/runs/1/items?page=2000&size=50");
			assertThat(last.path("items").get(49).path("id").asString()).isEqualTo("item-100000");
			JsonNode failed = timed(serve, seconds, "failed, page 10", "api/runs/1/items?status=failed&page=10&size=50");
			assertThat(failed.path("total").asLong()).isEqualTo(ITEMS / 100);
			assertThat(failed.path("items").get(0).path("id").asString()).isEqualTo("item-45100");
			JsonNode id = timed(serve, seconds, "search an id", "api/runs/1/items?q=item-99999");
			assertThat(id.path("total").asLong()).isEqualTo(1);
			JsonNode text = timed(serve, seconds, "search text", "api/runs/1/items?q=Answer%2077777.");
			assertThat(text.path("total").asLong()).isEqualTo(1);
			JsonNode none = timed(serve, seconds, "search, no match", "api/runs/1/items?q=nowhere%20to%20be%20found");
			assertThat(none.path("total").asLong()).isZero();
			long pageStart = System.nanoTime();
			HttpResponse<String> runPage = serve.get("runs/1?page=1000");
			seconds.put("run page, page 1000", (System.nanoTime() - pageStart) / 1e9);
			assertThat(runPage.statusCode()).isEqualTo(200);
			assertThat(runPage.body()).contains("item-49951").contains("page 1000 of 2000");
			// the times are said, not asserted (a shared machine makes them noise): a page of items, of any page
			// number and status, is read by the primary key, well under a second on an idle machine; a search reads
			// every message once, and the run page's charts go over every item as report.html's do
			System.out.println("web app over " + ITEMS + " items: " + seconds);
		}
	}

	/**
	 * A run of {@link #ITEMS} items, one in a hundred failed, written directly into the working folder's store through
	 * the connection, which it commits after each thousand.
	 */
	private static void write(Workspace workspace, JdbcDataSource data, Connection connection) throws SQLException {
		Flyway.configure().dataSource(data).locations("classpath:db/migration/common", "classpath:db/migration/h2")
			.load().migrate();
		connection.setAutoCommit(false);
		ConversationStore store = new ConversationStore(
				new JdbcTemplate(new SingleConnectionDataSource(connection, true)));
		store.registerRun(new RunRecord(1, "big", "big", "input/big.jsonl", workspace.path("output/big/big").toString(),
				"{\"name\":\"ai/tiny\",\"max_tokens\":128}", Instant.now()));
		String base = "The quick brown fox jumps over the lazy dog while the answer goes on. ".repeat(4);
		long start = System.nanoTime();
		for (int from = 0; from < ITEMS; from += 1000) {
			List<Conversation> page = new ArrayList<>();
			for (int i = from + 1; i <= from + 1000; i++) {
				boolean failed = i % 100 == 0;
				page.add(Conversation.ended(i, "item-" + i, "ai/tiny",
						failed ? "runner answered 500" : null,
						List.of(new Conversation.Turn("user", "answer", "Question " + i),
								new Conversation.Turn("assistant", "answer", "Answer " + i + ". " + base)),
						List.of(Conversation.Call.answered(0, "answer").finishReason("stop").tokens(30, 100)
								.latency(20 + i % 50).attempts(1).build())));
			}
			store.saveAll(1, page);
			connection.commit();
		}
		store.saveTotalItems(1, ITEMS);
		connection.commit();
		System.out.printf("store of %d items written in %.1f s%n", ITEMS, (System.nanoTime() - start) / 1e9);
	}

	private static JsonNode timed(Serve serve, Map<String, Double> seconds, String what, String path) throws Exception {
		long start = System.nanoTime();
		JsonNode answer = serve.json(path);
		seconds.put(what, (System.nanoTime() - start) / 1e9);
		return answer;
	}

}
