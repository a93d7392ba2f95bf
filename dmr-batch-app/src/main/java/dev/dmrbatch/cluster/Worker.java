package dev.dmrbatch.cluster;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.input.InputException;
import dev.dmrbatch.jobfile.JobFileException;
import dev.dmrbatch.jobfile.JobFiles;
import dev.dmrbatch.model.ModelCallException;
import dev.dmrbatch.model.RunnerClients;
import dev.dmrbatch.plugin.PluginLoadException;
import dev.dmrbatch.prompt.PromptException;
import dev.dmrbatch.run.job.ConversationJobFactory;
import dev.dmrbatch.run.job.ConversationRuns;
import dev.dmrbatch.run.partition.RunnerLane;
import dev.dmrbatch.run.pipeline.RunnerUnavailableException;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.run.plan.RunPlan;
import dev.dmrbatch.run.plan.RunPlanner;
import dev.dmrbatch.run.plan.RunRequest;
import dev.dmrbatch.run.process.GracefulStop;
import dev.dmrbatch.run.process.RunProcesses;
import dev.dmrbatch.text.SafeText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInterruptedException;
import org.springframework.batch.core.job.parameters.JobParameter;
import org.springframework.batch.core.listener.ItemWriteListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.integration.partition.StepExecutionRequest;
import org.springframework.dao.OptimisticLockingFailureException;

/**
 * A worker of the cluster: one consumer of the queue of partitions, one partition at a time, on its own runner.
 * For each request it finds the partition's execution in the job repository and runs it with the same conversation
 * step a runner's lane runs here ({@link ConversationJobFactory#partitionStep}), planned as the run was started
 * ({@link ConversationRuns#asStarted}) from the job file of its working folder, resuming at the partition's last
 * commit. Then:
 * <ul>
 * <li>a partition that ended (completed, failed, or stopped with its run) is acknowledged: the manager sees how it
 * ended in the job repository;</li>
 * <li>a partition this worker gives up while its run goes on (Ctrl-C or SIGTERM to the worker, its runner stopped
 * answering) is handed back: set waiting again ({@code STARTING}) and given back to the queue unacknowledged, so
 * that another worker resumes it at its last commit; a worker killed outright never acknowledges it, and the broker
 * gives it to another worker all the same;</li>
 * <li>a partition this worker cannot run (its runner lacks the model, the job file or input is missing here) is
 * given back, and the reason recorded once for the manager to show;</li>
 * <li>a request for a partition whose worker is alive (the broker gave it out again after losing a connection) waits
 * until that worker has ended it: a partition never runs twice at once.</li>
 * </ul>
 */
final class Worker implements Messaging.Partitions {

	private static final Logger log = LoggerFactory.getLogger(Worker.class);

	/** How long a refused plan is kept before this worker looks at the run again (its runner may have the model now). */
	private static final long REFUSAL_KEPT_MILLIS = 60_000;

	/** How long a request this worker cannot run is held before it goes back, so that other workers take it first. */
	private static final long REFUSING_PAUSE_MILLIS = 1_000;

	private final Broker broker;

	private final URI runner;

	private final String concurrency;

	private final RunPlanner planner;

	private final JobFiles jobFiles;

	private final ConversationRuns runs;

	private final ConversationJobFactory jobs;

	private final JobRepository jobRepository;

	private final PartitionTakes takes;

	private final RunnerClients clients;

	private final CountDownLatch left = new CountDownLatch(1);

	private final AtomicInteger signals = new AtomicInteger();

	private final Object idle = new Object();

	private final Object oneAtATime = new Object();

	private final Map<Long, Planned> plans = new LinkedHashMap<>();

	private final AtomicLong items = new AtomicLong();

	private volatile boolean leaving;

	private volatile boolean busy;

	private volatile StepExecution current;

	private volatile Long currentTake;

	private volatile Messaging messaging;

	private volatile Thread waitingForRunner;

	private int partitionsRun;

	private long itemsStored;

