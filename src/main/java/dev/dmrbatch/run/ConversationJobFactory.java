package dev.dmrbatch.run;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.export.Exports;
import dev.dmrbatch.input.InputItem;
import dev.dmrbatch.input.InputReaders;
import dev.dmrbatch.model.ChatService;
import dev.dmrbatch.model.DmrProperties;
import dev.dmrbatch.model.LoadGate;
import dev.dmrbatch.model.ModelCallException;
import dev.dmrbatch.openaibatch.OpenAiBatch;
import dev.dmrbatch.progress.ProgressListener;
import dev.dmrbatch.progress.ProgressProperties;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.listener.ItemWriteListener;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.core.task.AsyncTaskExecutor;
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

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final JobRepository jobRepository;

	private final PlatformTransactionManager transactionManager;

	private final ChatService chat;

	private final ConversationStore store;

	private final Exports exports;

	private final DmrProperties properties;

	private final JobOperator jobOperator;

	private final ProgressProperties progress;

	private final OpenAiBatch openAiBatch;

	private final RunProcesses processes;

	ConversationJobFactory(JobRepository jobRepository, PlatformTransactionManager transactionManager,
			ChatService chat, ConversationStore store, Exports exports, DmrProperties properties,
			JobOperator jobOperator, ProgressProperties progress, OpenAiBatch openAiBatch, RunProcesses processes) {
		this.processes = processes;
		this.progress = progress;
		this.openAiBatch = openAiBatch;
		this.jobRepository = jobRepository;
		this.jobOperator = jobOperator;
		this.transactionManager = transactionManager;
		this.chat = chat;
		this.store = store;
		this.exports = exports;
		this.properties = properties;
	}

	public Job build(RunPlan plan, AsyncTaskExecutor workers, LoadGate gate) {
		ProgressListener progress = new ProgressListener(this.progress, this.store, plan.input(), plan.models().size(),
				(runId) -> outputFolder(plan, runId));
		return new JobBuilder(plan.jobName(), this.jobRepository).listener(new RunRegistration(plan))
			.listener(this.processes.listener())
			.listener(progress)
			.listener(new GracefulStop(this.jobOperator))
			.start(conversationStep(plan, workers, gate, progress))
			.next(exportStep(plan))
			.build();
	}

	private Step conversationStep(RunPlan plan, AsyncTaskExecutor workers, LoadGate gate,
			ItemWriteListener<List<Conversation>> progress) {
		ConversationWriter writer = new ConversationWriter(this.store, plan.skipLimit());
		Function<InputItem, List<Conversation>> conversations = plan.isOpenAiBatch()
				? this.openAiBatch.processor(plan.settings().name().equals(OpenAiBatch.PER_REQUEST) ? null
						: plan.settings().name(), plan.retry(), gate)
				: new ConversationProcessor(plan, this.chat, gate)::process;
		ConversationPipeline pipeline = new ConversationPipeline(InputReaders.reader(plan.input()),
				(item) -> {
					try {
						return conversations.apply(item);
					}
					catch (ModelCallException ex) {
						throw new RunnerUnavailableException(ex.getMessage(), ex);
					}
				}, workers, plan.concurrency(), plan.readAhead(), this.store);
		return new StepBuilder(CONVERSATION_STEP, this.jobRepository).<List<Conversation>, List<Conversation>>chunk(plan.chunkSize())
			.transactionManager(this.transactionManager)
			.reader(pipeline)
			.writer(writer)
			.listener(pipeline)
			.listener(writer)
			.listener(progress)
			.build();
	}

	private Step exportStep(RunPlan plan) {
		return new StepBuilder(EXPORT_STEP, this.jobRepository).tasklet((contribution, context) -> {
			long runId = context.getStepContext().getStepExecution().getJobExecution().getJobInstanceId();
			RunRecord run = this.store.findRun(runId).orElseThrow();
			List<Path> files = this.exports.write(run, plan.job().exportsOrDefault(), plan.job().layoutsOrEmpty(),
					plan.jsonColumns());
			context.getStepContext()
				.getStepExecution()
				.getJobExecution()
				.getExecutionContext()
				.putString("exports", String.join("\n", files.stream().map(Path::toString).toList()));
			return RepeatStatus.FINISHED;
		}, this.transactionManager).build();
	}

	/** The output folder: {@code output=} when given, else {@code output/<job>/<label or run-<id>>/}. */
	Path outputFolder(RunPlan plan, long runId) {
		if (plan.output() != null) {
			return plan.output();
		}
		String run = (plan.label() != null) ? plan.label() : "run-" + runId;
		return this.properties.resolve("output").resolve(plan.jobName()).resolve(run);
	}

	/** Records the run in the store when it first starts, with where its exports go. */
	private final class RunRegistration implements JobExecutionListener {

		private final RunPlan plan;

		RunRegistration(RunPlan plan) {
			this.plan = plan;
		}

		@Override
		public void beforeJob(JobExecution execution) {
			long runId = execution.getJobInstanceId();
			ConversationJobFactory.this.store.registerRun(new RunRecord(runId, this.plan.jobName(), this.plan.label(),
					this.plan.input().display(), outputFolder(this.plan, runId).toAbsolutePath().toString(),
					JSON.writeValueAsString((this.plan.models().size() == 1) ? this.plan.settings() : this.plan.models()),
					Instant.now()));
		}

	}

}
