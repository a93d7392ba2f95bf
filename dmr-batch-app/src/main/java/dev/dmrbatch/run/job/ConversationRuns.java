package dev.dmrbatch.run.job;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import dev.dmrbatch.cache.CacheMode;
import dev.dmrbatch.config.Concurrency;
import dev.dmrbatch.config.RunnerEndpoint;
import dev.dmrbatch.check.Agreement;
import dev.dmrbatch.check.CheckStore;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.conversation.RunTotals;
import dev.dmrbatch.model.LoadGate;
import dev.dmrbatch.model.ModelCallException;
import dev.dmrbatch.model.RunnerClients;
import dev.dmrbatch.model.RunnerSlots;
import dev.dmrbatch.progress.ProgressListener;
import dev.dmrbatch.run.partition.RunnerLane;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.run.plan.RunPlan;
import dev.dmrbatch.run.plan.RunPlanner;
import dev.dmrbatch.run.plan.RunSpec;
import dev.dmrbatch.run.process.RunProcesses;
import dev.dmrbatch.text.SafeText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobExecutionAlreadyRunningException;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.stereotype.Component;

/**
 * Launches a planned run: checks the model with the runner, resumes the run if an earlier execution stopped or
 * failed, refuses to repeat a completed one, runs the job and sums it up.
 */
@Component
public class ConversationRuns {

	private static final Logger log = LoggerFactory.getLogger(ConversationRuns.class);

	private final ConversationJobFactory jobs;

	private final JobOperator jobOperator;

	private final JobRepository jobRepository;

	private final ConversationStore store;

	private final RunnerSlots slots;

	private final RunProcesses processes;

	private final RunnerClients clients;

	private final OutputFolders folders;

	private final CheckStore checkStore;

	private final RunPlanner planner;

	private final RemotePartitions remote;

	ConversationRuns(ConversationJobFactory jobs, JobOperator jobOperator, JobRepository jobRepository,
			ConversationStore store, RunnerClients clients, RunnerSlots slots, RunProcesses processes,
			OutputFolders folders, CheckStore checkStore, RunPlanner planner, RemotePartitions remote) {
		this.remote = remote;
		this.planner = planner;
		this.checkStore = checkStore;
		this.folders = folders;
		this.processes = processes;
		this.clients = clients;
		this.slots = slots;
		this.jobs = jobs;
		this.jobOperator = jobOperator;
		this.jobRepository = jobRepository;
		this.store = store;
	}

	/**
	 * The identifying parameters: the same job, input, model, variables, label and trial ({@code limit=},
	 * {@code sample=}) make the same run, which a second command resumes instead of starting again.
	 */
	static JobParameters parameters(RunPlan plan) {
		JobParametersBuilder builder = new JobParametersBuilder().addString("input", plan.input().display())
			.addString("model", plan.modelNames());
		if (plan.label() != null) {
			builder.addString("run", plan.label());
		}
		if (plan.input().trial() != null) {
			builder.addString("trial", plan.input().trial().name());
		}
		for (Map.Entry<String, Object> var : plan.vars().entrySet()) {
			builder.addString("var." + var.getKey(), String.valueOf(var.getValue()));
		}
		return builder.toJobParameters();
	}

	public RunOutcome run(RunPlan plan) throws Exception {
		return run(plan, null);
	}

