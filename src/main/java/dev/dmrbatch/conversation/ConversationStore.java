package dev.dmrbatch.conversation;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Runs and their conversations, in the same database as Spring Batch's job repository, so a chunk's conversations
 * commit in the chunk's own transaction.
 */
@Repository
public class ConversationStore {

	private final JdbcTemplate jdbc;

	private final JdbcClient client;

	public ConversationStore(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
		this.client = JdbcClient.create(jdbc);
	}

	/** Records a run the first time it starts; a restart keeps the first record. */
	public void registerRun(RunRecord run) {
		if (findRun(run.id()).isPresent()) {
			return;
		}
		this.client
			.sql("insert into dmr_run (id, job_name, label, input, output_dir, settings, created_at) "
					+ "values (?, ?, ?, ?, ?, ?, ?)")
			.params(run.id(), run.jobName(), run.label(), run.input(), run.outputDir(), run.settings(),
					Timestamp.from(run.createdAt()))
			.update();
	}

	public Optional<RunRecord> findRun(long id) {
		return this.client.sql("select * from dmr_run where id = ?").param(id).query(ConversationStore::run).optional();
	}

	/** Runs with a label, of any job, newest first. */
	public List<RunRecord> findRunsByLabel(String label) {
		return this.client.sql("select * from dmr_run where label = ? order by id desc")
			.param(label)
			.query(ConversationStore::run)
			.list();
	}

	/** Runs of a job with a label, newest first. */
	public List<RunRecord> findRuns(String jobName, String label) {
		return this.client.sql("select * from dmr_run where job_name = ? and label = ? order by id desc")
			.params(jobName, label)
			.query(ConversationStore::run)
			.list();
	}

