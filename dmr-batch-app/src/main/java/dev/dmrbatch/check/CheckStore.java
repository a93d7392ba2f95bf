package dev.dmrbatch.check;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.Verdict;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The verdicts of a run's checks, in the conversation store's database (tables {@code dmr_evaluation} and
 * {@code dmr_check}), so the verdicts given during a run commit in the chunk's transaction with their conversations.
 * <p>
 * A run has evaluations: number {@value #DURING_RUN} holds the verdicts given while the run answered, each later
 * evaluation ({@code job=check}) the next number. Every reader here reads a run's <em>latest</em> evaluation: the one
 * with the highest number. A step that was not answered (skipped by its {@code when:}, or the item failed before it)
 * has no verdict, so it counts neither as passed nor as failed.
 */
@Repository
public class CheckStore {

	/** The number of the evaluation given while the run answered. */
	public static final int DURING_RUN = ConversationStore.CHECKS_DURING_RUN;

	/** The most characters of a reason the store keeps. */
	public static final int REASON_LENGTH = 1000;

	/** The most of a grader's reply kept with its verdict (the column's size). */
	static final int JUDGE_REPLY_LENGTH = 100_000;

	private static final JsonMapper JSON = JsonMapper.shared();

	private final JdbcTemplate jdbc;

	private final JdbcClient client;

	public CheckStore(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
		this.client = JdbcClient.create(jdbc);
	}

	/**
	 * Begins the evaluation given while a run answers ({@value #DURING_RUN}); a resumed run keeps the one its first
	 * execution began, with the definitions it had.
	 * @param checkKeys the checks, {@code <step>.<check>}, in the job file's order
	 * @param checks the checks' definitions as JSON text, or {@code null}
	 * @return the evaluation, to save verdicts to
	 */
	public Evaluation beginDuringRun(long runId, List<String> checkKeys, String checks) {
		Optional<Evaluation> existing = evaluation(runId, DURING_RUN);
		if (existing.isPresent()) {
			return new Evaluation(runId, DURING_RUN, existing.get().createdAt(), checkKeys, existing.get().checks());
		}
		Instant now = Instant.now();
		try {
			insertEvaluation(runId, DURING_RUN, now, checks);
		}
		catch (DuplicateKeyException ex) {
			// another process began it a moment ago
		}
		return new Evaluation(runId, DURING_RUN, now, checkKeys, checks);
	}

	/**
	 * Begins a new evaluation of a stored run, numbered one above its latest (1 when it has none yet).
	 * @param checkKeys the checks, {@code <step>.<check>}, in the job file's order
	 * @param checks the checks' definitions as JSON text, or {@code null}
	 */
	public Evaluation beginNew(long runId, List<String> checkKeys, String checks) {
		int number = Math.max(DURING_RUN, latestEvaluation(runId).orElse(DURING_RUN)) + 1;
		Instant now = Instant.now();
		insertEvaluation(runId, number, now, checks);
		return new Evaluation(runId, number, now, checkKeys, checks);
	}

	private void insertEvaluation(long runId, int number, Instant at, String checks) {
		this.client.sql("insert into dmr_evaluation (run_id, evaluation, created_at, checks) values (?, ?, ?, ?)")
			.params(runId, number, Timestamp.from(at), checks)
			.update();
	}

	/**
	 * Saves the verdicts on items of an evaluation; during a run, called by the chunk's writer inside the chunk's
	 * transaction. A verdict's position is its check's place in {@link Evaluation#checkKeys()}.
	 */
	public void saveAll(Evaluation evaluation, List<ItemVerdicts> items) {
		List<Object[]> rows = new ArrayList<>();
		for (ItemVerdicts item : items) {
			for (Verdict verdict : item.verdicts()) {
				int position = evaluation.checkKeys().indexOf(verdict.checkKey());
				rows.add(new Object[] { evaluation.runId(), evaluation.number(), item.itemSeq(), item.model(),
						verdict.checkKey(), (position < 0) ? evaluation.checkKeys().size() : position, verdict.pass(),
						cut(verdict.reason()), cut(verdict.judgeReply(), JUDGE_REPLY_LENGTH) });
			}
		}
		if (!rows.isEmpty()) {
			this.jdbc.batchUpdate("insert into dmr_check (run_id, evaluation, item_seq, model, check_key, position, "
					+ "passed, reason, judge_reply) values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows);
		}
	}

	/** Saves the verdicts on one item's conversation with one model; see {@link #saveAll}. */
	public void save(Evaluation evaluation, long itemSeq, String model, List<Verdict> verdicts) {
		saveAll(evaluation, List.of(new ItemVerdicts(itemSeq, model, verdicts)));
	}

	private static String cut(String reason) {
		return cut(reason, REASON_LENGTH);
	}

	/** A text within its column: a grader that rambles must not fail the chunk that stores its verdict. */
	private static String cut(String text, int length) {
		return (text == null || text.length() <= length) ? text : text.substring(0, length - 1) + "…";
	}

	/** The number of a run's latest evaluation; empty when its checks were never evaluated. */
	public Optional<Integer> latestEvaluation(long runId) {
		return this.client.sql("select max(evaluation) from dmr_evaluation where run_id = ?")
			.param(runId)
			.query(Integer.class)
			.optional();
	}

	/** A run's evaluations, oldest first, each with the checks it gave verdicts for. */
	public List<Evaluation> evaluations(long runId) {
		return this.client.sql("select evaluation from dmr_evaluation where run_id = ? order by evaluation")
			.param(runId)
			.query(Integer.class)
			.list()
			.stream()
			.map((number) -> evaluation(runId, number).orElseThrow())
			.toList();
	}

	/** One of a run's evaluations, with the checks it gave verdicts for in the job file's order. */
	public Optional<Evaluation> evaluation(long runId, int number) {
		List<String> keys = this.client
			.sql("select check_key from dmr_check where run_id = ? and evaluation = ? group by check_key "
					+ "order by min(position), check_key")
			.params(runId, number)
			.query(String.class)
			.list();
		return this.client.sql("select created_at, checks from dmr_evaluation where run_id = ? and evaluation = ?")
			.params(runId, number)
			.query((rs, row) -> new Evaluation(runId, number, rs.getTimestamp("created_at").toInstant(), keys,
					rs.getString("checks")))
			.optional();
	}

	/**
	 * The least pass rate the quality gate held each check of a run's latest evaluation to, by key, as its definitions
	 * recorded it; a check without one is absent.
	 */
	public Map<String, Double> minPassRates(long runId) {
		Map<String, Double> rates = new LinkedHashMap<>();
		String checks = latestEvaluation(runId).flatMap((number) -> evaluation(runId, number))
			.map(Evaluation::checks)
			.orElse(null);
		if (checks == null) {
			return rates;
		}
		try {
			for (JsonNode check : JSON.readTree(checks)) {
				if (check.path("key").isString() && check.path("min-pass-rate").isNumber()) {
					rates.put(check.path("key").asString(), check.path("min-pass-rate").asDouble());
				}
			}
		}
		catch (JacksonException ex) {
			// definitions written by hand or by another version: no gate known
		}
		return rates;
	}

	/** The checks of a run's latest evaluation, {@code <step>.<check>} in the job file's order; empty when none. */
	public List<String> checkKeys(long runId) {
		return latestEvaluation(runId).flatMap((number) -> evaluation(runId, number))
			.map(Evaluation::checkKeys)
			.orElse(List.of());
	}

	/**
	 * Streams the verdicts of a run's latest evaluation, one item and model at a time, in input order (item, then
	 * model), each item's verdicts in the job file's order of the checks.
	 */
	public void forEachLatest(long runId, Consumer<ItemVerdicts> action) {
		forEachLatestIn(runId, 0, Long.MAX_VALUE, action);
	}

	/**
	 * The verdicts of a run's latest evaluation on the items with record numbers in {@code (fromSeq, toSeq]}, as
	 * {@link #forEachLatest}: what an export reads beside a page of conversations.
	 */
	public List<ItemVerdicts> latestIn(long runId, long fromSeq, long toSeq) {
		List<ItemVerdicts> items = new ArrayList<>();
		forEachLatestIn(runId, fromSeq, toSeq, items::add);
		return items;
	}

	private void forEachLatestIn(long runId, long fromSeq, long toSeq, Consumer<ItemVerdicts> action) {
		Optional<Integer> latest = latestEvaluation(runId);
		if (latest.isEmpty()) {
			return;
		}
		ItemVerdicts[] current = new ItemVerdicts[1];
		this.jdbc.query("select item_seq, model, check_key, passed, reason, judge_reply from dmr_check "
				+ "where run_id = ? and evaluation = ? and item_seq > ? and item_seq <= ? "
				+ "order by item_seq, model, position, check_key",
				(rs) -> {
					long seq = rs.getLong("item_seq");
					String model = rs.getString("model");
					if (current[0] == null || current[0].itemSeq() != seq || !current[0].model().equals(model)) {
						if (current[0] != null) {
							action.accept(current[0]);
						}
						current[0] = new ItemVerdicts(seq, model, new ArrayList<>());
					}
					current[0].verdicts()
						.add(new Verdict(rs.getString("check_key"), rs.getBoolean("passed"), rs.getString("reason"),
								rs.getString("judge_reply")));
				}, runId, latest.get(), fromSeq, toSeq);
		if (current[0] != null) {
			action.accept(current[0]);
		}
	}

	/**
	 * How many answers passed each check in a run's latest evaluation, all models together, in the job file's order of
	 * the checks; empty when the run's checks were never evaluated.
	 */
	public List<CheckTotals> passCounts(long runId) {
		return totals(runId, false);
	}

	/**
	 * How many answers passed each check in a run's latest evaluation, per model: by check in the job file's order,
	 * then by model in the order the models first appear.
	 */
	public List<CheckTotals> passCountsByModel(long runId) {
		return totals(runId, true);
	}

	private List<CheckTotals> totals(long runId, boolean byModel) {
		Optional<Integer> latest = latestEvaluation(runId);
		if (latest.isEmpty()) {
			return List.of();
		}
		String group = byModel ? "check_key, model" : "check_key";
		String order = byModel ? "min(position), check_key, min(item_seq), model" : "min(position), check_key";
		return this.client
			.sql("select " + group + ", count(*) n, sum(case when passed then 1 else 0 end) ok from dmr_check "
					+ "where run_id = ? and evaluation = ? group by " + group + " order by " + order)
			.params(runId, latest.get())
			.query((rs, row) -> new CheckTotals(rs.getString("check_key"), byModel ? rs.getString("model") : null,
					rs.getLong("ok"), rs.getLong("n")))
			.list();
	}

}