	/**
	 * As {@link #run(RunPlan)}, telling {@code started} once the run is registered and its output folder claimed
	 * (not at all when it is refused or already complete).
	 */
	public RunOutcome run(RunPlan plan, java.util.function.Consumer<JobExecution> started) throws Exception {
		JobParameters parameters = parameters(plan);
		JobExecution last = this.jobRepository.getLastJobExecution(plan.jobName(), parameters);
		boolean resumed = false;
		if (last != null) {
			refuseIfStopping(plan, last);
			if (last.getStatus() == BatchStatus.COMPLETED) {
				return outcome(plan, last, true, false, null);
			}
			if (isRetry(last)) {
				// a retry of failed items that did not end: the same command takes it up again
				return retry(plan, this.store.findRun(last.getJobInstanceId()).orElseThrow(), started);
			}
			last = recoverIfAbandoned(plan, last);
			resumed = true;
			plan = asStarted(plan, last.getJobInstanceId());
		}
		// the output folder before the runners are asked anything; a new run's id, and so a run-<id> folder, is
		// known only once it starts: its folder is claimed then, before any step
		Long known = (last != null) ? last.getJobInstanceId() : null;
		if (known != null || plan.output() != null || plan.label() != null) {
			this.folders.check(this.jobs.outputFolder(plan, (known != null) ? known : 0), known);
		}
		if (plan.cluster()) {
			// the workers ask their own runners, each beside one; this process sends nothing to a runner
			this.remote.check(plan);
		}
		else {
			plan = checkRunners(plan);
		}
		List<RunnerLane> lanes = new java.util.ArrayList<>();
		try {
			for (RunPlan.Lane lane : plan.cluster() ? List.<RunPlan.Lane>of() : plan.lanes()) {
				lanes.add(openLane(plan, lane));
			}
			Before before = resumed ? before(last.getJobInstanceId(), plan.cache())
					: new Before(new RunTotals(0, 0, 0, 0, 0), 0);
			boolean restart = resumed;
			RunPlan planned = plan;
			RunOutcome[] ended = new RunOutcome[1];
			// the summary is made once, as the job ends, and goes into the run's log as it does to the console
			Job job = this.jobs.build(plan, lanes, (execution) -> {
				ended[0] = outcome(planned, execution, false, restart, before, lanes);
				logSummary(ended[0]);
			}, started);
			if (resumed) {
				long runId = last.getJobInstanceId();
				log.info("resuming run {} of {} ({} before): {} items already stored, continuing after record {}",
						runId, plan.jobName(), last.getStatus(), before.totals().conversations(),
						this.store.lastItemSeq(runId));
			}
			JobExecution execution;
			try {
				execution = this.jobOperator.start(job, parameters);
			}
			catch (JobExecutionAlreadyRunningException | ConcurrencyFailureException
					| DataIntegrityViolationException ex) {
				// another process started the same run between our look and our start: the repository refused us
				throw alreadyRunning(plan, (last != null) ? last.getJobInstanceId() : null,
						"started by another process a moment ago");
			}
			letGo(execution);
			for (Throwable failure : execution.getAllFailureExceptions()) {
				if (failure instanceof OutputFolderTakenException taken) {
					throw new RunException(taken.getMessage());
				}
			}
			return (ended[0] != null) ? ended[0] : outcome(plan, execution, false, resumed, before, lanes);
		}
		finally {
			lanes.forEach(RunnerLane::close);
		}
	}

	/**
	 * The job has ended (it runs on this thread): this process lets its execution go even if a listener before the one
	 * that does so failed, or the run would be refused as still ending until this process exits. A failure to do so
	 * is only logged: the run's outcome stands.
	 */
	private void letGo(JobExecution execution) {
		try {
			this.processes.forget(execution.getId());
		}
		catch (RuntimeException ex) {
			log.warn("execution {} could not be let go: {}", execution.getId(), SafeText.firstLine(ex.getMessage()));
		}
	}

	/**
	 * A run stopped (Ctrl-C, SIGTERM, the web app's stop) is marked STOPPED in the job repository as the stop is asked,
	 * while its process still answers and stores the requests in flight: resumed meanwhile, those items would be sent
	 * twice. Refused until that process has let the run go.
	 */
	private void refuseIfStopping(RunPlan plan, JobExecution last) {
		if (last.getStatus() == BatchStatus.COMPLETED || last.getStatus().isRunning()) {
			return;
		}
		Optional<RunProcesses.Owner> owner = this.processes.liveOwner(last.getId());
		List<String> partitions = owner.isPresent() ? List.of() : this.remote.stillRunning(last.getId());
		if (owner.isPresent() || !partitions.isEmpty()) {
			String who = owner.isPresent() ? owner.get().describe() : "workers running " + String.join(", ", partitions);
			throw new RunException("run " + last.getJobInstanceId() + " of " + plan.jobName() + " is still ending ("
					+ who + "): its requests in flight are being answered and stored; the same command resumes it "
					+ "once it has ended");
		}
	}

