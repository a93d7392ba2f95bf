package dev.dmrbatch.conversation;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.DataClassRowMapper;
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

	/**
	 * The evaluation number of the checks given while a run answered: the calls a judge made then are the run's own
	 * ({@code check.CheckStore} numbers the later evaluations after it).
	 */
	public static final int CHECKS_DURING_RUN = 0;

	private volatile String storeId;

	public ConversationStore(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
		this.client = JdbcClient.create(jdbc);
	}

	/**
	 * This store's random identity, made the first time it is asked for: it tells a run of this store from a run
	 * with the same number in a store made anew.
	 */
	public String storeId() {
		String id = this.storeId;
		if (id == null) {
			id = readStoreId().orElseGet(() -> {
				try {
					this.client.sql("insert into dmr_store (id, store_id) values (1, ?)")
						.param(UUID.randomUUID().toString())
						.update();
				}
				catch (DataIntegrityViolationException ex) {
					// another process made it a moment ago: its identity is the store's
				}
				return readStoreId().orElseThrow();
			});
			this.storeId = id;
		}
		return id;
	}

	private Optional<String> readStoreId() {
		return this.client.sql("select store_id from dmr_store where id = 1").query(String.class).optional();
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

	/** Every run, or one job's runs, newest first. */
	public List<RunRecord> runs(String jobName) {
		return (jobName == null)
				? this.client.sql("select * from dmr_run order by id desc").query(ConversationStore::run).list()
				: this.client.sql("select * from dmr_run where job_name = ? order by id desc")
					.param(jobName)
					.query(ConversationStore::run)
					.list();
	}

	/** Every run's totals in one query, by run id; a run with nothing stored yet is absent. */
	public Map<Long, RunTotals> totalsByRun() {
		Map<Long, RunTotals> totals = new HashMap<>();
		this.jdbc.query("select run_id, count(*) n, sum(case when status = 'ok' then 1 else 0 end) ok, "
				+ "sum(prompt_tokens) pt, sum(completion_tokens) ct from dmr_conversation group by run_id", (rs) -> {
					totals.put(rs.getLong("run_id"), new RunTotals(rs.getLong("n"), rs.getLong("ok"),
							rs.getLong("n") - rs.getLong("ok"), rs.getLong("pt"), rs.getLong("ct")));
				});
		return totals;
	}

	/**
	 * Keeps the sources of the prompts' templates a run is made with, by name in order, the first time it starts; a
	 * restart keeps the first ones.
	 */
	public void saveTemplates(long runId, Map<String, String> sources) {
		if (sources.isEmpty() || !templates(runId).isEmpty()) {
			return;
		}
		List<Object[]> rows = new ArrayList<>(sources.size());
		sources.forEach((name, source) -> rows.add(new Object[] { runId, rows.size(), name, source }));
		this.jdbc.batchUpdate("insert into dmr_run_template (run_id, position, name, source) values (?, ?, ?, ?)",
				rows);
	}

	/**
	 * Keeps what a run is started with (the planner's spec, as JSON) the first time it starts; a restart keeps the
	 * first one.
	 */
	public void saveSpec(long runId, String spec) {
		this.client.sql("update dmr_run set spec = ? where id = ? and spec is null").params(spec, runId).update();
	}

	/** What a run was started with, as JSON; empty for a run started before it was kept. */
	public Optional<String> spec(long runId) {
		return this.client.sql("select spec from dmr_run where id = ?")
			.param(runId)
			.query(String.class)
			.optional();
	}

	/** The sources of the prompts' templates a run was made with, by name in order; none for a run made before. */
	public Map<String, String> templates(long runId) {
		Map<String, String> sources = new java.util.LinkedHashMap<>();
		this.jdbc.query("select name, source from dmr_run_template where run_id = ? order by position",
				(rs) -> {
					sources.put(rs.getString("name"), rs.getString("source"));
				}, runId);
		return sources;
	}

	/**
	 * A run's conversations' figures without their turns, in input order: what tells items apart and counts them.
	 * Tokens and latency are the answering model's, without the calls of a judge check's grader.
	 */
	public void forEachItem(long runId, Consumer<ItemFacts> action) {
		this.jdbc.query((connection) -> {
			// the answering model's figures: a judge's grader calls (their evaluation set) are counted apart
			PreparedStatement statement = connection.prepareStatement("select c.item_seq, c.item_id, c.model, "
					+ "c.repetition, c.status, "
					+ "c.prompt_tokens - coalesce(g.pt, 0) prompt_tokens, c.completion_tokens - coalesce(g.ct, 0) "
					+ "completion_tokens, c.latency_ms - coalesce(g.ms, 0) latency_ms from dmr_conversation c "
					+ "left join (select item_seq, model, repetition, sum(prompt_tokens) pt, sum(completion_tokens) ct, "
					+ "sum(latency_ms) ms from dmr_call where run_id = ? and evaluation is not null "
					+ "group by item_seq, model, repetition) g on g.item_seq = c.item_seq and g.model = c.model "
					+ "and g.repetition = c.repetition where c.run_id = ? order by c.item_seq, c.model, c.repetition", ResultSet.TYPE_FORWARD_ONLY,
					ResultSet.CONCUR_READ_ONLY);
			statement.setFetchSize(1000);
			statement.setLong(1, runId);
			statement.setLong(2, runId);
			return statement;
		}, (ResultSet rs) -> {
			action.accept(new ItemFacts(rs.getLong("item_seq"), rs.getString("item_id"), rs.getString("model"),
					rs.getString("status"), rs.getLong("prompt_tokens"), rs.getLong("completion_tokens"),
					rs.getLong("latency_ms"), rs.getInt("repetition")));
		});
	}

	/**
	 * One conversation's figures: {@link #forEachItem}.
	 * @param repetition which of the item's answers by the model it is (from 1; {@code repeat=N})
	 */
	public record ItemFacts(long itemSeq, String itemId, String model, String status, long promptTokens,
			long completionTokens, long latencyMillis, int repetition) {

		public boolean isOk() {
			return Conversation.OK.equals(this.status);
		}

	}

	/** A run's failed items, in input order, with why each failed. */
	public void forEachFailure(long runId, Consumer<Failure> action) {
		DataClassRowMapper<Failure> failure = new DataClassRowMapper<>(Failure.class);
		this.jdbc.query("select item_seq, item_id, model, error from dmr_conversation where run_id = ? and status <> 'ok' "
				+ "order by item_seq, model, repetition", (rs) -> {
					action.accept(failure.mapRow(rs, rs.getRow()));
				}, runId);
	}

	private static final String NOT_JSON = "input: not valid JSON";

	/**
	 * Why a run's items failed, most frequent reason first: at most {@code limit} reasons, each with its count, the
	 * first failure's error and the ids of its first three items. Errors that differ only by the item are one reason:
	 * a malformed input record's location ({@code <input> line <n>:}) and the parser's detail do not count. Grouped
	 * by the database: one pass over the run's failed conversations, then a few rows for each reason.
	 * @param input the run's input as its errors name it ({@link RunRecord#input()})
	 */
	public List<FailureReason> failureReasons(long runId, String input, int limit) {
		String prefix = ((input != null) ? input : "") + " line ";
		String head = "cast(substring(error from 1 for 300) as varchar(300))";
		// plain string functions, no regular expressions: the same in H2 and PostgreSQL, and cheap per row
		String detail = "substring(error from position(': ' in error) + 2 for ";
		String key = "case when substring(error from 1 for " + prefix.length() + ") = ? then 'input: ' || case when "
				+ detail + "16) = 'not valid JSON (' then 'not valid JSON' else " + detail + "300) end else " + head
				+ " end";
		String failed = " from dmr_conversation where run_id = ? and status <> 'ok'";
		List<Object[]> groups = this.jdbc.query("select k, count(*) n, min(item_seq) s from (select " + key + " k, "
				+ "item_seq" + failed + ") f group by k order by n desc, s, k limit ?",
				(rs, row) -> new Object[] { rs.getString("k"), rs.getLong("n"), rs.getLong("s") }, prefix, runId, limit);
		List<FailureReason> reasons = new ArrayList<>(groups.size());
		for (Object[] group : groups) {
			// the group's first items: from its first record on, in the primary key's order
			List<String> ids = new ArrayList<>(3);
			String[] first = new String[1];
			// (a group of fewer than 3 rows asks for no more than it has, so the scan stops at its last row instead of
			// running to the end of the run; an item with several models has a row each, named once)
			this.jdbc.query("select item_id, " + head + " head" + failed + " and item_seq >= ? and " + key + " = ? "
					+ "order by item_seq, model limit ?", (rs) -> {
						String id = rs.getString("item_id");
						if (!ids.contains(id)) {
							ids.add(id);
						}
						if (first[0] == null) {
							first[0] = rs.getString("head");
						}
					}, runId, group[2], prefix, group[0], Math.min(3, (Long) group[1]));
			// a parser's detail may quote the input: the reason stops before it
			String error = (first[0] != null && NOT_JSON.equals(group[0]))
					? first[0].substring(0, first[0].indexOf(": not valid JSON (") + 16) : first[0];
			reasons.add(new FailureReason(error, (Long) group[1], ids));
		}
		return reasons;
	}

	/**
	 * How a per-conversation figure ({@link Measure}) is spread over a run: {@code bins} equal-width bins between its
	 * smallest and largest value, counted by the database so nothing grows with the run.
	 */
	public Histogram histogram(long runId, Measure measure, int bins) {
		String column = measure.column;
		Map<String, Object> range = this.jdbc.queryForMap("select min(" + column + ") lo, max(" + column
				+ ") hi from dmr_conversation where run_id = ? and status = 'ok'", runId);
		if (range.get("lo") == null) {
			return new Histogram(0, 0, new long[0]);
		}
		long lo = ((Number) range.get("lo")).longValue();
		long hi = ((Number) range.get("hi")).longValue();
		long width = Math.max(1, (hi - lo + bins) / bins);
		int count = (int) Math.min(bins, (hi - lo) / width + 1);
		long[] counts = new long[count];
		this.jdbc.query("select (" + column + " - ?) / ? b, count(*) n from dmr_conversation "
				+ "where run_id = ? and status = 'ok' group by b", (rs) -> {
					counts[(int) Math.min(count - 1, rs.getLong("b"))] += rs.getLong("n");
				}, lo, width, runId);
		return new Histogram(lo, width, counts);
	}

	/**
	 * The run's progress: how many conversations had been stored by each commit, oldest first, as (epoch
	 * millisecond, cumulative count) pairs; one pair per chunk, as chunks commit together.
	 */
	public List<long[]> progress(long runId) {
		List<long[]> points = new ArrayList<>();
		long[] total = { 0 };
		this.jdbc.query("select finished_at, count(*) n from dmr_conversation where run_id = ? group by finished_at "
				+ "order by finished_at", (rs) -> {
					total[0] += rs.getLong("n");
					points.add(new long[] { rs.getTimestamp("finished_at").getTime(), total[0] });
				}, runId);
		return points;
	}

	/**
	 * Saves conversations; called by the chunk's writer, inside the chunk's transaction. Their verdicts are saved by
	 * the checks' store.
	 */
	public void saveAll(long runId, List<Conversation> conversations) {
		insert(runId, conversations, (conversation, call) -> null);
	}

	/**
	 * Saves conversations that replace the run's failed ones of the same items, models and repetitions
	 * ({@code retry=failed}),
	 * as {@link #saveAll} does, in the chunk's transaction: each failed conversation replaced leaves its error in the
	 * item's earlier attempts (its turns and calls go), and a conversation with none to replace is simply saved.
	 */
	public void replaceFailed(long runId, List<Conversation> conversations) {
		for (Conversation c : conversations) {
			Object[] key = { runId, c.itemSeq(), c.model(), c.repetition() };
			int replaced = this.client.sql("insert into dmr_attempt (run_id, item_seq, model, repetition, attempt, "
					+ "error, finished_at) select run_id, item_seq, model, repetition, (select coalesce(max(a.attempt), 0) "
					+ "+ 1 from dmr_attempt a where a.run_id = c.run_id and a.item_seq = c.item_seq and a.model = c.model "
					+ "and a.repetition = c.repetition), error, finished_at from dmr_conversation c where run_id = ? "
					+ "and item_seq = ? and model = ? and repetition = ? and status <> 'ok'")
				.params(key)
				.update();
			if (replaced > 0) {
				for (String table : List.of("dmr_call", "dmr_message", "dmr_conversation")) {
					this.client.sql("delete from " + table + " where run_id = ? and item_seq = ? and model = ? "
							+ "and repetition = ?")
						.params(key)
						.update();
				}
			}
		}
		saveAll(runId, conversations);
	}

	/**
	 * A run's failed conversations: the models and repetitions that failed, by record number, in input order (what
	 * {@code retry=failed} asks again).
	 */
	public java.util.SortedMap<Long, java.util.Set<Conversation.Key>> failedItems(long runId) {
		java.util.SortedMap<Long, java.util.Set<Conversation.Key>> failed = new java.util.TreeMap<>();
		this.jdbc.query("select item_seq, model, repetition from dmr_conversation where run_id = ? and status <> 'ok' "
				+ "order by item_seq, model, repetition", (rs) -> {
					failed.computeIfAbsent(rs.getLong(1), (seq) -> new java.util.LinkedHashSet<>())
						.add(new Conversation.Key(rs.getString(2), rs.getInt(3)));
				}, runId);
		return failed;
	}

	/**
	 * Inserts conversations, their turns and calls.
	 * @param settings the settings a call was sent with, as JSON, where they change from call to call (a chat's), else
	 * {@code null}
	 */
	private void insert(long runId, List<Conversation> conversations,
			java.util.function.BiFunction<Conversation, Integer, String> settings) {
		if (conversations.isEmpty()) {
			return;
		}
		Timestamp now = Timestamp.from(Instant.now());
		List<Object[]> rows = new ArrayList<>(conversations.size());
		List<Object[]> messages = new ArrayList<>();
		List<Object[]> calls = new ArrayList<>();
		for (Conversation c : conversations) {
			rows.add(new Object[] { runId, c.itemSeq(), c.model(), c.repetition(), c.itemId(), c.status(), c.error(), c.promptTokens(),
					c.completionTokens(), c.latencyMillis(), now, c.runner() });
			for (int i = 0; i < c.turns().size(); i++) {
				Conversation.Turn turn = c.turns().get(i);
				messages.add(new Object[] { runId, c.itemSeq(), c.model(), c.repetition(), i, turn.role(), turn.step(), turn.content(),
						turn.reasoning(), turn.json() });
			}
			Map<Integer, Integer> answers = new HashMap<>();
			for (int i = 0; i < c.calls().size(); i++) {
				Conversation.Call call = c.calls().get(i);
				int answer = answers.merge(call.stepIndex(), 1, Integer::sum);
				calls.add(new Object[] { runId, c.itemSeq(), c.model(), c.repetition(), call.stepIndex(), answer, call.step(),
						call.finishReason(), call.promptTokens(), call.completionTokens(), call.latencyMillis(),
						call.attempts(), call.timings(), call.systemFingerprint(), call.error(), call.skipped(),
						call.requestModel(), call.ttftMillis(), call.httpStatus(), call.requestId(),
						call.isReused() ? call.reusedFrom().run() : null,
						call.isReused() ? call.reusedFrom().item() : null, call.logprobs(), call.embedding(),
						call.isCheck() ? CHECKS_DURING_RUN : null, settings.apply(c, i) });
			}
		}
		this.jdbc.batchUpdate("insert into dmr_conversation (run_id, item_seq, model, repetition, item_id, status, "
				+ "error, prompt_tokens, completion_tokens, latency_ms, finished_at, runner) "
				+ "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				rows);
		if (!messages.isEmpty()) {
			this.jdbc.batchUpdate("insert into dmr_message (run_id, item_seq, model, repetition, position, role, step, "
					+ "content, reasoning, json_value) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", messages);
		}
		if (!calls.isEmpty()) {
			this.jdbc.batchUpdate("insert into dmr_call (run_id, item_seq, model, repetition, step_index, answer, step, "
					+ "finish_reason, prompt_tokens, completion_tokens, latency_ms, attempts, timings, system_fingerprint, "
					+ "error, skipped, request_model, ttft_ms, http_status, request_id, reused_run, reused_item, logprobs, "
					+ "embedding, evaluation, settings) "
					+ "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", calls);
		}
	}

	/**
	 * Adds the calls a later evaluation of a run's checks made (a judge's requests to its grader) to a stored
	 * conversation, after the calls it has, and counts their tokens and time in the conversation's totals; its turns
	 * and status never change.
	 * @param evaluation the evaluation that made them
	 */
	public void addCheckCalls(long runId, int evaluation, long itemSeq, String model, int repetition,
			List<Conversation.Call> calls) {
		if (calls.isEmpty()) {
			return;
		}
		Map<Integer, Integer> answers = new HashMap<>();
		List<Object[]> rows = new ArrayList<>();
		long promptTokens = 0;
		long completionTokens = 0;
		long latency = 0;
		for (Conversation.Call call : calls) {
			int answer = answers.computeIfAbsent(call.stepIndex(), (index) -> this.client
				.sql("select coalesce(max(answer), 0) from dmr_call where run_id = ? and item_seq = ? and model = ? "
						+ "and repetition = ? and step_index = ?")
				.params(runId, itemSeq, model, repetition, index)
				.query(Integer.class)
				.single()) + 1;
			answers.put(call.stepIndex(), answer);
			rows.add(new Object[] { runId, itemSeq, model, repetition, call.stepIndex(), answer, call.step(), call.finishReason(),
					call.promptTokens(), call.completionTokens(), call.latencyMillis(), call.attempts(), call.timings(),
					call.systemFingerprint(), call.error(), call.requestModel(), call.ttftMillis(), evaluation });
			promptTokens += call.promptTokens();
			completionTokens += call.completionTokens();
			latency += call.latencyMillis();
		}
		this.jdbc.batchUpdate("insert into dmr_call (run_id, item_seq, model, repetition, step_index, answer, step, "
				+ "finish_reason, prompt_tokens, completion_tokens, latency_ms, attempts, timings, system_fingerprint, "
				+ "error, request_model, ttft_ms, evaluation) "
				+ "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows);
		this.jdbc.update("update dmr_conversation set prompt_tokens = prompt_tokens + ?, completion_tokens = "
				+ "completion_tokens + ?, latency_ms = latency_ms + ? where run_id = ? and item_seq = ? and model = ? "
				+ "and repetition = ?", promptTokens, completionTokens, latency, runId, itemSeq, model, repetition);
	}

	/**
	 * A run's items, not conversations (an item has one conversation per model): those stored, and those with at
	 * least one failed conversation.
	 */
	public ItemCounts itemCounts(long runId) {
		return this.client.sql("select count(distinct item_seq) items, count(distinct case when status <> 'ok' then "
				+ "item_seq end) failed from dmr_conversation where run_id = ?")
			.param(runId)
			.query(new DataClassRowMapper<>(ItemCounts.class))
			.single();
	}

	/** @see #itemCounts(long) */
	public record ItemCounts(long items, long failed) {
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

	/** A run's totals per model, in the order the models first appear. */
	public List<ModelTotals> totalsByModel(long runId) {
		return this.client.sql("select model, count(*) n, sum(case when status = 'ok' then 1 else 0 end) ok, "
				+ "sum(prompt_tokens) pt, sum(completion_tokens) ct, sum(latency_ms) lat, "
				+ "sum(case when status = 'ok' then latency_ms else 0 end) ok_lat "
				+ "from dmr_conversation where run_id = ? group by model order by min(item_seq), model")
			.param(runId)
			.query((rs, n) -> new ModelTotals(rs.getString("model"), rs.getLong("n"), rs.getLong("ok"),
					rs.getLong("n") - rs.getLong("ok"), rs.getLong("pt"), rs.getLong("ct"),
					(rs.getLong("ok") == 0) ? 0 : rs.getLong("ok_lat") / rs.getLong("ok")))
			.list();
	}

	/** A run's totals per model runner, when the run had several: how the items were spread. */
	public List<RunnerTotals> totalsByRunner(long runId) {
		return this.client.sql("select runner, count(*) n, sum(case when status = 'ok' then 1 else 0 end) ok, "
				+ "sum(completion_tokens) ct, sum(case when status = 'ok' then latency_ms else 0 end) ok_lat "
				+ "from dmr_conversation where run_id = ? and runner is not null group by runner order by runner")
			.param(runId)
			.query((rs, n) -> new RunnerTotals(rs.getString("runner"), rs.getLong("n"), rs.getLong("ok"),
					rs.getLong("n") - rs.getLong("ok"), rs.getLong("ct"),
					(rs.getLong("ok") == 0) ? 0 : rs.getLong("ok_lat") / rs.getLong("ok")))
			.list();
	}

	/** One runner's share of a run; latency is the mean of its ok conversations. */
	public record RunnerTotals(String runner, long conversations, long ok, long failed, long completionTokens,
			long meanLatencyMillis) {
	}

	/** The names of a run's steps that stored a vector ({@code embed} steps), in step order. */
	public List<String> embedStepNames(long runId) {
		return this.client
			.sql("select step from dmr_call where run_id = ? and embedding is not null group by step "
					+ "order by min(step_index), step")
			.param(runId)
			.query(String.class)
			.list();
	}

	/** The names of a run's steps, in step order, as its calls recorded them (its checks' calls aside). */
	public List<String> stepNames(long runId) {
		return this.client
			.sql("select step from dmr_call where run_id = ? and evaluation is null group by step "
					+ "order by min(step_index), step")
			.param(runId)
			.query(String.class)
			.list();
	}

	/**
	 * The record numbers of a run's stored items in {@code (after, upTo]}: what a reader that resumes at
	 * {@code after} must skip. Usually the few items a stop stored past the committed position; after the runners
	 * changed between two executions, maybe a whole range, hence a bit set and not a set of boxed numbers.
	 */
	public java.util.function.LongPredicate storedBetween(long runId, long after, long upTo) {
		java.util.BitSet stored = new java.util.BitSet();
		this.jdbc.query("select distinct item_seq from dmr_conversation where run_id = ? and item_seq > ? "
				+ "and item_seq <= ?", (rs) -> {
					stored.set((int) (rs.getLong(1) - after));
				}, runId, after, upTo);
		return (seq) -> seq > after && seq - after <= Integer.MAX_VALUE && stored.get((int) (seq - after));
	}

	/** How many times a run asked each item of each model: its highest repetition stored, 1 for none. */
	public int repetitions(long runId) {
		return this.client.sql("select coalesce(max(repetition), 1) from dmr_conversation where run_id = ?")
			.param(runId)
			.query(Integer.class)
			.single();
	}

	/** The record number of the last item stored for a run, 0 when none. */
	public long lastItemSeq(long runId) {
		return this.client.sql("select coalesce(max(item_seq), 0) from dmr_conversation where run_id = ?")
			.param(runId)
			.query(Long.class)
			.single();
	}

	/**
	 * When the last of a run's conversations stored between two times was stored: how long an execution worked,
	 * whose process was killed.
	 */
	public Optional<Instant> lastStoredBetween(long runId, Instant from, Instant to) {
		return this.client.sql("select max(finished_at) from dmr_conversation where run_id = ? and finished_at >= ? "
				+ "and finished_at <= ?")
			.params(runId, Timestamp.from(from), Timestamp.from(to))
			.query((rs, row) -> Optional.ofNullable(rs.getTimestamp(1)).map(Timestamp::toInstant))
			.single();
	}

	/**
	 * Deletes a run: its record, conversations, messages, calls, templates, and its chat session's mark; the other
	 * packages' rows of it are theirs to delete. In the caller's transaction.
	 */
	public void deleteRun(long runId) {
		for (String table : List.of("dmr_call", "dmr_message", "dmr_conversation", "dmr_attempt", "dmr_run_template",
				"dmr_chat_session")) {
			this.client.sql("delete from " + table + " where run_id = ?").param(runId).update();
		}
		this.client.sql("delete from dmr_run where id = ?").param(runId).update();
	}

	/** Notes how many items the run's input holds, once they are counted. */
	public void saveTotalItems(long runId, long count) {
		this.client.sql("update dmr_run set total_items = ? where id = ?").params(count, runId).update();
	}

	/** How many items the run's input holds, when the run has counted them. */
	public Optional<Long> totalItems(long runId) {
		return this.client.sql("select total_items from dmr_run where id = ?")
			.param(runId)
			.query((rs, row) -> java.util.Optional.ofNullable(rs.getObject(1, Long.class)))
			.list()
			.stream()
			.findFirst()
			.flatMap((total) -> total);
	}

	/** Items per page when streaming a run: the database never holds more than one page of results. */
	static final int PAGE = 1000;

	/**
	 * Streams a run's conversations in input order, each with its turns and calls, holding one conversation in
	 * memory at a time. Pages of {@value #PAGE} record numbers keep the database's own result buffers small too,
	 * whatever the size of the run.
	 */
	public void forEach(long runId, Consumer<Conversation> action) {
		long last = lastItemSeq(runId);
		for (long from = 0; from < last; from += PAGE) {
			forEachIn(runId, from, from + PAGE, action);
		}
	}

	/**
	 * Streams a run's conversations with record numbers in {@code (from, to]}, in input order, as {@link #forEach}
	 * does: ask for at most a {@value #PAGE} of them at a time.
	 */
	public void forEachBetween(long runId, long from, long to, Consumer<Conversation> action) {
		forEachIn(runId, from, to, action);
	}

	/** The conversations with record numbers in {@code (from, to]}. */
	private void forEachIn(long runId, long from, long to, Consumer<Conversation> action) {
		forEachWhere(" where run_id = ? and item_seq > ? and item_seq <= ?", new Object[] { runId, from, to }, action);
	}

	/**
	 * The conversations of some items of a run (a page of them, found by the caller), in input order, each with its
	 * turns and calls: read by ranges of consecutive record numbers, each by the primary key.
	 */
	public void forEachOf(long runId, List<Long> itemSeqs, Consumer<Conversation> action) {
		List<Long> sorted = itemSeqs.stream().sorted().distinct().toList();
		int i = 0;
		while (i < sorted.size()) {
			int j = i;
			while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
				j++;
			}
			forEachIn(runId, sorted.get(i) - 1, sorted.get(j), action);
			i = j + 1;
		}
	}

	private void forEachWhere(String range, Object[] params, Consumer<Conversation> action) {
		// the errors of replaced conversations are few: those of the range, read first
		Map<AnswerKey, List<String>> earlier = new HashMap<>();
		this.jdbc.query("select item_seq, model, repetition, error from dmr_attempt" + range
				+ " order by item_seq, model, repetition, attempt", (rs) -> {
					earlier.computeIfAbsent(new AnswerKey(rs.getLong("item_seq"), rs.getString("model"),
							rs.getInt("repetition")), (k) -> new ArrayList<>())
						.add(rs.getString("error"));
				}, params);
		// turns and calls come from two cursors walked in step with the conversations, all in the same order
		String order = " order by item_seq, model, repetition";
		this.jdbc.query((connection) -> prepare(connection, params,
				"select * from dmr_conversation" + range + order), (ResultSet conversations) -> {
			Connection connection = conversations.getStatement().getConnection();
			try (PreparedStatement turnsStatement = prepare(connection, params,
					"select * from dmr_message" + range + order + ", position");
					PreparedStatement callsStatement = prepare(connection, params,
							"select * from dmr_call" + range + order + ", step_index, answer");
					ResultSet turns = turnsStatement.executeQuery();
					ResultSet calls = callsStatement.executeQuery()) {
				Cursor turnCursor = new Cursor(turns);
				Cursor callCursor = new Cursor(calls);
				while (conversations.next()) {
					long seq = conversations.getLong("item_seq");
					String model = conversations.getString("model");
					int repetition = conversations.getInt("repetition");
					List<Conversation.Turn> conversationTurns = new ArrayList<>();
					while (turnCursor.at(seq, model, repetition)) {
						conversationTurns.add(turn(turns));
						turnCursor.advance();
					}
					List<Conversation.Call> conversationCalls = new ArrayList<>();
					while (callCursor.at(seq, model, repetition)) {
						conversationCalls.add(call(calls));
						callCursor.advance();
					}
					action.accept(new Conversation(seq, conversations.getString("item_id"), model,
							conversations.getString("status"), conversations.getString("error"), conversationTurns,
							conversationCalls, conversations.getString("runner"), List.of(),
							earlier.getOrDefault(new AnswerKey(seq, model, repetition), List.of()), repetition));
				}
			}
			return null;
		});
	}

	/** A row of {@code dmr_message}. */
	private static Conversation.Turn turn(ResultSet rs) throws SQLException {
		return new Conversation.Turn(rs.getString("role"), rs.getString("step"), rs.getString("content"),
				rs.getString("reasoning"), rs.getString("json_value"));
	}

	/** A row of {@code dmr_call}. */
	private static Conversation.Call call(ResultSet rs) throws SQLException {
		return new Conversation.Call(rs.getInt("step_index"), rs.getString("step"), rs.getString("finish_reason"),
				rs.getLong("prompt_tokens"), rs.getLong("completion_tokens"), rs.getLong("latency_ms"),
				rs.getInt("attempts"), rs.getString("timings"), rs.getString("system_fingerprint"), rs.getString("error"),
				rs.getBoolean("skipped"), rs.getString("request_model"), rs.getObject("ttft_ms", Long.class),
				rs.getObject("http_status", Integer.class), rs.getString("request_id"), reuse(rs),
				rs.getString("logprobs"), rs.getString("embedding"));
	}

	private static Conversation.Reuse reuse(ResultSet call) throws SQLException {
		String run = call.getString("reused_run");
		return (run != null) ? new Conversation.Reuse(run, call.getString("reused_item")) : null;
	}

	/**
	 * A run's calls answered from the response cache and those sent, with the tokens of each (a reused call's are
	 * those of the call it reuses); a judge's calls of a later evaluation ({@code job=check}) are not the run's.
	 */
	public CallTotals callTotals(long runId) {
		return this.client.sql("select coalesce(sum(case when reused_run is null then 1 else 0 end), 0) sent, "
				+ "coalesce(sum(case when reused_run is null then prompt_tokens else 0 end), 0) sent_pt, "
				+ "coalesce(sum(case when reused_run is null then completion_tokens else 0 end), 0) sent_ct, "
				+ "coalesce(sum(case when reused_run is null then 0 else 1 end), 0) reused, "
				+ "coalesce(sum(case when reused_run is null then 0 else prompt_tokens end), 0) reused_pt, "
				+ "coalesce(sum(case when reused_run is null then 0 else completion_tokens end), 0) reused_ct "
				+ "from dmr_call where run_id = ? and skipped = false and (evaluation is null or evaluation = ?)")
			.param(runId)
			.param(CHECKS_DURING_RUN)
			.query((rs, n) -> new CallTotals(rs.getLong("sent"), rs.getLong("sent_pt"), rs.getLong("sent_ct"),
					rs.getLong("reused"), rs.getLong("reused_pt"), rs.getLong("reused_ct")))
			.single();
	}

	/** A run's calls: sent to a runner, and answered from the response cache; the tokens of each. */
	public record CallTotals(long sent, long sentPromptTokens, long sentCompletionTokens, long reused,
			long reusedPromptTokens, long reusedCompletionTokens) {
	}

	private static PreparedStatement prepare(Connection connection, Object[] params, String sql) throws SQLException {
		PreparedStatement statement = connection.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY,
				ResultSet.CONCUR_READ_ONLY);
		statement.setFetchSize(256);
		for (int i = 0; i < params.length; i++) {
			statement.setLong(i + 1, (Long) params[i]);
		}
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

		boolean at(long seq, String model, int repetition) throws SQLException {
			return this.valid && this.rows.getLong("item_seq") == seq && this.rows.getString("model").equals(model)
					&& this.rows.getInt("repetition") == repetition;
		}

		void advance() throws SQLException {
			this.valid = this.rows.next();
		}

	}

	/** One page of a run's items: the record numbers on it and how many items match in all. */
	public record ItemPage(List<Long> itemSeqs, long total, int page, int size) {

		public long pages() {
			return Math.max(1, (this.total + this.size - 1) / this.size);
		}

	}

	/**
	 * What a page of a run's items is filtered by; every part is optional ({@code null} or {@code false} for all).
	 * @param status {@code ok} or {@code failed}
	 * @param text text the item id or one of its messages holds, case ignored
	 * @param answers a pattern one of the item's answers matches (found anywhere in it)
	 * @param verdicts a filter on the checks' verdicts
	 * @param differing only items whose models answered one of its steps differently
	 */
	public record ItemFilter(String status, String text, java.util.regex.Pattern answers, VerdictFilter verdicts,
			boolean differing) {

		public static final ItemFilter ALL = new ItemFilter(null, null, null, null, false);

	}

	/**
	 * Items by their checks' verdicts (table {@code dmr_check}, the check package's): those with a verdict that failed
	 * ({@code failing}), or with no verdict that failed ({@code !failing}).
	 * @param evaluations the evaluations whose verdicts count (the latest and the reviews')
	 * @param checkKey one check, {@code <step>.<check>}, or {@code null} for any
	 */
	public record VerdictFilter(List<Integer> evaluations, String checkKey, boolean failing) {
	}

	/**
	 * A run's items a page at a time, filtered and searched on the server: the record numbers of one page (by the
	 * conversations' primary key, in input order, {@code LIMIT}/{@code OFFSET}), whose conversations
	 * {@link #forEachOf} then reads; the search looks at the item ids and the messages. A pattern over the answers
	 * reads the run's answers once, in input order, and keeps the record numbers that match.
	 * @param page from 1
	 */
	public ItemPage itemPage(long runId, ItemFilter filter, int page, int size) {
		StringBuilder where = new StringBuilder(" from dmr_conversation c where c.run_id = ?");
		List<Object> params = new ArrayList<>();
		params.add(runId);
		// one conversation per item, model and repetition: with one of each, the rows are the items, read in the primary key's
		// order up to the page, with no set of record numbers to build
		List<String> models = this.client
			.sql("select distinct model, repetition from dmr_conversation where run_id = ? and item_seq = "
					+ "(select min(item_seq) from dmr_conversation where run_id = ?)")
			.params(runId, runId)
			.query((rs, row) -> rs.getString(1) + " " + rs.getInt(2))
			.list();
		boolean one = models.size() <= 1;
		if ("ok".equals(filter.status())) {
			where.append(" and c.status = ?");
			params.add(Conversation.OK);
		}
		else if ("failed".equals(filter.status())) {
			where.append(" and c.status <> ?");
			params.add(Conversation.OK);
		}
		String query = filter.text();
		if (query != null && !query.isBlank()) {
			String like = "%" + query.strip().toLowerCase(java.util.Locale.ROOT).replace("\\", "\\\\")
				.replace("%", "\\%")
				.replace("_", "\\_") + "%";
			where.append(" and (lower(c.item_id) like ? escape '\\' or exists (select 1 from dmr_message m"
					+ " where m.run_id = c.run_id and m.item_seq = c.item_seq and m.model = c.model"
					+ " and m.repetition = c.repetition"
					+ " and lower(m.content) like ? escape '\\'))");
			params.add(like);
			params.add(like);
		}
		VerdictFilter verdicts = filter.verdicts();
		if (verdicts != null) {
			StringBuilder failed = new StringBuilder("select 1 from dmr_check k where k.run_id = c.run_id "
					+ "and k.item_seq = c.item_seq and k.passed = false and k.evaluation in (");
			for (int i = 0; i < verdicts.evaluations().size(); i++) {
				failed.append((i > 0) ? ", ?" : "?");
				params.add(verdicts.evaluations().get(i));
			}
			failed.append(")");
			if (verdicts.checkKey() != null) {
				failed.append(" and k.check_key = ?");
				params.add(verdicts.checkKey());
			}
			where.append(verdicts.failing() ? " and exists (" : " and c.status = 'ok' and not exists (")
				.append(failed)
				.append(")");
		}
		if (filter.differing()) {
			where.append(" and exists (select 1 from dmr_message a join dmr_message b on b.run_id = a.run_id "
					+ "and b.item_seq = a.item_seq and b.step = a.step and b.role = a.role "
					+ "and (b.model > a.model or b.model = a.model and b.repetition > a.repetition) "
					+ "where a.run_id = c.run_id and a.item_seq = c.item_seq and a.role = 'assistant' "
					+ "and a.content <> b.content)");
		}
		if (filter.answers() != null) {
			return matchingPage(runId, filter.answers(), (one ? "select c.item_seq" : "select distinct c.item_seq")
					+ where + " order by c.item_seq", params, page, size);
		}
		long total = this.client.sql((one ? "select count(*)" : "select count(distinct c.item_seq)") + where)
			.params(params)
			.query(Long.class)
			.single();
		List<Object> pageParams = new ArrayList<>(params);
		pageParams.add(size);
		pageParams.add((long) (page - 1) * size);
		List<Long> seqs = this.client
			.sql((one ? "select c.item_seq" : "select distinct c.item_seq") + where
					+ " order by c.item_seq limit ? offset ?")
			.params(pageParams)
			.query(Long.class)
			.list();
		return new ItemPage(seqs, total, page, size);
	}

	/** A page of the items the query gives whose answers match the pattern: both read once, in input order. */
	private ItemPage matchingPage(long runId, java.util.regex.Pattern pattern, String candidates, List<Object> params,
			int page, int size) {
		java.util.BitSet matching = new java.util.BitSet();
		this.jdbc.query("select item_seq, content from dmr_message where run_id = ? and role = 'assistant'", (rs) -> {
			long seq = rs.getLong(1);
			if (seq <= Integer.MAX_VALUE && !matching.get((int) seq) && pattern.matcher(rs.getString(2)).find()) {
				matching.set((int) seq);
			}
		}, runId);
		long[] total = { 0 };
		long from = (long) (page - 1) * size;
		List<Long> seqs = new ArrayList<>();
		this.client.sql(candidates).params(params).query((rs) -> {
			long seq = rs.getLong(1);
			if (seq <= Integer.MAX_VALUE && matching.get((int) seq)) {
				if (total[0] >= from && seqs.size() < size) {
					seqs.add(seq);
				}
				total[0]++;
			}
		});
		return new ItemPage(seqs, total[0], page, size);
	}

	/** The record number of a run's item by its id, if it has one. */
	public Optional<Long> itemSeq(long runId, String itemId) {
		return this.client.sql("select min(item_seq) from dmr_conversation where run_id = ? and item_id = ?")
			.params(runId, itemId)
			.query((rs, row) -> rs.getObject(1, Long.class))
			.list()
			.stream()
			.filter(java.util.Objects::nonNull)
			.findFirst();
	}

	/** A conversation as a watcher of the run sees it stored. */
	public record StoredItem(long seq, String id, String model, int repetition, String status) {

		public AnswerKey answerKey() {
			return new AnswerKey(this.seq, this.model, this.repetition);
		}

	}

	/** Conversations stored after a record number, in input order: what a watcher has not seen yet. */
	public List<StoredItem> storedAfter(long runId, long afterSeq, int limit) {
		return this.client
			.sql("select item_seq seq, item_id id, model, repetition, status from dmr_conversation where run_id = ? "
					+ "and item_seq > ? order by item_seq, model, repetition limit ?")
			.params(runId, afterSeq, limit)
			.query(new DataClassRowMapper<>(StoredItem.class))
			.list();
	}

	/**
	 * A call with the settings it was sent with, as JSON, where they change from call to call (a chat's {@code /set});
	 * {@code null} otherwise.
	 */
	public record SentCall(Conversation.Call call, String settings) {
	}

	/**
	 * One stored conversation with its model's turns and calls (a later evaluation's or a judge's aside), and the
	 * settings each call was sent with: a chat session's, or one a chat session continues.
	 */
	public record StoredConversation(String model, List<Conversation.Turn> turns, List<SentCall> calls) {
	}

	/**
	 * A run's first conversation (a chat session's only one), or its first one of an item (its first model's).
	 * @param itemId the item's id, or {@code null} for the run's first conversation
	 */
	public Optional<StoredConversation> firstConversation(long runId, String itemId) {
		List<Object[]> keys = this.client
			.sql("select item_seq, model, repetition from dmr_conversation where run_id = ?"
					+ ((itemId != null) ? " and item_id = ?" : "") + " order by item_seq, model, repetition")
			.params((itemId != null) ? List.of(runId, itemId) : List.of(runId))
			.query((rs, row) -> new Object[] { rs.getLong(1), rs.getString(2), rs.getInt(3) })
			.list();
		if (keys.isEmpty()) {
			return Optional.empty();
		}
		long seq = (Long) keys.get(0)[0];
		String model = (String) keys.get(0)[1];
		int repetition = (Integer) keys.get(0)[2];
		List<Conversation.Turn> turns = this.client
			.sql("select * from dmr_message where run_id = ? and item_seq = ? and model = ? and repetition = ? "
					+ "order by position")
			.params(runId, seq, model, repetition)
			.query((rs, row) -> turn(rs))
			.list();
		List<SentCall> calls = this.client
			.sql("select * from dmr_call where run_id = ? and item_seq = ? and model = ? and repetition = ? "
					+ "and evaluation is null order by step_index, answer")
			.params(runId, seq, model, repetition)
			.query((rs, row) -> new SentCall(call(rs), rs.getString("settings")))
			.list();
		return Optional.of(new StoredConversation(model, new ArrayList<>(turns), new ArrayList<>(calls)));
	}

	/**
	 * Records a chat session: its run, and what marks it as a session (and links it to the run and item it continues,
	 * if any). In the caller's transaction, with {@link #saveSession}.
	 */
	public void createSession(RunRecord run, Long sourceRunId, String sourceItemId) {
		registerRun(run);
		this.client
			.sql("insert into dmr_chat_session (run_id, source_run_id, source_item_id, updated_at) values (?, ?, ?, ?)")
			.params(run.id(), sourceRunId, sourceItemId, Timestamp.from(Instant.now()))
			.update();
	}

	/**
	 * Writes a chat session's conversation again as it stands (record 1, its turns and calls, each call with its
	 * settings), with its run's name, folder and settings. In the caller's transaction: a kill loses at most the turn
	 * being answered.
	 */
	public void saveSession(RunRecord run, Conversation conversation, List<String> callSettings) {
		long id = run.id();
		for (String table : List.of("dmr_call", "dmr_message", "dmr_conversation")) {
			this.client.sql("delete from " + table + " where run_id = ?").param(id).update();
		}
		insert(id, List.of(conversation), (c, call) -> callSettings.get(call));
		this.client.sql("update dmr_run set label = ?, output_dir = ?, settings = ? where id = ?")
			.params(run.label(), run.outputDir(), run.settings(), id)
			.update();
		this.client.sql("update dmr_chat_session set updated_at = ? where run_id = ?")
			.params(Timestamp.from(Instant.now()), id)
			.update();
	}

	/** The run and item a chat session continues. */
	public record SessionSource(long runId, String itemId) {
	}

	/** What a chat session continues, if it continues a run's conversation. */
	public Optional<SessionSource> sessionSource(long runId) {
		return this.client
			.sql("select source_run_id run_id, source_item_id item_id from dmr_chat_session where run_id = ? "
					+ "and source_run_id is not null")
			.param(runId)
			.query(new DataClassRowMapper<>(SessionSource.class))
			.optional();
	}

	/**
	 * A chat session as it is listed.
	 * @param model the model of its last call, or {@code null}
	 * @param continues the run and item it continues, or {@code null}
	 */
	public record SessionSummary(long id, String name, Instant updated, long answers, String model,
			SessionSource continues) {
	}

	/** The chat sessions, most recently changed first. */
	public List<SessionSummary> sessions() {
		return this.client.sql("select r.id, r.label, s.updated_at, s.source_run_id, s.source_item_id, "
				+ "(select count(*) from dmr_message m where m.run_id = r.id and m.role = 'assistant') answers, "
				+ "(select max(c.request_model) from dmr_call c where c.run_id = r.id and c.step_index = "
				+ "(select max(c2.step_index) from dmr_call c2 where c2.run_id = r.id)) model "
				+ "from dmr_run r join dmr_chat_session s on s.run_id = r.id order by s.updated_at desc, r.id desc")
			.query((rs, row) -> new SessionSummary(rs.getLong("id"), rs.getString("label"),
					rs.getTimestamp("updated_at").toInstant(), rs.getLong("answers"), rs.getString("model"),
					(rs.getObject("source_run_id") != null)
							? new SessionSource(rs.getLong("source_run_id"), rs.getString("source_item_id")) : null))
			.list();
	}

	/**
	 * One model's share of a run.
	 *
	 * @param latencyMillisAverage the average time of its answered conversations, all steps together
	 */
	public record ModelTotals(String model, long conversations, long ok, long failed, long promptTokens,
			long completionTokens, long latencyMillisAverage) {
	}

	/**
	 * One reason items of a run failed.
	 * @param error the error of its first item (at most 300 characters)
	 * @param count how many conversations failed for it
	 * @param ids the ids of its first three items, in input order
	 */
	public record FailureReason(String error, long count, List<String> ids) {
	}

	/** A failed item: which one, with which model, and why. */
	public record Failure(long itemSeq, String itemId, String model, String error) {
	}

	/** A figure each conversation has, that the report charts. */
	public enum Measure {

		LATENCY_MS("latency_ms"), COMPLETION_TOKENS("completion_tokens");

		private final String column;

		Measure(String column) {
			this.column = column;
		}

	}

	/**
	 * Counts in equal-width bins: bin {@code i} holds values from {@code lo + i * width} to {@code lo + (i + 1) *
	 * width - 1}.
	 */
	public record Histogram(long lo, long width, long[] counts) {

		public long total() {
			long total = 0;
			for (long count : this.counts) {
				total += count;
			}
			return total;
		}

	}

}
