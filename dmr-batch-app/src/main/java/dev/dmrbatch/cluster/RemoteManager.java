package dev.dmrbatch.cluster;

import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunTotals;
import dev.dmrbatch.progress.ProgressListener;
import dev.dmrbatch.run.job.ConversationJobFactory;
import dev.dmrbatch.run.partition.RunnerLanesPartitionHandler;
import dev.dmrbatch.run.plan.RunPlan;
import dev.dmrbatch.run.process.GracefulStop;
import dev.dmrbatch.text.Causes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.AmqpException;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.integration.partition.RemotePartitioningManagerStepBuilder;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.messaging.Message;

/**
 * The {@code conversations} step of a cluster run, on its manager: Spring Batch's remote partitioning
 * ({@link RemotePartitioningManagerStepBuilder}) cuts the input into ranges of records, as the local partitioned step
 * does ({@code conversations:items-<first>-<last>}, {@value RunnerLanesPartitionHandler#PARTITIONS_PER_RUNNER} per
 * worker alive at the start, at least two workers' worth), sends a request per partition through the broker, and
 * polls the job repository until every partition has ended. Beside it, a watcher shows the items the workers stored,
 * says when partitions wait with no worker taking them, and, when the run is asked to stop, ends the partitions no
 * worker has taken, so that the stop does not wait for workers that may never come.
 */
final class RemoteManager implements StepExecutionListener {

	private static final Logger log = LoggerFactory.getLogger(RemoteManager.class);

	/** The partition's context key of the run's cache mode ({@code cache=} at launch), which the workers follow. */
	static final String CACHE = "cluster.cache";

	/** How long partitions may wait with no worker taking them before the manager says so (and again as often). */
	static final long QUIET_MILLIS = 30_000;

	private final Broker broker;

	private final DmrProperties.Cluster settings;

	private final JobRepository jobRepository;

	private final ConversationStore store;

	private final PartitionTakes takes;

	private final RunPlan plan;

	private final ProgressListener progress;

	private volatile Messaging messaging;

	private ScheduledExecutorService watcher;

	private long tokensBefore;

	private long lastActivity;

	private long lastSaid;

	private long storedBefore = -1;

	RemoteManager(Broker broker, DmrProperties.Cluster settings, JobRepository jobRepository, ConversationStore store,
			PartitionTakes takes, RunPlan plan, ProgressListener progress) {
		this.broker = broker;
		this.settings = settings;
		this.jobRepository = jobRepository;
		this.store = store;
		this.takes = takes;
		this.plan = plan;
		this.progress = progress;
	}

	Step step(Partitioner ranges) {
		int workers = Math.max(2, this.takes.liveWorkers());
		String cache = this.plan.cache().name();
		Partitioner partitioner = (gridSize) -> {
			Map<String, ExecutionContext> partitions = ranges.partition(gridSize);
			partitions.values().forEach((context) -> context.putString(CACHE, cache));
			return partitions;
		};
		return new RemotePartitioningManagerStepBuilder(ConversationJobFactory.CONVERSATION_STEP, this.jobRepository)
			.partitioner(ConversationJobFactory.CONVERSATION_STEP, partitioner)
			.gridSize(RunnerLanesPartitionHandler.PARTITIONS_PER_RUNNER * workers)
			.outputChannel(this::send)
			.pollInterval(this.settings.pollInterval().toMillis())
			.listener(this)
			.build();
	}

	/** A partition's request, to the broker; the messaging opens with the first. */
	private boolean send(Message<?> request, long timeout) {
		try {
			Messaging open = this.messaging;
			if (open == null) {
				synchronized (this) {
					if (this.messaging == null) {
						this.messaging = Messaging.manager(this.broker);
					}
					open = this.messaging;
				}
			}
			return open.requests().send(request, timeout);
		}
		catch (AmqpException ex) {
			throw this.broker.unreachable(ex);
		}
		catch (RuntimeException ex) {
			AmqpException amqp = Causes.find(ex, AmqpException.class).orElse(null);
			if (amqp != null) {
				throw this.broker.unreachable(amqp);
			}
			throw ex;
		}
	}