	Worker(Broker broker, URI runner, String concurrency, RunPlanner planner, JobFiles jobFiles, ConversationRuns runs,
			ConversationJobFactory jobs, JobRepository jobRepository, PartitionTakes takes, RunnerClients clients) {
		this.broker = broker;
		this.runner = runner;
		this.concurrency = concurrency;
		this.planner = planner;
		this.jobFiles = jobFiles;
		this.runs = runs;
		this.jobs = jobs;
		this.jobRepository = jobRepository;
		this.takes = takes;
		this.clients = clients;
	}

	/** @return the exit code: 4, stopped, once it has left on a signal */
	int run() throws InterruptedException {
		try {
			this.clients.catalog(this.runner).modelNames();
		}
		catch (ModelCallException ex) {
			throw new RunException("the runner " + this.runner + " does not answer (dmr.base-url): "
					+ dev.dmrbatch.config.RunnerEndpoint.unreachable(ex.getMessage(), ex));
		}
		this.broker.check();
		this.takes.register(this.runner.toString());
		ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "heartbeat");
			thread.setDaemon(true);
			return thread;
		});
		long beat = RunProcesses.BEAT.toMillis();
		heartbeat.scheduleWithFixedDelay(this::beat, beat, beat, TimeUnit.MILLISECONDS);
		List<Runnable> restore = onSignals();
		try {
			this.messaging = Messaging.worker(this.broker, this);
			log.info("worker {} on queue {} at {}, runner {}: taking partitions (Ctrl-C or SIGTERM to leave)",
					this.takes.workerId(), this.broker.queueName(), this.broker.describe(), this.runner);
			this.left.await();
			synchronized (this.idle) {
				while (this.busy) {
					this.idle.wait(1000);
				}
			}
		}
		finally {
			Messaging open = this.messaging;
			if (open != null) {
				open.close();
			}
			heartbeat.shutdownNow();
			try {
				this.takes.forget();
			}
			catch (RuntimeException ex) {
				log.debug("the worker's row was not removed: {}", ex.getMessage());
			}
			restore.forEach(Runnable::run);
		}
		log.info("worker left: {} partition{} run, {} items stored", this.partitionsRun,
				(this.partitionsRun == 1) ? "" : "s", this.itemsStored);
		return 4;
	}

	/**
	 * One request at a time, whatever the consumer's threads: after the broker restarted, a new consumer may get a
	 * request again while the old one still runs its partition here; it waits, then finds the partition ended.
	 */
	@Override
	public boolean take(StepExecutionRequest request) {
		synchronized (this.oneAtATime) {
			return takeNow(request);
		}
	}

	private boolean takeNow(StepExecutionRequest request) {
		synchronized (this.idle) {
			this.busy = true;
		}
		try {
			return decide(request.getStepExecutionId());
		}
		catch (RuntimeException ex) {
			log.warn("partition execution {} given back to the queue: {}", request.getStepExecutionId(),
					SafeText.firstLine(String.valueOf(ex.getMessage())));
			pause(REFUSING_PAUSE_MILLIS);
			return false;
		}
		finally {
			synchronized (this.idle) {
				this.busy = false;
				this.idle.notifyAll();
			}
		}
	}

	private boolean decide(long stepExecutionId) {
		while (!this.leaving) {
			StepExecution partition = this.jobRepository.getStepExecution(stepExecutionId);
			if (partition == null || !partition.getStepName().startsWith(ConversationJobFactory.CONVERSATION_STEP + ":")) {
				log.warn("partition execution {} is not in this job repository: its request is dropped", stepExecutionId);
				return true;
			}
			JobExecution job = partition.getJobExecution();
			if (job.getStatus() == BatchStatus.STOPPING) {
				return true; // the run stops: its manager ends what no worker took
			}
			if (!job.getStatus().isRunning()) {
				return true; // a request of an execution that ended, or was recovered: its run resumes with new ones
			}
			if (partition.getStatus() == BatchStatus.STARTING) {
				return run(partition);
			}
			if (partition.getStatus() != BatchStatus.STARTED) {
				return true; // ended: its request came again after it was done
			}
			if (this.takes.liveOwner(stepExecutionId).isEmpty()) {
				this.takes.endDead(stepExecutionId);
				log.info("{} of {} was left by a worker that is gone: resuming it at its last commit",
						partition.getStepName(), describe(job));
				return run(partition);
			}
			pause(2_000); // its worker is alive: it ends it, or is found gone
		}
		return false;
	}

	/** Runs a partition on this worker's runner; true once it has ended, false when it goes back to the queue. */
	private boolean run(StepExecution partition) {
		JobExecution job = partition.getJobExecution();
		Planned planned = planned(job, partition);
		if (planned.refusal() != null) {
			this.takes.refused(partition, this.runner.toString(), planned.refusal());
			pause(REFUSING_PAUSE_MILLIS);
			return false;
		}
		if (planned.runnerDown() != null) {
			waitForRunner(planned.runnerDown());
			return false;
		}
		RunPlan plan = planned.plan();
		Take take = new Take(this.takes.claim(partition, this.runner.toString()));
		try {
			if (!stillWaiting(partition)) {
				// stopped, recovered or taken since it was read: a manager settling a run waits only for the takes
				// recorded before it stopped the run, so this one must not touch the partition; its request goes
				// back and is looked at afresh
				this.takes.drop(take.id);
				take.ended = true;
				return false;
			}
			return run(partition, job, plan, take);
		}
		finally {
			if (!take.ended) {
				// an error or a failed database call after the step: the take ends all the same, or the run would
				// count as still ending while this worker lives
				try {
					take.end(PartitionTakes.LOST);
				}
				catch (RuntimeException ex) {
					log.warn("the take of {} could not be ended: {}", partition.getStepName(), ex.getMessage());
				}
			}
		}
	}

	/** Whether the partition still waits for a worker, or for this one to resume it, in a run going on. */
	private boolean stillWaiting(StepExecution read) {
		StepExecution now = this.jobRepository.getStepExecution(read.getId());
		return now != null && now.getJobExecution().getStatus() == BatchStatus.STARTED
				&& now.getStatus() == read.getStatus() && java.util.Objects.equals(now.getVersion(), read.getVersion());
	}

	/** The partition on this worker's runner, its take ended on every way out but an error. */
	private boolean run(StepExecution partition, JobExecution job, RunPlan plan, Take take) {
		this.items.set(0);
		this.currentTake = take.id;
		this.current = partition;
		long started = System.nanoTime();
		log.info("taking {} of {}", partition.getStepName(), describe(job));
		try (RunnerLane lane = this.runs.openLane(plan, plan.lanes().get(0))) {
			if (this.leaving) {
				partition.setTerminateOnly();
			}
			this.jobs.partitionStep(plan, lane, partition, new Stored(take.id)).execute(partition);
		}
		catch (OptimisticLockingFailureException ex) {
			// ended by its manager a moment before this worker began (a stop): left as the manager left it
			take.end(PartitionTakes.LOST);
			return true;
		}
		catch (JobInterruptedException ex) {
			partition.setStatus(BatchStatus.STOPPED);
		}
		catch (RuntimeException ex) {
			// the step could not be made: the partition is still waiting, and its request goes back
			take.end(PartitionTakes.HANDED_BACK);
			throw ex;
		}
		finally {
			this.current = null;
			this.currentTake = null;
		}
		long stored = this.items.get();
		this.itemsStored += stored;
		this.partitionsRun++;
		double seconds = (System.nanoTime() - started) / 1e9;
		BatchStatus status = partition.getStatus();
		log.info(String.format(Locale.ROOT, "%s of %s: %s, %d items stored in %.1f s (%.1f items/s)",
				partition.getStepName(), describe(job), status, stored, seconds, (seconds > 0) ? stored / seconds : 0.0));
		if (status == BatchStatus.COMPLETED) {
			take.end(PartitionTakes.COMPLETED);
			return true;
		}
		boolean runGoesOn = this.jobRepository.getJobExecution(job.getId()).getStatus() == BatchStatus.STARTED;
		RunnerUnavailableException gone = RunnerUnavailableException.among(partition.getFailureExceptions());
		if (runGoesOn && (status == BatchStatus.STOPPED && this.leaving || gone != null)) {
			handBack(partition, (gone != null) ? "its runner stopped answering" : "its worker left");
			take.end(PartitionTakes.HANDED_BACK);
			if (gone != null) {
				forgetPlan(job.getId());
				waitForRunner(gone.getMessage());
			}
			return false;
		}
		take.end(status.name());
		return true;
	}

	/** A partition taken by this worker, and whether its take has ended. */
	private final class Take {

		private final long id;

		private boolean ended;

		Take(long id) {
			this.id = id;
		}

		void end(String outcome) {
			Worker.this.takes.end(this.id, outcome);
			this.ended = true;
		}

	}

	/** The partition waits again for a worker, from its last commit, and its request goes back to the queue. */
	private void handBack(StepExecution partition, String why) {
		log.warn("{} goes back to the queue ({}): another worker resumes it at its last commit",
				partition.getStepName(), why);
		partition.setStatus(BatchStatus.STARTING);
		partition.setExitStatus(new ExitStatus(ExitStatus.EXECUTING.getExitCode(), "handed back: " + why));
		partition.setEndTime(null);
		this.jobRepository.update(partition);
	}

	/** A plan of a run, its refusal, or its runner down. */
	private record Planned(RunPlan plan, String refusal, String runnerDown, long at) {
	}

	/**
	 * The run's plan, as its manager started it, with this worker's runner in its single lane (its models there and
	 * its concurrency, {@code auto} asking it): made once per execution of a run.
	 */
	private Planned planned(JobExecution job, StepExecution partition) {
		synchronized (this.plans) {
			Planned known = this.plans.get(job.getId());
			if (known != null && (known.refusal() == null
					|| System.currentTimeMillis() - known.at() < REFUSAL_KEPT_MILLIS)) {
				return known;
			}
		}
		Planned planned;
		try {
			this.clients.catalog(this.runner).modelNames();
		}
		catch (ModelCallException ex) {
			return new Planned(null, null, ex.getMessage(), System.currentTimeMillis());
		}
		try {
			RunPlan plan = this.planner.plan(request(job, partition));
			plan = this.runs.asStarted(plan, job.getJobInstanceId());
			planned = new Planned(this.runs.checkRunners(plan), null, null, System.currentTimeMillis());
		}
		catch (JobFileException | PromptException | InputException | RunException | PluginLoadException ex) {
			String refusal = "cannot run the partitions of " + describe(job) + ": " + SafeText.firstLine(ex.getMessage());
			log.warn("{}; they go back to the queue for other workers", refusal);
			planned = new Planned(null, refusal, null, System.currentTimeMillis());
		}
		synchronized (this.plans) {
			this.plans.remove(job.getId());
			this.plans.put(job.getId(), planned);
			while (this.plans.size() > 8) {
				this.plans.remove(this.plans.keySet().iterator().next());
			}
		}
		return planned;
	}

	private void forgetPlan(long jobExecutionId) {
		synchronized (this.plans) {
			this.plans.remove(jobExecutionId);
		}
	}

	/**
	 * The run as its job parameters name it (job, input, label, variables), on this worker's runner, with the cache
	 * mode its manager gave its partitions. A variable whose value is the job file's, written out, keeps the job
	 * file's own value (a number stays a number).
	 */
	private RunRequest request(JobExecution job, StepExecution partition) {
		String name = job.getJobInstance().getJobName();
		Map<String, Object> fileVars = this.jobFiles.read(name).job().varsOrEmpty();
		Map<String, String> vars = new LinkedHashMap<>();
		for (JobParameter<?> parameter : job.getJobParameters().parameters()) {
			if (parameter.name().startsWith("var.")) {
				String key = parameter.name().substring("var.".length());
				String value = String.valueOf(parameter.value());
				if (!fileVars.containsKey(key) || !String.valueOf(fileVars.get(key)).equals(value)) {
					vars.put(key, value);
				}
			}
		}
		String cache = partition.getExecutionContext().getString(RemoteManager.CACHE, null);
		return RunRequest.of(name)
			.input(job.getJobParameters().getString("input"))
			.label(job.getJobParameters().getString("run"))
			.concurrency(this.concurrency)
			.vars(vars)
			.baseUrl(this.runner.toString())
			.cache((cache != null) ? cache.toLowerCase(Locale.ROOT) : null)
			.cluster("off")
			.trial(dev.dmrbatch.input.TrialSelection.parse(job.getJobParameters().getString("trial")))
			.build();
	}

	/**
	 * This worker's runner stopped answering: it takes no partition until the runner answers again, so that the
	 * other workers take them meanwhile.
	 */
	private synchronized void waitForRunner(String why) {
		if (this.waitingForRunner != null || this.leaving) {
			pause(REFUSING_PAUSE_MILLIS);
			return;
		}
		log.warn("runner {} does not answer ({}): this worker takes no partition until it does",
				this.runner, SafeText.firstLine(why));
		Thread thread = new Thread(() -> {
			Messaging open = this.messaging;
			if (open == null) {
				return;
			}
			open.consumer().stop();
			while (!this.leaving) {
				pause(5_000);
				try {
					this.clients.catalog(this.runner).modelNames();
					break;
				}
				catch (ModelCallException ex) {
					// still down
				}
			}
			if (!this.leaving) {
				log.info("runner {} answers again: taking partitions", this.runner);
				synchronized (this.plans) {
					this.plans.clear();
				}
				open.consumer().start();
			}
			this.waitingForRunner = null;
		}, "runner-wait");
		thread.setDaemon(true);
		this.waitingForRunner = thread;
		thread.start();
	}

	private void beat() {
		try {
			this.takes.beat(this.currentTake);
			StepExecution running = this.current;
			// a run stopped by its manager (Ctrl-C there): this worker's copy of the run learns it only at its next
			// commit, and would start items until then; told at the next beat, it starts no other
			if (running != null && !running.isTerminateOnly()
					&& GracefulStop.asked(this.jobRepository.getJobExecution(running.getJobExecutionId()))) {
				running.setTerminateOnly();
			}
		}
		catch (RuntimeException ex) {
			// the next beat tries again; a database gone for good fails the partition's own writes first
			log.debug("heartbeat not written: {}", ex.getMessage());
		}
	}

	/**
	 * Ctrl-C or SIGTERM: the partition in progress starts no other item, commits what its items in flight answered
	 * and goes back to the queue, then the worker leaves. A second signal quits at once; the broker gives the
	 * partition to another worker all the same.
	 */
	private List<Runnable> onSignals() {
		List<Runnable> restore = new ArrayList<>();
		for (String name : List.of("INT", "TERM")) {
			try {
				Signal signal = new Signal(name);
				SignalHandler previous = Signal.handle(signal, this::onSignal);
				restore.add(() -> Signal.handle(signal, previous));
			}
			catch (IllegalArgumentException ex) {
				// the JVM keeps this signal to itself (e.g. started with -Xrs): its default applies
			}
		}
		return restore;
	}

	private void onSignal(Signal signal) {
		if (this.signals.incrementAndGet() > 1) {
			log.warn("SIG{} again: quitting now; the broker gives the partition in progress to another worker",
					signal.getName());
			Runtime.getRuntime().halt(128 + signal.getNumber());
		}
		StepExecution running = this.current;
		log.warn("SIG{}: leaving{} (again to quit at once)", signal.getName(),
				(running != null) ? " once " + running.getStepName() + " has committed what it answered; it goes back "
						+ "to the queue" : "");
		this.leaving = true;
		if (running != null) {
			running.setTerminateOnly();
		}
		this.left.countDown();
	}

	private static String describe(JobExecution job) {
		String label = job.getJobParameters().getString("run");
		return "run " + ((label != null) ? label : String.valueOf(job.getJobInstanceId())) + " of "
				+ job.getJobInstance().getJobName();
	}

	private static void pause(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Counts the items this worker stores in the partition it runs, in its take's row too, in the chunk's own
	 * transaction: the count of a worker killed in the middle is what it committed, whenever its last commit lands.
	 */
	private final class Stored implements ItemWriteListener<List<Conversation>> {

		private final long take;

		Stored(long take) {
			this.take = take;
		}

		@Override
		public void afterWrite(Chunk<? extends List<Conversation>> chunk) {
			Worker.this.takes.stored(this.take, chunk.size());
			Worker.this.items.addAndGet(chunk.size());
		}

	}

}
