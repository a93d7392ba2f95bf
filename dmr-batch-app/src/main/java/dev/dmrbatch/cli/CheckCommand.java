package dev.dmrbatch.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import dev.dmrbatch.check.CheckStore;
import dev.dmrbatch.check.CheckTotals;
import dev.dmrbatch.check.Evaluation;
import dev.dmrbatch.check.Grader;
import dev.dmrbatch.check.ItemVerdicts;
import dev.dmrbatch.check.JobChecks;
import dev.dmrbatch.conversation.AnswerKey;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.export.Exports;
import dev.dmrbatch.history.RunHistory;
import dev.dmrbatch.input.InputItem;
import dev.dmrbatch.input.InputReaders;
import dev.dmrbatch.model.LoadGate;
import dev.dmrbatch.model.ModelCallException;
import dev.dmrbatch.model.RunnerClients;
import dev.dmrbatch.prompt.StepAnswer;
import dev.dmrbatch.run.job.OutputFolders;
import dev.dmrbatch.run.job.RunOutcome;
import dev.dmrbatch.run.pipeline.ConversationProcessor;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.run.plan.RunPlan;
import dev.dmrbatch.run.plan.RunPlanner;
import dev.dmrbatch.run.plan.RunRequest;
import dev.dmrbatch.text.SafeText;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code job=check run=<id|label>}: evaluates the job file's current checks again on a stored run, without asking the
 * answering model (a judge's grader is asked), and stores the verdicts as the run's next evaluation, all in one
 * transaction, so an interrupted check leaves the run's latest evaluation as it was. The run's answers never change;
 * its exports are written again from the store and show the new evaluation. The items' fields, which an expected value
 * or a rubric may use, are read again from the run's input.
 */
@Component
@Order(15)
class CheckCommand implements Command {

	private static final JsonMapper JSON = JsonMapper.shared();

	private final RunHistory history;

	private final RunPlanner planner;

	private final ConversationStore store;

	private final CheckStore checkStore;

	private final RunnerClients clients;

	private final Exports exports;

	private final OutputFolders folders;

	private final TransactionTemplate transaction;

	CheckCommand(RunHistory history, RunPlanner planner, ConversationStore store, CheckStore checkStore,
			RunnerClients clients, Exports exports, OutputFolders folders, PlatformTransactionManager transactions) {
		this.history = history;
		this.planner = planner;
		this.store = store;
		this.checkStore = checkStore;
		this.clients = clients;
		this.exports = exports;
		this.folders = folders;
		this.transaction = new TransactionTemplate(transactions);
	}

	@Override
	public String name() {
		return "check";
	}

	/** The job failed, as a run's exit code 5: the graders' runner went away. */
	private static final int FAILED = 5;

	@Override
	public Set<String> arguments() {
		return Set.of("run");
	}

	@Override
	public String usage() {
		return "job=check run=<id|label>";
	}

	@Override
	public int run(Arguments arguments) throws Exception {
		String which = arguments.get("run");
		if (which == null) {
			throw new RunException("job=check needs run=<run id or label> (the summary of a run names it)");
		}
		RunRecord run = this.history.find(which);
		String state = this.history.summary(run).status();
		if (!"COMPLETED".equals(state)) {
			// a run that goes on would add verdicts to its first evaluation, behind the one made here
			throw new RunException(run.jobName() + " run " + ((run.label() != null) ? run.label() : run.id()) + " is "
					+ state + ", not finished: finish it (the command that started it resumes it), then check it");
		}
		// the job file as it is now: its checks, its input's format and id, its variables
		RunPlan plan = this.planner.plan(RunRequest.of(run.jobName()).input(run.input()).label(run.label()).build());
		JobChecks checks = plan.checks();
		String name = run.jobName() + " run " + ((run.label() != null) ? run.label() : run.id());
		if (checks.isEmpty()) {
			throw new RunException("the job file of " + name + " has no checks to evaluate: add checks: to its steps");
		}
		Grader grader = grader(plan, checks);
		Judging judging = new Judging(checks.graderModels().isEmpty() ? 1 : plan.lanes().get(0).concurrency());
		ItemStreamReader<InputItem> input = InputReaders.reader(plan.input());
		input.open(new ExecutionContext());
		try {
			InputItem[] item = { input.read() };
			this.store.forEach(run.id(), (conversation) -> {
				while (item[0] != null && item[0].seq() < conversation.itemSeq()) {
					item[0] = read(input);
				}
				if (!conversation.isOk() || judging.failed() != null) {
					return; // a failed item has no verdicts, as during the run
				}
				if (item[0] == null || item[0].seq() != conversation.itemSeq()
						|| !item[0].id().equals(conversation.itemId())) {
					// checks see the item's fields: another row in its place would be judged against the wrong data
					throw new RunException("input " + plan.input().display() + " changed since " + name + ": record "
							+ conversation.itemSeq() + " was '" + SafeText.excerpt(conversation.itemId(), 60) + "', it is "
							+ ((item[0] == null || item[0].seq() != conversation.itemSeq()) ? "gone"
									: "'" + SafeText.excerpt(item[0].id(), 60) + "'")
							+ "; check the run against the input it was made from");
				}
				Map<String, Object> model = ConversationProcessor.model(item[0], plan.vars(), answers(conversation));
				judging.submit(conversation.itemSeq(), conversation.model(), conversation.repetition(),
						() -> checks.evaluate(model, conversation.calls(), grader));
			});
			judging.finish();
		}
		catch (ModelCallException ex) {
			// the grader's runner went away: something ran and failed, as a failed run (exit 5), nothing stored
			Console.error(name + " was not checked: " + ex.getMessage() + "; nothing was stored, run job=check again");
			return FAILED;
		}
		finally {
			judging.close();
			input.close();
		}
		List<ItemVerdicts> verdicts = judging.verdicts();
		Map<AnswerKey, List<Conversation.Call>> calls = judging.calls();
		Evaluation evaluation = this.transaction.execute((status) -> {
			Evaluation begun = this.checkStore.beginNew(run.id(), checks.keys(), checks.definitions());
			this.checkStore.saveAll(begun, verdicts);
			calls.forEach((key, made) -> this.store.addCheckCalls(run.id(), begun.number(), key.itemSeq(), key.model(),
					key.repetition(), made));
			return begun;
		});
		List<CheckTotals> totals = this.checkStore.passCounts(run.id());
		Console.out(name + " checked again (evaluation " + evaluation.number() + "): " + verdicts.size()
				+ " conversations, " + checks.keys().size() + " checks; the answers are unchanged");
		RunOutcome.checkLines(totals).forEach(Console::out);
		this.folders.claim(Path.of(run.outputDir()), run.id(), run.jobName(), run.label());
		Exports.Written written = this.exports.write(run, plan.job().exportsOrDefault(), plan.job().layoutsOrEmpty(),
				plan.jsonColumns(), plan.job()::exportOptions);
		written.files().forEach((file) -> Console.out("exports: " + file));
		written.warnings().forEach(Console::warning);
		String gate = RunOutcome.gateLine(totals, checks.minPassRates());
		if (gate != null) {
			Console.error(gate);
		}
		// as a run's own exit code: failed items first, then the gate
		if (this.store.totals(run.id()).failed() > 0) {
			return 3;
		}
		return (gate != null) ? RunOutcome.GATE_NOT_MET : 0;
	}

	/**
	 * The conversations' evaluations, in store order. With judges, as many at once as the runner's lane takes (the
	 * grader's load gate holds the same number), and at most twice that many conversations waiting; without, each
	 * is evaluated as it is read.
	 */
	private static final class Judging implements AutoCloseable {

		private record Evaluated(long seq, String model, int repetition, JobChecks.Evaluated result) {
		}

		private final ExecutorService pool;

		private final Semaphore waiting;

		private final Map<Integer, Evaluated> done = new ConcurrentSkipListMap<>();

		private final AtomicReference<RuntimeException> failure = new AtomicReference<>();

		private int submitted;

		Judging(int concurrency) {
			this.pool = (concurrency > 1) ? Executors.newFixedThreadPool(concurrency, (task) -> {
				Thread thread = new Thread(task, "judge");
				thread.setDaemon(true);
				return thread;
			}) : null;
			this.waiting = new Semaphore(Math.max(1, concurrency * 2));
		}

		RuntimeException failed() {
			return this.failure.get();
		}

		void submit(long seq, String model, int repetition, Supplier<JobChecks.Evaluated> evaluation) {
			int index = this.submitted++;
			if (this.pool == null) {
				this.done.put(index, new Evaluated(seq, model, repetition, evaluation.get()));
				return;
			}
			this.waiting.acquireUninterruptibly();
			this.pool.execute(() -> {
				try {
					if (this.failure.get() == null) {
						this.done.put(index, new Evaluated(seq, model, repetition, evaluation.get()));
					}
				}
				catch (RuntimeException ex) {
					this.failure.compareAndSet(null, ex);
				}
				finally {
					this.waiting.release();
				}
			});
		}

		/** Waits for the evaluations under way; rethrows the first that failed. */
		void finish() {
			if (this.pool != null) {
				this.pool.shutdown();
				try {
					while (!this.pool.awaitTermination(1, TimeUnit.SECONDS)) {
						// a grader takes as long as it takes; its request has its own timeout
					}
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new RunException("interrupted while the graders were answering; nothing was stored");
				}
			}
			if (this.failure.get() != null) {
				throw this.failure.get();
			}
		}

		List<ItemVerdicts> verdicts() {
			return this.done.values()
				.stream()
				.map((e) -> new ItemVerdicts(e.seq(), e.model(), e.result().verdicts(), e.repetition()))
				.toList();
		}

		/** The graders' calls per conversation. */
		Map<AnswerKey, List<Conversation.Call>> calls() {
			Map<AnswerKey, List<Conversation.Call>> calls = new LinkedHashMap<>();
			for (Evaluated e : this.done.values()) {
				if (!e.result().calls().isEmpty()) {
					calls.put(new AnswerKey(e.seq(), e.model(), e.repetition()), e.result().calls());
				}
			}
			return calls;
		}

		@Override
		public void close() {
			if (this.pool != null) {
				this.pool.shutdownNow();
			}
		}

	}

	/** Who asks the judges' graders: the run's first runner, once it has said it has their models. */
	private Grader grader(RunPlan plan, JobChecks checks) {
		RunPlan.Lane lane = plan.lanes().get(0);
		try {
			for (String model : checks.graderModels()) {
				this.clients.catalog(lane.url()).require(model);
			}
		}
		catch (ModelCallException ex) {
			throw new RunException(ex.getMessage());
		}
		return new Grader(this.clients.chat(lane.url()), new LoadGate(lane.concurrency(), "graders", lane.pacing()),
				plan.retry());
	}

	private static InputItem read(ItemStreamReader<InputItem> input) {
		try {
			return input.read();
		}
		catch (RuntimeException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw new RunException("the run's input cannot be read: " + SafeText.firstLine(ex.getMessage()));
		}
	}

	/** Each answered step's answer as the checks see it, and the steps a {@code when:} skipped. */
	private static Map<String, Object> answers(Conversation conversation) {
		Map<String, Object> answers = new LinkedHashMap<>();
		for (Conversation.Call call : conversation.calls()) {
			if (call.skipped()) {
				answers.put(call.step(), StepAnswer.skippedStep());
			}
		}
		for (Conversation.Turn turn : conversation.turns()) {
			if (turn.isAnswer()) {
				Object json = (turn.json() != null) ? JSON.readValue(turn.json(), Object.class) : null;
				answers.put(turn.step(), new StepAnswer(turn.content(), turn.reasoning(), json, false));
			}
		}
		return answers;
	}

}