	/**
	 * A run's last execution left running: refused when its process is alive (on a shared database another host may
	 * be running it right now), recovered when that process is gone (killed).
	 */
	private JobExecution recoverIfAbandoned(RunPlan plan, JobExecution last) throws Exception {
		if (!last.getStatus().isRunning()) {
			return last;
		}
		Optional<RunProcesses.Owner> owner = this.processes.liveOwner(last.getId());
		if (owner.isPresent()) {
			throw alreadyRunning(plan, last.getJobInstanceId(), owner.get().describe());
		}
		log.warn("run {} of {} was left {} by a process that is gone; recovering it", last.getJobInstanceId(),
				plan.jobName(), last.getStatus());
		// a cluster run's workers may still be running some of its partitions: stopped first
		JobExecution settled = this.remote.settle(last);
		this.jobOperator.recover(settled);
		this.processes.forget(settled.getId());
		return settled;
	}

	/** The job parameter that marks an execution asking a run's failed conversations again. */
	static final String RETRY = "retry";

	private static boolean isRetry(JobExecution execution) {
		return execution.getJobParameters().getParameter(RETRY) != null;
	}

	/**
	 * The run {@code retry=failed} asks again: the job's run of the plan's label ({@code run=}, or a trial's), else
	 * the job's newest run; of the plan's input either way.
	 * @throws RunException when there is none
	 */
	public RunRecord toRetry(RunPlan plan) {
		String input = plan.input().display();
		List<RunRecord> runs = (plan.label() != null) ? this.store.findRuns(plan.jobName(), plan.label())
				: this.store.runs(plan.jobName());
		String which = (plan.label() != null) ? "run " + plan.label() + " of " + plan.jobName() : plan.jobName();
		if (runs.isEmpty()) {
			throw new RunException("there is no " + ((plan.label() != null) ? which : "run of " + which)
					+ " to retry (job=runs lists the runs)");
		}
		return runs.stream().filter((run) -> input.equals(run.input())).findFirst()
			.orElseThrow(() -> new RunException("retry=failed: " + ((plan.label() != null) ? which + " read input "
					+ SafeText.excerpt(String.valueOf(runs.get(0).input()), 200) + ", not " + input
					: "no run of " + which + " read input " + input) + " (input= names the run's input)"));
	}

	/**
	 * {@code retry=failed}: asks a completed run's failed conversations again (of an item with several models, only
	 * those of the models that failed), in a new execution of the same run, with the job file, templates and settings
	 * the run was started with, as a resume does ({@link #asStarted}). Each new conversation replaces the failed one,
	 * whose error the store keeps in the item's earlier attempts; then the run's exports are written again and its
	 * outcome is the run's as it now stands. A run with nothing failed sends nothing ({@link RunOutcome#alreadyComplete}).
	 * A retry that stopped or crashed is taken up by the next one, which finds what still failed in the store.
	 * @param run the run, whose label and output folder the plan takes
	 */
	public RunOutcome retry(RunPlan plan, RunRecord run, java.util.function.Consumer<JobExecution> started)
			throws Exception {
		long runId = run.id();
		String name = plan.jobName() + " run " + ((run.label() != null) ? run.label() : runId);
		JobInstance instance = this.jobRepository.getJobInstance(runId);
		JobExecution last = (instance != null) ? this.jobRepository.getLastJobExecution(instance) : null;
		if (last == null) {
			throw new RunException(name + " has no execution in the job repository: there is nothing to retry");
		}
		last = recoverIfAbandoned(plan, last);
		refuseIfStopping(plan, last);
		if (last.getStatus() != BatchStatus.COMPLETED && !isRetry(last)) {
			throw new RunException(name + " is " + last.getStatus().toString().toLowerCase(Locale.ROOT)
					+ ", not complete: the same command without retry=failed resumes it; retry=failed then asks its "
					+ "failed items again");
		}
		if (plan.cluster()) {
			throw new RunException("retry=failed asks the failed items from this process: give it without cluster=on");
		}
		plan = asStarted(plan.toBuilder().label(run.label())
			.output((run.outputDir() != null) ? Path.of(run.outputDir()) : plan.output())
			.build(), runId);
		java.util.SortedMap<Long, java.util.Set<dev.dmrbatch.conversation.Conversation.Key>> failed = this.store.failedItems(runId);
		if (failed.isEmpty() && last.getStatus() == BatchStatus.COMPLETED) {
			return outcome(plan, last, true, false, null);
		}
		plan = checkRunners(plan);
		RunnerLane lane = openLane(plan, plan.lanes().get(0));
		try {
			long retried = failed.values().stream().mapToLong(java.util.Set::size).sum();
			RunTotals totals = this.store.totals(runId);
			// the failed conversations asked again are replaced, not added: what failed now is counted afresh
			Before before = new Before(new RunTotals(totals.conversations() - retried, totals.ok(),
					totals.failed() - retried, totals.promptTokens(), totals.completionTokens()),
					before(runId, plan.cache()).tokensReceived());
			RunPlan planned = plan;
			RunOutcome[] ended = new RunOutcome[1];
			Job job = this.jobs.buildRetry(plan, lane, failed, (execution) -> {
				ended[0] = outcome(planned, execution, false, true, before, List.of(lane));
				logSummary(ended[0]);
			});
			log.info("retrying run {} of {}: {} failed conversations of {} items asked again", runId, plan.jobName(),
					retried, failed.size());
			// a completed job instance is never launched again: the retry is a new execution of the same run, made
			// and run here (its steps run in every execution), so the run keeps its id, history and exports
			JobParameters parameters = new JobParametersBuilder(last.getJobParameters())
				.addString(RETRY, "failed", false)
				.toJobParameters();
			JobExecution execution = this.jobRepository.createJobExecution(instance, parameters,
					new org.springframework.batch.infrastructure.item.ExecutionContext());
			if (started != null) {
				started.accept(execution);
			}
			job.execute(execution);
			letGo(execution);
			return (ended[0] != null) ? ended[0] : outcome(plan, execution, false, true, before, List.of(lane));
		}
		finally {
			lane.close();
		}
	}

