package dev.dmrbatch.chat;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.history.RunHistory;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.run.plan.RunPlanner;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Chat sessions in the conversation store. A session is a run of the job {@value #JOB} (its label the session's
 * name, its id a Spring Batch job instance's like any run's) with one conversation, record 1, whose turns and calls
 * are written again in one transaction after every change: a kill loses at most the turn being answered.
 * {@code job=runs}, {@code job=show} and {@code job=export} see it as a run.
 */
@Component
class SessionStore {

	/** The job name of chat sessions in the store. */
	static final String JOB = "chat";

	/** The input of a session that continues no stored conversation, as the exports name a run's input. */
	static final String INPUT = "chat";

	private static final JsonMapper JSON = JsonMapper.shared();

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	private final JobRepository jobRepository;

	private final ConversationStore store;

	private final RunHistory history;

	private final DmrProperties properties;

	SessionStore(JdbcTemplate jdbc, PlatformTransactionManager transactions, JobRepository jobRepository,
			ConversationStore store, RunHistory history, DmrProperties properties) {
		this.jdbc = JdbcClient.create(jdbc);
		this.transactions = new TransactionTemplate(transactions);
		this.jobRepository = jobRepository;
		this.store = store;
		this.history = history;
		this.properties = properties;
	}

	/** @throws RunException when the name cannot be a session's */
	static String checkName(String name) {
		// a session's name names its output folder: it must not be able to leave output/chat/
		if (!RunPlanner.isLabel(name)) {
			throw new RunException("session name '" + name
					+ "' is not valid: use letters, digits, '.', '_' and '-' (it names the output folder)");
		}
		return name;
	}

	/** The stored session of that name. */
	Optional<RunRecord> find(String name) {
		return this.store.findRuns(JOB, name).stream().findFirst();
	}

	/** The store's record of a stored session. */
	RunRecord record(ChatSession session) {
		return this.store.findRun(session.runId()).orElseThrow();
	}

	/** Writes the session as it stands, creating it in the store the first time. */
	void save(ChatSession session) {
		// the id comes from Spring Batch's job instances, as a run's does, so no run and no session share one (the
		// job repository makes it in a transaction of its own)
		Long id = (session.runId() == null) ? this.jobRepository
			.createJobInstance(JOB, new JobParametersBuilder().addString("session", UUID.randomUUID().toString())
				.toJobParameters())
			.getInstanceId() : null;
		this.transactions.executeWithoutResult((status) -> {
			if (id != null) {
				create(session, id);
			}
			write(session);
		});
	}

	private void create(ChatSession session, long id) {
		if (find(session.name()).isPresent()) {
			throw new RunException("there is a session named '" + session.name() + "' already");
		}
		String input = (session.sourceRunId() != null)
				? "run " + session.sourceRunId() + " item " + session.sourceItemId() : INPUT;
		this.jdbc.sql("insert into dmr_run (id, job_name, label, input, output_dir, settings, created_at) "
				+ "values (?, ?, ?, ?, ?, ?, ?)")
			.params(id, JOB, session.name(), input, outputDir(session.name()), settingsJson(session.settings()),
					Timestamp.from(Instant.now()))
			.update();
		this.jdbc.sql("insert into dmr_chat_session (run_id, source_run_id, source_item_id, updated_at) "
				+ "values (?, ?, ?, ?)")
			.params(id, session.sourceRunId(), session.sourceItemId(), Timestamp.from(Instant.now()))
			.update();
		session.stored(id);
	}

