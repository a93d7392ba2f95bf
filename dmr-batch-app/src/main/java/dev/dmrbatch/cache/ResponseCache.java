package dev.dmrbatch.cache;

import java.util.Optional;

import dev.dmrbatch.model.ModelReply;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The stored answers by fingerprint, in the conversation store ({@code dmr_cache}, indexed by fingerprint): a
 * lookup is one indexed query, and nothing is held in memory, whatever the number of stored answers.
 */
@Repository
public class ResponseCache {

	private final JdbcClient client;

	ResponseCache(JdbcTemplate jdbc) {
		this.client = JdbcClient.create(jdbc);
	}

	/**
	 * The newest stored answer with this fingerprint.
	 * @param onlyRun the run to look in, or {@code null} for every run
	 */
	public Optional<Entry> find(String fingerprint, Long onlyRun) {
		String sql = "select c.*, r.label from dmr_cache c left join dmr_run r on r.id = c.run_id "
				+ "where c.fingerprint = ?" + ((onlyRun != null) ? " and c.run_id = ?" : "")
				+ " order by c.id desc fetch first 1 rows only";
		JdbcClient.StatementSpec statement = this.client.sql(sql).param(fingerprint);
		if (onlyRun != null) {
			statement = statement.param(onlyRun);
		}
		return statement.query((rs, n) -> new Entry(rs.getLong("run_id"), rs.getString("label"),
				rs.getLong("item_seq"), rs.getString("item_id"), rs.getString("model"), rs.getInt("step_index"),
				ModelReply.answer(rs.getString("served_by"), rs.getString("content"))
					.reasoning(rs.getString("reasoning"))
					.finishReason(rs.getString("finish_reason"))
					.tokens(rs.getLong("prompt_tokens"), rs.getLong("completion_tokens"))
					.latency(rs.getLong("latency_ms"))
					.systemFingerprint(rs.getString("system_fingerprint"))
					.attempts(1)
					.build()))
			.optional();
	}

	/** Stores an answer as soon as it is received, in a transaction of its own. */
	public void keep(String fingerprint, long runId, long itemSeq, String itemId, String model, int stepIndex,
			ModelReply reply) {
		this.client
			.sql("insert into dmr_cache (fingerprint, run_id, item_seq, item_id, model, step_index, served_by, content, "
					+ "reasoning, finish_reason, prompt_tokens, completion_tokens, latency_ms, system_fingerprint) "
					+ "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			.params(fingerprint, runId, itemSeq, itemId, model, stepIndex, reply.model(), reply.content(),
					reply.reasoning(), reply.finishReason(), reply.promptTokens(), reply.completionTokens(),
					reply.latencyMillis(), reply.systemFingerprint())
			.update();
	}

	/** Forgets the answers a run received (the run is deleted). */
	public void forget(long runId) {
		this.client.sql("delete from dmr_cache where run_id = ?").param(runId).update();
	}

	/**
	 * A stored answer: the run and the item it was received for, and the reply as it came.
	 * @param label the run's label, or {@code null} when it has none
	 * @param stepIndex the step of the item it answered
	 */
	public record Entry(long runId, String label, long itemSeq, String itemId, String model, int stepIndex,
			ModelReply reply) {

		/** The run as a reused call names it: its label, or its number. */
		public String runName() {
			return (this.label != null) ? this.label : String.valueOf(this.runId);
		}

	}

}