	/**
	 * What a run holds for one of its runners while it runs (its client, worker threads and load gate); the caller
	 * closes it.
	 */
	public RunnerLane openLane(RunPlan plan, RunPlan.Lane lane) {
		if (!lane.pacing().isNone()) {
			log.info("at most {}{}, on top of the concurrency", lane.pacing().describe(),
					plan.isSpread() ? " to " + lane.url() : "");
		}
		return new RunnerLane(lane, this.clients.chat(lane.url()), workers(lane.concurrency()),
				new LoadGate(lane.concurrency(), plan.modelNames() + (plan.isSpread() ? " at " + lane.url() : ""),
						lane.pacing()));
	}

	/**
	 * A resumed run goes on with the job file, templates and request settings it was started with, whoever resumes
	 * it (a worker of the cluster too); a setting given at this launch that differs is refused. A run started before
	 * they were kept goes on as planned now, and keeps them from here on.
	 */
	public RunPlan asStarted(RunPlan plan, long runId) {
		if (plan.spec() == null) {
			return plan;
		}
		String run = "run " + ((plan.label() != null) ? plan.label() : runId) + " of " + plan.jobName();
		Optional<String> json = this.store.spec(runId);
		if (json.isEmpty()) {
			log.warn("{} was started by an earlier version, which kept no settings: it goes on with the job file and "
					+ "settings as they are now", run);
			return plan;
		}
		RunSpec kept = RunSpec.fromJson(json.get(), run);
		Map<String, String> templates = this.store.templates(runId);
		RunPlan resumed = this.planner.resume(plan, kept, templates, run);
		List<String> changed = new java.util.ArrayList<>();
		if (!kept.jobFile().equals(plan.spec().jobFile())) {
			changed.add("the job file");
		}
		if (!templates.equals(plan.prompts().sources())) {
			changed.add("the templates");
		}
		if (!kept.steps().equals(plan.stepSettings())) {
			changed.add("the request settings");
		}
		if (!changed.isEmpty()) {
			log.warn("{} goes on with the job file, templates and settings it was started with; changed since: {} "
					+ "(run=new starts a new run with them)", run, String.join(", ", changed));
		}
		return resumed;
	}