	private void write(ChatSession session) {
		long id = session.runId();
		for (String table : List.of("dmr_call", "dmr_message", "dmr_conversation")) {
			this.jdbc.sql("delete from " + table + " where run_id = ?").param(id).update();
		}
		Timestamp now = Timestamp.from(Instant.now());
		this.jdbc.sql("insert into dmr_conversation (run_id, item_seq, model, item_id, status, error, prompt_tokens, "
				+ "completion_tokens, latency_ms, finished_at, runner) values (?, 1, ?, ?, ?, null, ?, ?, ?, ?, ?)")
			.params(id, session.conversationModel(), session.name(), Conversation.OK, session.promptTokens(),
					session.completionTokens(), session.latencyMillis(), now, this.properties.baseUrl().toString())
			.update();
		List<Conversation.Turn> turns = session.turns();
		for (int i = 0; i < turns.size(); i++) {
			Conversation.Turn turn = turns.get(i);
			this.jdbc.sql("insert into dmr_message (run_id, item_seq, model, position, role, step, content, reasoning, "
					+ "json_value) values (?, 1, ?, ?, ?, ?, ?, ?, ?)")
				.params(id, session.conversationModel(), i, turn.role(), turn.step(), turn.content(), turn.reasoning(),
						turn.json())
				.update();
		}
		java.util.Map<Integer, Integer> answers = new java.util.HashMap<>();
		for (ChatSession.SentCall sent : session.calls()) {
			Conversation.Call call = sent.call();
			int answer = answers.merge(call.stepIndex(), 1, Integer::sum);
			this.jdbc.sql("insert into dmr_call (run_id, item_seq, model, step_index, answer, step, finish_reason, "
					+ "prompt_tokens, completion_tokens, latency_ms, attempts, timings, system_fingerprint, error, "
					+ "skipped, request_model, ttft_ms, http_status, request_id, settings) "
					+ "values (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
				.params(id, session.conversationModel(), call.stepIndex(), answer, call.step(), call.finishReason(),
						call.promptTokens(), call.completionTokens(), call.latencyMillis(), call.attempts(),
						call.timings(), call.systemFingerprint(), call.error(), call.skipped(), call.requestModel(),
						call.ttftMillis(), call.httpStatus(), call.requestId(), sent.settings())
				.update();
		}
		this.jdbc.sql("update dmr_run set label = ?, output_dir = ?, settings = ? where id = ?")
			.params(session.name(), outputDir(session.name()), settingsJson(session.settings()), id)
			.update();
		this.jdbc.sql("update dmr_chat_session set updated_at = ? where run_id = ?").params(now, id).update();
	}

	/** Renames a session; a stored one is renamed in the store at once. */
	void rename(ChatSession session, String name) {
		checkName(name);
		Optional<RunRecord> taken = find(name);
		if (taken.isPresent() && !Long.valueOf(taken.get().id()).equals(session.runId())) {
			throw new RunException("there is a session named '" + name + "' already (/load " + name + " opens it)");
		}
		String before = session.name();
		session.rename(name);
		try {
			save(session);
		}
		catch (RuntimeException ex) {
			session.rename(before);
			throw ex;
		}
	}

	/** A name no stored session has: {@code chat-<date>-<time>}, with a number after it when taken. */
	private final java.util.Set<String> given = java.util.concurrent.ConcurrentHashMap.newKeySet();

	String newName() {
		String base = JOB + "-" + java.time.LocalDateTime.now()
			.format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", java.util.Locale.ROOT));
		String name = base;
		// a name given out here is not stored until its first answer: two new sessions in one second differ
		for (int n = 2; find(name).isPresent() || !this.given.add(name); n++) {
			name = base + "-" + n;
		}
		return name;
	}

	/**
	 * Loads a stored session.
	 * @param settings the settings to go on with, whose model the session's last call replaces
	 */
	ChatSession load(RunRecord run, ModelSettings settings) {
		Loaded conversation = conversation(run.id(), null)
			.orElse(new Loaded(settings.name(), List.of(), List.of()));
		String lastModel = conversation.calls().isEmpty() ? conversation.model()
				: Optional.ofNullable(conversation.calls().get(conversation.calls().size() - 1).call().requestModel())
					.orElse(conversation.model());
		ChatSession session = new ChatSession(run.label(), settings.withName(lastModel));
		session.stored(run.id());
		session.conversationModel(conversation.model());
		// a plugin step's output is no message the model gave: the chat goes on without it
		conversation.turns().stream().filter(Conversation.Turn::isMessage).forEach(session.turns()::add);
		session.calls().addAll(conversation.calls());
		this.jdbc.sql("select source_run_id, source_item_id from dmr_chat_session where run_id = ?")
			.param(run.id())
			.query((rs, row) -> {
				long source = rs.getLong(1);
				if (!rs.wasNull()) {
					session.source(source, rs.getString(2));
				}
				return null;
			})
			.list();
		return session;
	}

	/**
	 * A new, not yet stored session that continues a stored conversation of a run: its turns and calls copied, the
	 * run's own record left as it is.
	 * @param reference {@code <run id or label>:<item id>}
	 * @param model the model to go on with, {@code null} for the conversation's own
	 * @throws RunException when there is no such run or item
	 */
	ChatSession continueFrom(String reference, String name, ModelSettings settings, String model) {
		// run labels have no ':' (run=<label>), item ids may
		int colon = reference.indexOf(':');
		if (colon <= 0 || colon == reference.length() - 1) {
			throw new RunException("continue=" + reference + " must be <run id or label>:<item id>");
		}
		RunRecord run = this.history.find(reference.substring(0, colon));
		String item = reference.substring(colon + 1);
		Loaded conversation = conversation(run.id(), item)
			.orElseThrow(() -> new RunException("run " + ((run.label() != null) ? run.label() : run.id()) + " ("
					+ run.jobName() + ") has no item with id '" + item + "'"));
		String chatModel = (model != null) ? model : conversation.model();
		ChatSession session = new ChatSession(name, settings.withName(chatModel));
		session.conversationModel(conversation.model());
		// a plugin step's output is no message the model gave: the chat goes on without it
		conversation.turns().stream().filter(Conversation.Turn::isMessage).forEach(session.turns()::add);
		conversation.calls().forEach((call) -> session.calls().add(new ChatSession.SentCall(call.call(), null)));
		session.source(run.id(), item);
		return session;
	}

	/** The chat sessions, most recently changed first. */
	List<Summary> sessions() {
		return this.jdbc.sql("select r.id, r.label, s.updated_at, s.source_run_id, s.source_item_id, "
				+ "(select count(*) from dmr_message m where m.run_id = r.id and m.role = 'assistant') answers, "
				+ "(select max(c.request_model) from dmr_call c where c.run_id = r.id and c.step_index = "
				+ "(select max(c2.step_index) from dmr_call c2 where c2.run_id = r.id)) model "
				+ "from dmr_run r join dmr_chat_session s on s.run_id = r.id order by s.updated_at desc, r.id desc")
			.query((rs, row) -> new Summary(rs.getLong("id"), rs.getString("label"),
					rs.getTimestamp("updated_at").toInstant(), rs.getLong("answers"), rs.getString("model"),
					(rs.getObject("source_run_id") != null) ? "run " + rs.getLong("source_run_id") + " item "
							+ rs.getString("source_item_id") : null))
			.list();
	}

	/** A session as {@code /sessions} lists it. */
	record Summary(long id, String name, Instant updated, long answers, String model, String continues) {
	}

	/** One stored conversation: of a session (the run's only one) or of a run's item (its first model's). */
	private Optional<Loaded> conversation(long runId, String itemId) {
		List<Object[]> keys = this.jdbc.sql("select item_seq, model from dmr_conversation where run_id = ?"
				+ ((itemId != null) ? " and item_id = ?" : "") + " order by item_seq, model")
			.params((itemId != null) ? List.of(runId, itemId) : List.of(runId))
			.query((rs, row) -> new Object[] { rs.getLong(1), rs.getString(2) })
			.list();
		if (keys.isEmpty()) {
			return Optional.empty();
		}
		long seq = (Long) keys.get(0)[0];
		String model = (String) keys.get(0)[1];
		List<Conversation.Turn> turns = this.jdbc
			.sql("select role, step, content, reasoning, json_value from dmr_message where run_id = ? and item_seq = ? "
					+ "and model = ? order by position")
			.params(runId, seq, model)
			.query((rs, row) -> new Conversation.Turn(rs.getString(1), rs.getString(2), rs.getString(3),
					rs.getString(4), rs.getString(5)))
			.list();
		List<ChatSession.SentCall> calls = this.jdbc
			.sql("select * from dmr_call where run_id = ? and item_seq = ? and model = ? and evaluation is null "
				+ "order by step_index, answer")
			.params(runId, seq, model)
			.query((rs, row) -> new ChatSession.SentCall(new Conversation.Call(rs.getInt("step_index"),
					rs.getString("step"), rs.getString("finish_reason"), rs.getLong("prompt_tokens"),
					rs.getLong("completion_tokens"), rs.getLong("latency_ms"), rs.getInt("attempts"),
					rs.getString("timings"), rs.getString("system_fingerprint"), rs.getString("error"),
					rs.getBoolean("skipped"), rs.getString("request_model"), rs.getObject("ttft_ms", Long.class),
					rs.getObject("http_status", Integer.class), rs.getString("request_id")), rs.getString("settings")))
			.list();
		return Optional.of(new Loaded(model, new ArrayList<>(turns), new ArrayList<>(calls)));
	}

	private record Loaded(String model, List<Conversation.Turn> turns, List<ChatSession.SentCall> calls) {
	}

	private String outputDir(String name) {
		return this.properties.resolve("output/" + JOB + "/" + name).toAbsolutePath().toString();
	}

	/** The settings as JSON: the model's parameters, never the API key (they have none). */
	static String settingsJson(ModelSettings settings) {
		return JSON.writeValueAsString(settings);
	}

}
