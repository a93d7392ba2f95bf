package dev.dmrbatch.run.job;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

import dev.dmrbatch.cache.CachedCalls;
import dev.dmrbatch.cache.ResponseCache;
import dev.dmrbatch.check.CheckStore;
import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.export.Exports;
import dev.dmrbatch.input.InputItem;
import dev.dmrbatch.input.InputReaders;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.model.ChatService;
import dev.dmrbatch.model.ModelCallException;
import dev.dmrbatch.progress.ProgressListener;
import dev.dmrbatch.progress.ProgressProperties;
import dev.dmrbatch.run.partition.ItemRangePartitioner;
import dev.dmrbatch.run.partition.RangeReader;
import dev.dmrbatch.run.partition.RunnerLane;
import dev.dmrbatch.run.partition.RunnerLanesPartitionHandler;
import dev.dmrbatch.run.pipeline.ConversationPipeline;
import dev.dmrbatch.run.pipeline.ConversationProcessor;
import dev.dmrbatch.run.pipeline.RunnerUnavailableException;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.run.plan.RunPlan;
import dev.dmrbatch.run.process.GracefulStop;
import dev.dmrbatch.run.process.RunProcesses;
import dev.dmrbatch.step.StepKind;
import dev.dmrbatch.step.StepKinds;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.listener.ItemWriteListener;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Builds the Spring Batch job for a job file. Its name is the job file's, and its steps are always
 * {@value #CONVERSATION_STEP} and {@value #EXPORT_STEP}: names are the restart identity, so they never change.
 * <ol>
 * <li>{@value #CONVERSATION_STEP}: read items (restartable reader) ahead of the step and send each item's prompts on
 * the worker threads as slots free up ({@link ConversationPipeline}), store the finished conversations in input
 * order, a chunk per transaction;</li>
 * <li>{@value #EXPORT_STEP}: write the exports from the store, so they never hold the run in memory and can be
 * written again later.</li>
 * </ol>
 */
@Component
public class ConversationJobFactory {

	public static final String CONVERSATION_STEP = "conversations";

	public static final String EXPORT_STEP = "export";

	/** The step of an execution that asks a run's failed conversations again ({@code retry=failed}). */
	public static final String RETRY_STEP = "retry";

	/** The job's context key of the exports' warnings, one a line, for the run's summary. */
	static final String EXPORT_WARNINGS = "export-warnings";

	private static final JsonMapper JSON = JsonMapper.shared();

	private final JobRepository jobRepository;

	private final PlatformTransactionManager transactionManager;

	private final ChatService chat;

	private final ConversationStore store;

	private final Exports exports;

	private final DmrProperties properties;

	private final JobOperator jobOperator;

	private final ProgressProperties progress;

	private final RunProcesses processes;

	private final OutputFolders folders;

	private final ResponseCache cache;

	private final CheckStore checkStore;

	private final StepKinds stepKinds;

	private final RemotePartitions remote;

	ConversationJobFactory(JobRepository jobRepository, PlatformTransactionManager transactionManager,
			ChatService chat, ConversationStore store, Exports exports, DmrProperties properties,
			JobOperator jobOperator, ProgressProperties progress, RunProcesses processes,
			OutputFolders folders, ResponseCache cache, CheckStore checkStore, StepKinds stepKinds,
			RemotePartitions remote) {
		this.stepKinds = stepKinds;
		this.remote = remote;
		this.cache = cache;
		this.checkStore = checkStore;
		this.folders = folders;
		this.processes = processes;
		this.progress = progress;
		this.jobRepository = jobRepository;
		this.jobOperator = jobOperator;
		this.transactionManager = transactionManager;
		this.chat = chat;
		this.store = store;
		this.exports = exports;
		this.properties = properties;
	}

	/**
	 * @param ending what to do as the job ends, while the run's log is still open: its summary
	 */
	public Job build(RunPlan plan, List<RunnerLane> lanes, Consumer<JobExecution> ending) {
		return build(plan, lanes, ending, null);
	}

	/**
	 * @param ending what to do as the job ends, while the run's log is still open: its summary
	 * @param started told once the run is registered and its output folder claimed, or {@code null}
	 */
	public Job build(RunPlan plan, List<RunnerLane> lanes, Consumer<JobExecution> ending,
			Consumer<JobExecution> started) {
		ProgressListener progress = new ProgressListener(this.progress, this.store, plan.input(),
				plan.models().size() * plan.repeat(),
				(runId) -> outputFolder(plan, runId), ending);
		if (lanes.stream().anyMatch((lane) -> !lane.lane().pacing().isNone())) {
			progress.waitingOn(() -> lanes.stream().map((lane) -> lane.gate().waitingOn()).filter(Objects::nonNull)
				.findFirst().orElse(null));
		}
		Step conversations;
		if (plan.cluster()) {
			conversations = this.remote.managerStep(plan, new ItemRangePartitioner(plan.input()), progress);
		}
		else {
			List<StepKind> kinds = stepKinds(plan);
			conversations = (lanes.size() == 1)
					? conversationStep(CONVERSATION_STEP, plan, lanes.get(0), InputReaders.reader(plan.input()),
							Long.MAX_VALUE, progress, kinds)
					: spreadStep(plan, lanes, progress, kinds);
		}
		JobBuilder builder = new JobBuilder(plan.jobName(), this.jobRepository);
		builder.listener(new RunRegistration(plan));
		if (started != null) {
			builder.listener(new JobExecutionListener() {
				@Override
				public void beforeJob(JobExecution execution) {
					started.accept(execution);
				}
			});
		}
		return builder.listener(this.processes.listener())
			.listener(progress)
			.listener(new GracefulStop(this.jobOperator))
			.start(conversations)
			.next(exportStep(plan, false))
			.build();
	}

	/**
	 * The job of a new execution of a completed run that asks its failed conversations again ({@code retry=failed}):
	 * its step {@value #RETRY_STEP} reads the input's failed items ({@link FailedItemsReader}), asks each the models
	 * that failed it and stores the new conversations in place of the failed ones, through the first runner's lane;
	 * then {@value #EXPORT_STEP} writes the run's exports again from the store. Both run in every such execution.
	 * @param failed the models that failed, by record number
	 */
	public Job buildRetry(RunPlan plan, RunnerLane lane, java.util.SortedMap<Long, java.util.Set<Conversation.Key>> failed,
			Consumer<JobExecution> ending) {
		ProgressListener progress = new ProgressListener(this.progress, this.store, plan.input(),
				plan.models().size() * plan.repeat(),
				(runId) -> outputFolder(plan, runId), ending).replacing(failed.size());
		Step retry = conversationStep(RETRY_STEP, plan, lane,
				new FailedItemsReader(InputReaders.reader(plan.input()), failed), 0, progress, stepKinds(plan), failed);
		return new JobBuilder(plan.jobName(), this.jobRepository).listener(this.processes.listener())
			.listener(progress)
			.listener(new GracefulStop(this.jobOperator))
			.start(retry)
			.next(exportStep(plan, true))
			.build();
	}

	/**
	 * Several runners: the input in ranges of records, each a partition ({@code conversations:items-1-500}, ...)
	 * run by whichever runner's lane is free ({@link RunnerLanesPartitionHandler}).
	 */
	private Step spreadStep(RunPlan plan, List<RunnerLane> lanes, ItemWriteListener<List<Conversation>> progress,
			List<StepKind> kinds) {
		RunnerLanesPartitionHandler handler = new RunnerLanesPartitionHandler(lanes,
				(lane, partition) -> partitionStep(plan, lane, partition, progress, kinds), this.jobRepository);
		return new StepBuilder(CONVERSATION_STEP, this.jobRepository)
			.partitioner(CONVERSATION_STEP, new ItemRangePartitioner(plan.input()))
			.partitionHandler(handler)
			.build();
	}

	/**
	 * The step of one partition ({@code conversations:items-<first>-<last>}): the conversation step over the
	 * partition's range of records, resuming at its last commit. A runner's lane runs it here, a worker of the
	 * cluster ({@code dev.dmrbatch.cluster}) on its own runner.
	 * @param stored told of each chunk as it is committed
	 */
	public Step partitionStep(RunPlan plan, RunnerLane lane, StepExecution partition,
			ItemWriteListener<List<Conversation>> stored) {
		return partitionStep(plan, lane, partition, stored, stepKinds(plan));
	}

	private Step partitionStep(RunPlan plan, RunnerLane lane, StepExecution partition,
			ItemWriteListener<List<Conversation>> stored, List<StepKind> kinds) {
		ExecutionContext range = partition.getExecutionContext();
		long last = range.getLong(RangeReader.LAST);
		// a trial's range is of positions among its items, which keep the input's record numbers: its items stored
		// ahead are looked for past the range's end too (none of another partition is read here)
		long upTo = (plan.input().trial() != null) ? Long.MAX_VALUE : last;
		return conversationStep(partition.getStepName(), plan, lane,
				new RangeReader(InputReaders.reader(plan.input()), range.getLong(RangeReader.FIRST), last), upTo,
				stored, kinds);
	}

	/** What renders a dry run's requests ({@link ConversationProcessor#preview}): the run's processor, sending nothing. */
	ConversationProcessor dryProcessor(RunPlan plan, ChatService chat) {
		return new ConversationProcessor(plan, chat, null, null, stepKinds(plan));
	}

	/** Each step's type, in the job's order: looked up once for the plan, none for a built-in job. */
	private List<StepKind> stepKinds(RunPlan plan) {
		if (plan.builtIn() != null) {
			return List.of();
		}
		List<StepKind> kinds = new java.util.ArrayList<>();
		for (JobDefinition.Step step : plan.job().steps()) {
			StepKind kind = this.stepKinds.kind(step);
			if (kind == null) {
				throw new RunException("steps." + step.name() + ".type '" + step.type()
						+ "' is not a step type of any plugin");
			}
			kinds.add(kind);
		}
		return List.copyOf(kinds);
	}

	private Step conversationStep(String name, RunPlan plan, RunnerLane lane, ItemStreamReader<InputItem> input,
			long upTo, ItemWriteListener<List<Conversation>> progress, List<StepKind> kinds) {
		return conversationStep(name, plan, lane, input, upTo, progress, kinds, null);
	}

	/**
	 * @param retried the models and repetitions that failed, by record number, whose conversations this step replaces
	 * ({@code retry=failed}); {@code null} for a step that stores new items
	 */
	private Step conversationStep(String name, RunPlan plan, RunnerLane lane, ItemStreamReader<InputItem> input,
			long upTo, ItemWriteListener<List<Conversation>> progress, List<StepKind> kinds,
			java.util.SortedMap<Long, java.util.Set<Conversation.Key>> retried) {
		ConversationWriter writer = new ConversationWriter(this.store, plan.skipLimit(), this.checkStore, plan.checks(),
				retried != null);
		CachedCalls cached = (plan.builtIn() != null) ? null : CachedCalls.of(this.cache, plan.cache(), this.properties.apiKey());
		ConversationProcessor processor = (plan.builtIn() != null) ? null
				: new ConversationProcessor(plan, lane.chat(), lane.gate(), cached, kinds, lane.choices());
		Function<InputItem, List<Conversation>> conversations = (plan.builtIn() != null)
				? plan.builtIn().processor(plan, lane.gate())
				: (retried != null) ? (item) -> processor.process(item,
						(key) -> retried.getOrDefault(item.seq(), java.util.Set.of()).contains(key))
						: processor::process;
		String runner = lane.url();
		int concurrency = lane.lane().concurrency();
		ConversationPipeline pipeline = new ConversationPipeline(input, (item) -> {
			try {
				List<Conversation> answered = conversations.apply(item);
				if (answered == null) {
					return null;
				}
				List<Conversation> stamped = new java.util.ArrayList<>(answered.size());
				answered.forEach((c) -> stamped.add(c.withRunner(runner)));
				return stamped;
			}
			catch (ModelCallException ex) {
				throw new RunnerUnavailableException(ex.getMessage(), ex);
			}
		}, lane.workers(), concurrency, RunPlan.readAhead(concurrency), this.store, storedTogether(writer), upTo);
		var step = new StepBuilder(name, this.jobRepository).<List<Conversation>, List<Conversation>>chunk(
				RunPlan.chunkSize(concurrency))
			.transactionManager(this.transactionManager)
			.reader(pipeline)
			.writer(writer)
			.listener(pipeline)
			.listener(writer)
			.listener(progress)
			.allowStartIfComplete(retried != null);
		return (cached != null) ? step.listener(cached).build() : step.build();
	}

	/** @param again run in every execution, even after one that completed it ({@code retry=failed}) */
	private Step exportStep(RunPlan plan, boolean again) {
		return new StepBuilder(EXPORT_STEP, this.jobRepository).tasklet((contribution, context) -> {
			long runId = context.getStepContext().getStepExecution().getJobExecution().getJobInstanceId();
			RunRecord run = this.store.findRun(runId).orElseThrow();
			Exports.Written written = this.exports.write(run, plan.job().exportsOrDefault(),
					plan.job().layoutsOrEmpty(), plan.jsonColumns(), plan.job()::exportOptions);
			ExecutionContext job = context.getStepContext().getStepExecution().getJobExecution().getExecutionContext();
			job.putString("exports", String.join("\n", written.files().stream().map(Path::toString).toList()));
			job.putString(EXPORT_WARNINGS, String.join("\n", written.warnings()));
			return RepeatStatus.FINISHED;
		}, this.transactionManager).allowStartIfComplete(again).build();
	}

	/** The output folder: {@code output=} when given, else {@code output/<job>/<label or run-<id>>/}. */
	Path outputFolder(RunPlan plan, long runId) {
		if (plan.output() != null) {
			return plan.output();
		}
		String run = (plan.label() != null) ? plan.label() : "run-" + runId;
		return this.properties.resolve("output").resolve(plan.jobName()).resolve(run);
	}

	/**
	 * Claims the output folder for the run (a folder with another run's exports fails the run before any step) and
	 * records the run in the store when it first starts, with where its exports go.
	 */
	private final class RunRegistration implements JobExecutionListener {

		private final RunPlan plan;

		RunRegistration(RunPlan plan) {
			this.plan = plan;
		}

		@Override
		public void beforeJob(JobExecution execution) {
			long runId = execution.getJobInstanceId();
			ConversationJobFactory.this.folders.claim(outputFolder(this.plan, runId), runId, this.plan.jobName(),
					this.plan.label());
			ConversationJobFactory.this.store.registerRun(new RunRecord(runId, this.plan.jobName(), this.plan.label(),
					this.plan.input().display(), outputFolder(this.plan, runId).toAbsolutePath().toString(),
					JSON.writeValueAsString((this.plan.models().size() == 1) ? this.plan.settings() : this.plan.models()),
					Instant.now()));
			if (this.plan.prompts() != null) {
				ConversationJobFactory.this.store.saveTemplates(runId, this.plan.prompts().sources());
			}
			if (this.plan.spec() != null) {
				ConversationJobFactory.this.store.saveSpec(runId, this.plan.spec().toJson());
			}
		}

	}

	/**
	 * How the conversations read ahead are stored when a step ends (outside any chunk): in one transaction, as a
	 * chunk's are, so a stop or a failure in the middle leaves all of them or none (a retry's replaced conversation
	 * never loses its earlier one without the new one).
	 */
	private java.util.function.Consumer<List<Conversation>> storedTogether(ConversationWriter writer) {
		org.springframework.transaction.support.TransactionTemplate transaction =
				new org.springframework.transaction.support.TransactionTemplate(this.transactionManager);
		return (conversations) -> transaction.executeWithoutResult((status) -> writer.store(conversations));
	}

}