	/**
	 * Every runner must have the run's models: asking first turns a typo into one message instead of N failures.
	 * With several runners, one that does not answer at all is left out (the others take its share); one that
	 * answers without the model is a mistake to fix. Then each runner's {@code concurrency: auto} is resolved.
	 * A worker of the cluster checks its own runner so.
	 */
	public RunPlan checkRunners(RunPlan plan) {
		List<RunPlan.Lane> up = new java.util.ArrayList<>();
		for (RunPlan.Lane lane : plan.lanes()) {
			try {
				for (String model : plan.modelsUsed()) {
					this.clients.catalog(lane.url()).require(model);
				}
			}
			catch (ModelCallException ex) {
				if (plan.isSpread() && ex.status() == 0 && (ex.isTransient() || RunnerEndpoint.unresolved(ex))) {
					log.warn("runner {} does not answer ({}); the run goes on with the other runners", lane.url(),
							ex.getMessage());
					continue;
				}
				String message = RunnerEndpoint.unreachable(ex.getMessage(), ex);
				throw (ex.status() == 404) ? new UnknownModelException(message) : new RunException(message);
			}
			up.add(resolveConcurrency(plan, lane));
		}
		if (up.isEmpty()) {
			throw new RunException("none of the runners answers: " + String.join(", ",
					plan.lanes().stream().map((lane) -> lane.url().toString()).toList()));
		}
		return plan.withLanes(up);
	}

	/** {@code concurrency: auto}: the model's parallel slots where the runner tells, else the profile's setting. */
	private RunPlan.Lane resolveConcurrency(RunPlan plan, RunPlan.Lane lane) {
		String at = plan.isSpread() ? " at " + lane.url() : "";
		if (!lane.auto()) {
			if (plan.isSpread()) {
				log.info("concurrency {}{}", lane.concurrency(), at);
			}
			return lane;
		}
		Optional<Integer> slots = this.slots.of(lane.url(), plan.settings().name());
		if (slots.isPresent()) {
			log.info("concurrency auto: {}, the runner's parallel slots for {}{}", slots.get(), plan.settings().name(),
					at);
			return lane.resolved(Math.min(slots.get(), Concurrency.MAX));
		}
		log.info("concurrency auto: {}, from dmr.concurrency (the runner does not tell its slots; Docker Model Runner "
				+ "never does){}", lane.concurrency(), at);
		return lane.resolved(lane.concurrency());
	}

	private static RunException alreadyRunning(RunPlan plan, Long runId, String who) {
		return new RunException(((runId != null) ? "run " + runId + " of " + plan.jobName() : plan.jobName() + " with "
				+ "these parameters") + " is already running (" + who + "); a run is never run by two processes at "
				+ "once: wait for it to end, stop it, or give a new run=<label>");
	}

	private static ThreadPoolTaskExecutor workers(int concurrency) {
		ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
		executor.setCorePoolSize(concurrency);
		executor.setMaxPoolSize(concurrency);
		executor.setThreadNamePrefix("model-");
		executor.setWaitForTasksToCompleteOnShutdown(true);
		executor.setAwaitTerminationSeconds(30);
		executor.initialize();
		return executor;
	}

	/** The run's log ends as the console does: why items failed, why the run failed, and the summary. */
	private static void logSummary(RunOutcome outcome) {
		Logger runLog = LoggerFactory.getLogger(ProgressListener.RUN_LOG_ONLY);
		if (outcome.failuresLine() != null) {
			runLog.warn(outcome.failuresLine());
		}
		if (outcome.failure() != null) {
			runLog.error("the run {}: {}", outcome.status().toString().toLowerCase(Locale.ROOT), outcome.failure());
		}
		runLog.info(outcome.summaryLine());
		outcome.workers().forEach((worker) -> runLog.info("  " + worker.line()));
		if (outcome.cacheLine() != null) {
			runLog.info(outcome.cacheLine());
		}
		outcome.checkLines().forEach(runLog::info);
		if (outcome.gateLine() != null) {
			runLog.error(outcome.gateLine());
		}
	}

	/**
	 * What a run had before this execution.
	 * @param tokensReceived the completion tokens the runners sent it, those reused from the response cache aside
	 */
	private record Before(RunTotals totals, long tokensReceived) {
	}

	private Before before(long runId, CacheMode cache) {
		RunTotals totals = this.store.totals(runId);
		return new Before(totals, (cache != CacheMode.OFF) ? this.store.callTotals(runId).sentCompletionTokens()
				: totals.completionTokens());
	}