	@Override
	public void beforeStep(StepExecution manager) {
		log.info("run {} of {}: partitions go to the workers through queue {} at {}",
				manager.getJobExecution().getJobInstanceId(), this.plan.jobName(), this.broker.queueName(),
				this.broker.describe());
		long runId = manager.getJobExecution().getJobInstanceId();
		RunTotals before = this.store.totals(runId);
		this.tokensBefore = before.completionTokens();
		this.lastActivity = System.currentTimeMillis();
		this.watcher = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "cluster-watch");
			thread.setDaemon(true);
			return thread;
		});
		long every = Math.max(200, this.settings.pollInterval().toMillis());
		this.watcher.scheduleWithFixedDelay(() -> watch(manager), every, every, TimeUnit.MILLISECONDS);
	}

	@Override
	public ExitStatus afterStep(StepExecution manager) {
		if (this.watcher != null) {
			this.watcher.shutdownNow();
		}
		try {
			// what no worker took is ended with the step, so that the same command starts it again
			endUntaken(this.jobRepository.getJobExecution(manager.getJobExecutionId()),
					(manager.getStatus() == BatchStatus.STOPPED) ? BatchStatus.STOPPED : BatchStatus.FAILED);
		}
		catch (RuntimeException ex) {
			log.debug("the partitions left were not ended: {}", ex.getMessage());
		}
		Messaging open = this.messaging;
		if (open != null) {
			open.close();
		}
		return null;
	}

	/** Every poll: the store's items on the progress line, a stop passed on, a word when nothing moves. */
	private void watch(StepExecution manager) {
		try {
			JobExecution job = this.jobRepository.getJobExecution(manager.getJobExecutionId());
			long runId = job.getJobInstanceId();
			RunTotals totals = this.store.totals(runId);
			this.progress.storedElsewhere(totals, totals.completionTokens() - this.tokensBefore);
			if (GracefulStop.asked(job)) {
				endUntaken(job, BatchStatus.STOPPED);
				return;
			}
			Map<Long, String> running = this.takes.running(job.getId());
			long waiting = partitions(job).stream().filter((p) -> p.getStatus() == BatchStatus.STARTING).count();
			long now = System.currentTimeMillis();
			if (!running.isEmpty() || totals.conversations() != this.storedBefore || waiting == 0) {
				this.lastActivity = now;
				this.storedBefore = totals.conversations();
				return;
			}
			if (now - this.lastActivity >= QUIET_MILLIS && now - this.lastSaid >= QUIET_MILLIS) {
				this.lastSaid = now;
				List<String> refusals = this.takes.refusals(job.getId());
				int workers = this.takes.liveWorkers();
				log.warn("{} partition{} of run {} wait in queue {} at {}: no worker has taken one for {} s ({}){}",
						waiting, (waiting == 1) ? "" : "s", runId, this.broker.queueName(), this.broker.describe(),
						(now - this.lastActivity) / 1000,
						(workers == 0) ? "no worker is running: start `java -jar dmr-batch.jar worker` beside a runner"
								: workers + " worker" + ((workers == 1) ? "" : "s") + " running",
						refusals.isEmpty() ? "" : "; refused by " + String.join("; ", refusals));
			}
		}
		catch (RuntimeException ex) {
			log.debug("the cluster's partitions were not read: {}", ex.getMessage());
		}
	}

	/**
	 * Ends the partitions of the execution that no worker has taken: stopped with the run, or failed with it. A
	 * worker taking one at this very moment finds it ended (the repository's versions tell), and leaves it.
	 */
	private void endUntaken(JobExecution job, BatchStatus status) {
		Map<Long, String> running = this.takes.running(job.getId());
		for (StepExecution partition : partitions(job)) {
			if (partition.getStatus() != BatchStatus.STARTING || running.containsKey(partition.getId())) {
				continue;
			}
			partition.setStatus(status);
			partition.setExitStatus((status == BatchStatus.STOPPED) ? ExitStatus.STOPPED
					: ExitStatus.FAILED.addExitDescription("not started: the run ended first"));
			partition.setEndTime(LocalDateTime.now());
			try {
				this.jobRepository.update(partition);
			}
			catch (OptimisticLockingFailureException ex) {
				// a worker took it a moment ago: the stop reaches it at its next commit
			}
		}
	}

	private List<StepExecution> partitions(JobExecution job) {
		String prefix = ConversationJobFactory.CONVERSATION_STEP + ":";
		return job.getStepExecutions().stream().filter((step) -> step.getStepName().startsWith(prefix)).toList();
	}

}
