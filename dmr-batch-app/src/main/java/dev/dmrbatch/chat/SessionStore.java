package dev.dmrbatch.chat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.ConversationStore.SentCall;
import dev.dmrbatch.conversation.ConversationStore.StoredConversation;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.conversation.TransientConflicts;
import dev.dmrbatch.history.RunHistory;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.run.plan.RunPlanner;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.JobRepository;
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

	private final TransactionTemplate transactions;

	private final JobRepository jobRepository;

	private final ConversationStore store;

	private final RunHistory history;

	private final DmrProperties properties;

	SessionStore(PlatformTransactionManager transactions, JobRepository jobRepository, ConversationStore store,
			RunHistory history, DmrProperties properties) {
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
		// job repository makes it in a transaction of its own, SERIALIZABLE: on PostgreSQL two sessions created at
		// once can be refused for a serialization conflict, and each transaction is run again whole when it is)
		Long id = (session.runId() == null) ? TransientConflicts.retried(() -> this.jobRepository
			.createJobInstance(JOB, new JobParametersBuilder().addString("session", UUID.randomUUID().toString())
				.toJobParameters())
			.getInstanceId()) : null;
		long runId = (id != null) ? id : session.runId();
		TransientConflicts.retried(() -> this.transactions.executeWithoutResult((status) -> {
			if (id != null) {
				create(session, id);
			}
			this.store.saveSession(run(session, runId), conversation(session),
					session.calls().stream().map(ConversationStore.SentCall::settings).toList());
		}));
		// the session knows its id once it is stored: a save that failed in the end creates it again next time
		if (id != null) {
			session.stored(id);
		}
	}

	private void create(ChatSession session, long id) {
		if (find(session.name()).isPresent()) {
			throw new RunException("there is a session named '" + session.name() + "' already");
		}
		this.store.createSession(run(session, id), session.sourceRunId(), session.sourceItemId());
	}

	/** The session's run as the store records it. */
	private RunRecord run(ChatSession session, long id) {
		String input = (session.sourceRunId() != null)
				? "run " + session.sourceRunId() + " item " + session.sourceItemId() : INPUT;
		return new RunRecord(id, JOB, session.name(), input, outputDir(session.name()), settingsJson(session.settings()),
				Instant.now());
	}

	/** The session's one conversation, record 1, as it stands. */
	private Conversation conversation(ChatSession session) {
		return Conversation.answered(1, session.name(), session.conversationModel(),
				session.turns(), session.calls().stream().map(ConversationStore.SentCall::call).toList())
			.withRunner(this.properties.baseUrl().toString());
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
		StoredConversation conversation = this.store.firstConversation(run.id(), null)
			.orElse(new StoredConversation(settings.name(), List.of(), List.of()));
		String lastModel = conversation.calls().isEmpty() ? conversation.model()
				: Optional.ofNullable(conversation.calls().get(conversation.calls().size() - 1).call().requestModel())
					.orElse(conversation.model());
		ChatSession session = new ChatSession(run.label(), settings.withName(lastModel));
		session.stored(run.id());
		session.conversationModel(conversation.model());
		// a plugin step's output is no message the model gave: the chat goes on without it
		conversation.turns().stream().filter(Conversation.Turn::isMessage).forEach(session.turns()::add);
		session.calls().addAll(conversation.calls());
		this.store.sessionSource(run.id()).ifPresent((source) -> session.source(source.runId(), source.itemId()));
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
		StoredConversation conversation = this.store.firstConversation(run.id(), item)
			.orElseThrow(() -> new RunException("run " + ((run.label() != null) ? run.label() : run.id()) + " ("
					+ run.jobName() + ") has no item with id '" + item + "'"));
		String chatModel = (model != null) ? model : conversation.model();
		ChatSession session = new ChatSession(name, settings.withName(chatModel));
		session.conversationModel(conversation.model());
		// a plugin step's output is no message the model gave: the chat goes on without it
		conversation.turns().stream().filter(Conversation.Turn::isMessage).forEach(session.turns()::add);
		// its calls as a chat records its own: without a reused answer's origin, log probabilities or a vector
		conversation.calls()
			.forEach((sent) -> session.calls().add(new SentCall(copied(sent.call()), null)));
		session.source(run.id(), item);
		return session;
	}

	private static Conversation.Call copied(Conversation.Call call) {
		return call.toBuilder().reusedFrom(null).logprobs(null).embedding(null).build();
	}

	/** The chat sessions, most recently changed first. */
	List<Summary> sessions() {
		return this.store.sessions()
			.stream()
			.map((s) -> new Summary(s.id(), s.name(), s.updated(), s.answers(), s.model(),
					(s.continues() != null) ? "run " + s.continues().runId() + " item " + s.continues().itemId() : null))
			.toList();
	}

	/** A session as {@code /sessions} lists it. */
	record Summary(long id, String name, Instant updated, long answers, String model, String continues) {
	}

	/** The folder of a session's exports and of the images the browser sent with it. */
	String outputDir(String name) {
		return this.properties.resolve("output/" + JOB + "/" + name).toAbsolutePath().toString();
	}

	/** The settings as JSON: the model's parameters, never the API key (they have none). */
	static String settingsJson(ModelSettings settings) {
		return JSON.writeValueAsString(settings);
	}

}