	/** Saves conversations; called by the chunk's writer, inside the chunk's transaction. */
	public void saveAll(long runId, List<Conversation> conversations) {
		if (conversations.isEmpty()) {
			return;
		}
		Timestamp now = Timestamp.from(Instant.now());
		List<Object[]> rows = new ArrayList<>(conversations.size());
		List<Object[]> messages = new ArrayList<>();
		List<Object[]> calls = new ArrayList<>();
		for (Conversation c : conversations) {
			rows.add(new Object[] { runId, c.itemSeq(), c.model(), c.itemId(), c.status(), c.error(), c.promptTokens(),
					c.completionTokens(), c.latencyMillis(), now });
			for (int i = 0; i < c.turns().size(); i++) {
				Conversation.Turn turn = c.turns().get(i);
				messages.add(new Object[] { runId, c.itemSeq(), c.model(), i, turn.role(), turn.step(), turn.content() });
			}
			for (Conversation.Call call : c.calls()) {
				calls.add(new Object[] { runId, c.itemSeq(), c.model(), call.stepIndex(), call.step(),
						call.finishReason(), call.promptTokens(), call.completionTokens(), call.latencyMillis(),
						call.attempts(), call.timings(), call.systemFingerprint(), call.error() });
			}
		}
		this.jdbc.batchUpdate("insert into dmr_conversation (run_id, item_seq, model, item_id, status, error, "
				+ "prompt_tokens, completion_tokens, latency_ms, finished_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows);
		if (!messages.isEmpty()) {
			this.jdbc.batchUpdate("insert into dmr_message (run_id, item_seq, model, position, role, step, content) "
					+ "values (?, ?, ?, ?, ?, ?, ?)", messages);
		}
		if (!calls.isEmpty()) {
			this.jdbc.batchUpdate("insert into dmr_call (run_id, item_seq, model, step_index, step, finish_reason, "
					+ "prompt_tokens, completion_tokens, latency_ms, attempts, timings, system_fingerprint, error) "
					+ "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", calls);
		}
	}

	public RunTotals totals(long runId) {
		return this.client.sql("select count(*) n, coalesce(sum(case when status = 'ok' then 1 else 0 end), 0) ok, "
				+ "coalesce(sum(prompt_tokens), 0) pt, coalesce(sum(completion_tokens), 0) ct "
				+ "from dmr_conversation where run_id = ?")
			.param(runId)
			.query((rs, n) -> new RunTotals(rs.getLong("n"), rs.getLong("ok"), rs.getLong("n") - rs.getLong("ok"),
					rs.getLong("pt"), rs.getLong("ct")))
			.single();
	}

	/** The names of a run's steps, in step order, as its calls recorded them. */
	public List<String> stepNames(long runId) {
		return this.client
			.sql("select step from dmr_call where run_id = ? group by step order by min(step_index), step")
			.param(runId)
			.query(String.class)
			.list();
	}

	/** The record number of the last item stored for a run, 0 when none. */
	public long lastItemSeq(long runId) {
		return this.client.sql("select coalesce(max(item_seq), 0) from dmr_conversation where run_id = ?")
			.param(runId)
			.query(Long.class)
			.single();
	}

	/**
	 * Streams a run's conversations in input order, each with its turns and calls, holding one conversation in
	 * memory at a time.
	 */
	public void forEach(long runId, Consumer<Conversation> action) {
		// turns and calls come from two cursors walked in step with the conversations, all in the same order
		String order = " order by item_seq, model";
		this.jdbc.query((connection) -> prepare(connection, runId,
				"select * from dmr_conversation where run_id = ?" + order), (ResultSet conversations) -> {
			Connection connection = conversations.getStatement().getConnection();
			try (PreparedStatement turnsStatement = prepare(connection, runId,
					"select * from dmr_message where run_id = ?" + order + ", position");
					PreparedStatement callsStatement = prepare(connection, runId,
							"select * from dmr_call where run_id = ?" + order + ", step_index");
					ResultSet turns = turnsStatement.executeQuery();
					ResultSet calls = callsStatement.executeQuery()) {
				Cursor turnCursor = new Cursor(turns);
				Cursor callCursor = new Cursor(calls);
				while (conversations.next()) {
					long seq = conversations.getLong("item_seq");
					String model = conversations.getString("model");
					List<Conversation.Turn> conversationTurns = new ArrayList<>();
					while (turnCursor.at(seq, model)) {
						conversationTurns.add(new Conversation.Turn(turns.getString("role"), turns.getString("step"),
								turns.getString("content")));
						turnCursor.advance();
					}
					List<Conversation.Call> conversationCalls = new ArrayList<>();
					while (callCursor.at(seq, model)) {
						conversationCalls.add(new Conversation.Call(calls.getInt("step_index"), calls.getString("step"),
								calls.getString("finish_reason"), calls.getLong("prompt_tokens"),
								calls.getLong("completion_tokens"), calls.getLong("latency_ms"), calls.getInt("attempts"),
								calls.getString("timings"), calls.getString("system_fingerprint"),
								calls.getString("error")));
						callCursor.advance();
					}
					action.accept(new Conversation(seq, conversations.getString("item_id"), model,
							conversations.getString("status"), conversations.getString("error"), conversationTurns,
							conversationCalls));
				}
			}
			return null;
		});
	}

	private static PreparedStatement prepare(Connection connection, long runId, String sql) throws SQLException {
		PreparedStatement statement = connection.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY,
				ResultSet.CONCUR_READ_ONLY);
		statement.setFetchSize(256);
		statement.setLong(1, runId);
		return statement;
	}

	private static RunRecord run(ResultSet rs, int row) throws SQLException {
		return new RunRecord(rs.getLong("id"), rs.getString("job_name"), rs.getString("label"), rs.getString("input"),
				rs.getString("output_dir"), rs.getString("settings"), rs.getTimestamp("created_at").toInstant());
	}

	/** A result set ordered like the conversations, read ahead by one row. */
	private static final class Cursor {

		private final ResultSet rows;

		private boolean valid;

		Cursor(ResultSet rows) throws SQLException {
			this.rows = rows;
			this.valid = rows.next();
		}

		boolean at(long seq, String model) throws SQLException {
			return this.valid && this.rows.getLong("item_seq") == seq && this.rows.getString("model").equals(model);
		}

		void advance() throws SQLException {
			this.valid = this.rows.next();
		}

	}

}
