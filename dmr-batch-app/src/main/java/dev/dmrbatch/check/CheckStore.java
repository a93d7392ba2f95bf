package dev.dmrbatch.check;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import dev.dmrbatch.conversation.AnswerKey;
import dev.dmrbatch.conversation.Conversation;
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
 * <p>
 * People's reviews of answers ({@link Review}, given in the web app) are verdicts too: one per item, model and step,
 * under the check key {@code <step>.human} and the evaluation number {@value #HUMAN}, with who gave it, when, and a
 * score. Every reader adds them to the latest evaluation, so they show in the exports, count in the pass rates and
 * are compared as any check is; a later evaluation ({@code job=check}) leaves them as they are. No quality gate
 * holds them.
 */
@Repository
public class CheckStore {

	/** The number of the evaluation given while the run answered. */
	public static final int DURING_RUN = ConversationStore.CHECKS_DURING_RUN;

	/** The evaluation number of people's reviews, which every reader adds to the latest evaluation. */
	public static final int HUMAN = -1;

	/** The name of a review's check: its key is {@code <step>.human}. */
	public static final String HUMAN_CHECK = "human";

	/** A review's place among an item's verdicts: after the job file's checks. */
	private static final int HUMAN_POSITION = 1_000_000;

	/** The most characters of a reason the store keeps. */
	public static final int REASON_LENGTH = 1000;

	/** The most of a grader's reply kept with its verdict (the column's size). */
	static final int JUDGE_REPLY_LENGTH = 100_000;

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
						item.repetition(), verdict.checkKey(), (position < 0) ? evaluation.checkKeys().size() : position, verdict.pass(),
						cut(verdict.reason()), cut(verdict.judgeReply(), JUDGE_REPLY_LENGTH) });
			}
		}
		if (!rows.isEmpty()) {
			this.jdbc.batchUpdate("insert into dmr_check (run_id, evaluation, item_seq, model, repetition, check_key, "
					+ "position, passed, reason, judge_reply) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows);
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

	/**
	 * A person's review of one step's answer: pass or fail, a score from 1 to 5 and a comment, each optional but
	 * one of them given; who gave it and when.
	 * @param pass the verdict; {@code null} for the score's ({@code 3} or more passes)
	 */
	public record Review(Boolean pass, Integer score, String comment, String reviewer, Instant at) {

		/** The verdict it stands for: as given, else the score's, else none. */
		public Boolean verdict() {
			return (this.pass != null) ? this.pass : (this.score != null) ? Boolean.valueOf(this.score >= 3) : null;
		}

		/** The reason its verdict shows in the exports: the score, the reviewer and the comment. */
		public String reason() {
			StringBuilder reason = new StringBuilder("reviewed by ").append(this.reviewer);
			if (this.score != null) {
				reason.append(", score ").append(this.score).append("/5");
			}
			if (this.comment != null && !this.comment.isBlank()) {
				reason.append(": ").append(this.comment.strip());
			}
			return reason.toString();
		}

	}

	/** A stored review, with the item, model, repetition ({@code repeat=}; 1 when asked once) and step it is of. */
	public record StoredReview(long itemSeq, String model, int repetition, String step, boolean pass, Integer score,
			String comment, String reviewer, Instant at) {

		/** The conversation reviewed. */
		public AnswerKey answerKey() {
			return new AnswerKey(this.itemSeq, this.model, this.repetition);
		}

	}

	/**
	 * Keeps a review of one step's answer in place of the one before it, if any.
	 * @throws IllegalArgumentException when it gives neither a verdict nor a score, or a score outside 1 to 5
	 */
	public void review(long runId, long itemSeq, String model, int repetition, String step, Review review) {
		if (review.score() != null && (review.score() < 1 || review.score() > 5)) {
			throw new IllegalArgumentException("score " + review.score() + " is not from 1 to 5");
		}
		Boolean verdict = review.verdict();
		if (verdict == null) {
			throw new IllegalArgumentException("a review needs pass or fail, or a score from 1 to 5");
		}
		String key = step + "." + HUMAN_CHECK;
		this.client.sql("delete from dmr_check where run_id = ? and evaluation = ? and item_seq = ? and model = ? "
				+ "and repetition = ? and check_key = ?")
			.params(runId, HUMAN, itemSeq, model, repetition, key)
			.update();
		String comment = (review.comment() != null && !review.comment().isBlank()) ? review.comment().strip() : null;
		this.client.sql("insert into dmr_check (run_id, evaluation, item_seq, model, repetition, check_key, position, "
				+ "passed, reason, reviewer, score, review_comment, reviewed_at) "
				+ "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			.params(runId, HUMAN, itemSeq, model, repetition, key, HUMAN_POSITION, verdict, cut(review.reason()),
					cut(review.reviewer(), 200), review.score(), cut(comment), Timestamp.from(review.at()))
			.update();
	}

	/** Takes back the review of one step's answer; whether there was one. */
	public boolean unreview(long runId, long itemSeq, String model, int repetition, String step) {
		return this.client.sql("delete from dmr_check where run_id = ? and evaluation = ? and item_seq = ? "
				+ "and model = ? and repetition = ? and check_key = ?")
			.params(runId, HUMAN, itemSeq, model, repetition, step + "." + HUMAN_CHECK)
			.update() > 0;
	}

	/** The reviews of the items with record numbers in {@code (fromSeq, toSeq]}, in input order. */
	public List<StoredReview> reviews(long runId, long fromSeq, long toSeq) {
		String suffix = "." + HUMAN_CHECK;
		return this.client.sql("select item_seq, model, repetition, check_key, passed, score, review_comment, reviewer, "
				+ "reviewed_at from dmr_check where run_id = ? and evaluation = ? and item_seq > ? and item_seq <= ? "
				+ "order by item_seq, model, repetition, check_key")
			.params(runId, HUMAN, fromSeq, toSeq)
			.query((rs, row) -> {
				String key = rs.getString("check_key");
				return new StoredReview(rs.getLong("item_seq"), rs.getString("model"), rs.getInt("repetition"),
						key.endsWith(suffix) ? key.substring(0, key.length() - suffix.length()) : key,
						rs.getBoolean("passed"), (Integer) rs.getObject("score", Integer.class),
						rs.getString("review_comment"), rs.getString("reviewer"),
						(rs.getTimestamp("reviewed_at") != null) ? rs.getTimestamp("reviewed_at").toInstant() : null);
			})
			.list();
	}

	/**
	 * Every run's pass rate: the verdicts that passed among all of its latest evaluation's and its reviews, by run
	 * id; a run without verdicts is absent.
	 */
	public Map<Long, CheckTotals> passRatesByRun() {
		Map<Long, CheckTotals> rates = new java.util.HashMap<>();
		this.jdbc.query("select c.run_id, count(*) n, sum(case when c.passed then 1 else 0 end) ok from dmr_check c "
				+ "where c.evaluation = " + HUMAN + " or c.evaluation = (select max(e.evaluation) from dmr_evaluation e "
				+ "where e.run_id = c.run_id and e.evaluation >= 0) group by c.run_id", (rs) -> {
					rates.put(rs.getLong("run_id"), new CheckTotals(null, null, rs.getLong("ok"), rs.getLong("n")));
				});
		return rates;
	}

	/** Deletes a run's evaluations, verdicts and reviews (the run is deleted). */
	public void deleteRun(long runId) {
		this.client.sql("delete from dmr_check where run_id = ?").param(runId).update();
		this.client.sql("delete from dmr_evaluation where run_id = ?").param(runId).update();
	}

	/** The number of a run's latest evaluation; empty when its checks were never evaluated. */
	public Optional<Integer> latestEvaluation(long runId) {
		return this.client.sql("select max(evaluation) from dmr_evaluation where run_id = ? and evaluation >= 0")
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
			for (JsonNode check : JsonMapper.shared().readTree(checks)) {
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
		List<String> keys = new ArrayList<>(latestEvaluation(runId).flatMap((number) -> evaluation(runId, number))
			.map(Evaluation::checkKeys)
			.orElse(List.of()));
		for (String key : this.client
			.sql("select distinct check_key from dmr_check where run_id = ? and evaluation = ? order by check_key")
			.params(runId, HUMAN)
			.query(String.class)
			.list()) {
			if (!keys.contains(key)) {
				keys.add(key);
			}
		}
		return keys;
	}

	/**
	 * Streams the verdicts of a run's latest evaluation, one item and model at a time, in input order (item, then
	 * model, then repetition), each item's verdicts in the job file's order of the checks.
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
		int latest = latestEvaluation(runId).orElse(HUMAN);
		ItemVerdicts[] current = new ItemVerdicts[1];
		this.jdbc.query("select item_seq, model, repetition, check_key, passed, reason, judge_reply from dmr_check "
				+ "where run_id = ? and evaluation in (?, ?) and item_seq > ? and item_seq <= ? "
				+ "order by item_seq, model, repetition, position, check_key",
				(rs) -> {
					long seq = rs.getLong("item_seq");
					String model = rs.getString("model");
					int repetition = rs.getInt("repetition");
					if (current[0] == null || current[0].itemSeq() != seq || !current[0].model().equals(model)
							|| current[0].repetition() != repetition) {
						if (current[0] != null) {
							action.accept(current[0]);
						}
						current[0] = new ItemVerdicts(seq, model, new ArrayList<>(), repetition);
					}
					current[0].verdicts()
						.add(new Verdict(rs.getString("check_key"), rs.getBoolean("passed"), rs.getString("reason"),
								rs.getString("judge_reply")));
				}, runId, latest, HUMAN, fromSeq, toSeq);
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
		int latest = latestEvaluation(runId).orElse(HUMAN);
		String group = byModel ? "check_key, model" : "check_key";
		String order = byModel ? "min(position), check_key, min(item_seq), model" : "min(position), check_key";
		return this.client
			.sql("select " + group + ", count(*) n, sum(case when passed then 1 else 0 end) ok from dmr_check "
					+ "where run_id = ? and evaluation in (?, ?) group by " + group + " order by " + order)
			.params(runId, latest, HUMAN)
			.query((rs, row) -> new CheckTotals(rs.getString("check_key"), byModel ? rs.getString("model") : null,
					rs.getLong("ok"), rs.getLong("n")))
			.list();
	}

	/**
	 * What gives each conversation of a run, streamed in input order, the verdicts of the run's latest evaluation on
	 * it: read a page of record numbers at a time, so memory holds one page of verdicts at most.
	 */
	public java.util.function.UnaryOperator<Conversation> latestVerdicts(long runId) {
		return new VerdictPages(this, runId);
	}

	/**
	 * The verdicts of a run's latest evaluation beside its conversations, read a page of record numbers at a time as
	 * the conversations stream past in input order, so memory holds one page of verdicts at most.
	 */
	private static final class VerdictPages implements java.util.function.UnaryOperator<Conversation> {

		private static final long PAGE = 1000;

		private final CheckStore store;

		private final long runId;

		private final Map<AnswerKey, List<Verdict>> page = new java.util.HashMap<>();

		private long from = -1;

		VerdictPages(CheckStore store, long runId) {
			this.store = store;
			this.runId = runId;
		}

		@Override
		public Conversation apply(Conversation conversation) {
			long seq = conversation.itemSeq();
			if (this.from < 0 || seq <= this.from || seq > this.from + PAGE) {
				this.from = ((seq - 1) / PAGE) * PAGE;
				this.page.clear();
				for (ItemVerdicts item : this.store.latestIn(this.runId, this.from, this.from + PAGE)) {
					this.page.put(item.answerKey(), item.verdicts());
				}
			}
			List<Verdict> verdicts = this.page.getOrDefault(AnswerKey.of(conversation), List.of());
			return conversation.withVerdicts(verdicts, List.of());
		}

	}

}