	/**
	 * @param before the run's totals before this execution; null for a run that was already complete
	 */
	private RunOutcome outcome(RunPlan plan, JobExecution execution, boolean alreadyComplete, boolean resumed,
			Before before) {
		return outcome(plan, execution, alreadyComplete, resumed, before, List.of());
	}

	/**
	 * @param lanes the runners this execution sent to: how they gave the repeated answers
	 */
	private RunOutcome outcome(RunPlan plan, JobExecution execution, boolean alreadyComplete, boolean resumed,
			Before before, List<RunnerLane> lanes) {
		long runId = execution.getJobInstanceId();
		RunTotals totals = this.store.totals(runId);
		RunRecord record = this.store.findRun(runId).orElse(null);
		String outputDir = (record != null) ? record.outputDir() : null;
		long answered = (before != null) ? totals.ok() - before.totals().ok() : 0;
		long failedNow = (before != null) ? totals.failed() - before.totals().failed() : 0;
		ConversationStore.CallTotals calls = (plan.cache() != CacheMode.OFF && !alreadyComplete)
				? this.store.callTotals(runId) : null;
		// the tokens this execution received from the runners: its rate is theirs over its time
		long received = (before == null) ? 0
				: ((calls != null) ? calls.sentCompletionTokens() : totals.completionTokens()) - before.tokensReceived();
		LocalDateTime start = execution.getStartTime();
		LocalDateTime end = (execution.getEndTime() != null) ? execution.getEndTime() : LocalDateTime.now();
		double seconds = (start != null) ? Duration.between(start, end).toMillis() / 1000.0 : 0;
		String exports = execution.getExecutionContext().containsKey("exports")
				? execution.getExecutionContext().getString("exports") : "";
		List<String> files = exports.isEmpty() ? List.of() : Arrays.asList(exports.split("\n"));
		String warnings = execution.getExecutionContext().containsKey(ConversationJobFactory.EXPORT_WARNINGS)
				? execution.getExecutionContext().getString(ConversationJobFactory.EXPORT_WARNINGS) : "";
		String failure = execution.getAllFailureExceptions()
			.stream()
			.map(SafeText::reason)
			.distinct()
			.reduce((a, b) -> a + "; " + b)
			.orElse(null);
		List<ConversationStore.FailureReason> reasons = (totals.failed() > 0 && !alreadyComplete)
				? this.store.failureReasons(runId, (record != null) ? record.input() : plan.input().display(),
						RunOutcome.REASONS)
				: List.of();
		return RunOutcome.of(plan.jobName(), runId, plan.label(), execution.getStatus(), totals)
			.execution(answered, failedNow, seconds, received)
			.exports((outputDir != null) ? Path.of(outputDir).toString() : null, files,
					warnings.isEmpty() ? List.of() : Arrays.asList(warnings.split("\n")))
			.failure(failure)
			.alreadyComplete(alreadyComplete)
			.resumed(resumed)
			.totalsBy(this.store.totalsByModel(runId), this.store.totalsByRunner(runId))
			.reasons(reasons)
			.checks(plan.checks().isEmpty() ? List.of() : this.checkStore.passCounts(runId),
					plan.checks().minPassRates())
			.calls(calls)
			.workers(this.remote.workers(runId))
			.agreement(alreadyComplete ? null : agreement(plan, runId, lanes))
			.build();
	}

	/**
	 * How the answers of a run that asks each item several times agree, read from the store with the checks' latest
	 * verdicts; {@code null} for a run that asks once.
	 */
	private Agreement.Totals agreement(RunPlan plan, long runId, List<RunnerLane> lanes) {
		// what the run stored says how often it asked, whatever this launch planned
		int repeat = Math.max(plan.repeat(), this.store.repetitions(runId));
		if (repeat <= 1) {
			return null;
		}
		Agreement agreement = Agreement.of(repeat, plan.checks());
		java.util.function.UnaryOperator<dev.dmrbatch.conversation.Conversation> verdicts = plan.checks().isEmpty()
				? java.util.function.UnaryOperator.identity() : this.checkStore.latestVerdicts(runId);
		this.store.forEach(runId, (stored) -> agreement.add(verdicts.apply(stored)));
		return agreement.totals()
			.askedAs(dev.dmrbatch.run.pipeline.RepeatChoices.describe(repeat,
					lanes.stream().map(RunnerLane::choices).toList()));
	}



}
