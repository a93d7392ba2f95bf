package dev.dmrbatch.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.progress.ProgressListener;
import dev.dmrbatch.run.job.RemotePartitions;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.run.plan.RunPlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.stereotype.Component;

/**
 * The manager's side of the cluster, as the job sees it ({@link RemotePartitions}): a cluster run's
 * {@code conversations} step is Spring Batch's remote partitioning over the broker ({@link RemoteManager}, built only
 * when a run asks for the cluster, which is when the broker's classes are first loaded).
 */
@Component
class ClusterRuns implements RemotePartitions {

	private static final Logger log = LoggerFactory.getLogger(ClusterRuns.class);

	/** How long the workers of a run left running by a manager that is gone may take to stop at their next commit. */
	static final Duration SETTLING = Duration.ofMinutes(2);

	private final DmrProperties properties;

	private final JobRepository jobRepository;

	private final ConversationStore store;

	private final PartitionTakes takes;

	ClusterRuns(DmrProperties properties, JobRepository jobRepository, ConversationStore store, PartitionTakes takes) {
		this.properties = properties;
		this.jobRepository = jobRepository;
		this.store = store;
		this.takes = takes;
	}

	Broker broker() {
		return new Broker(this.properties.cluster(), this.store.storeId());
	}

	@Override
	public void check(RunPlan plan) {
		broker().check();
	}

	@Override
	public Step managerStep(RunPlan plan, Partitioner partitioner, ProgressListener progress) {
		return new RemoteManager(broker(), this.properties.cluster(), this.jobRepository, this.store, this.takes, plan,
				progress).step(partitioner);
	}

	@Override
	public JobExecution settle(JobExecution abandoned) {
		// STOPPING first, even with no partition running now: a worker may take a waiting partition from the queue at
		// any moment while the run is STARTED, and would then update it under the recovery. A worker checks the run
		// again once its take is recorded (Worker#run), so a take recorded after this update never runs, and one
		// recorded before it is among those waited for below.
		abandoned.setStatus(BatchStatus.STOPPING);
		this.jobRepository.update(abandoned);
		Map<Long, String> running = this.takes.running(abandoned.getId());
		if (!running.isEmpty()) {
			log.warn("workers are still running {} partition{} of run {} ({}): they stop at their next commit before "
					+ "the run is recovered", running.size(), (running.size() == 1) ? "" : "s",
					abandoned.getJobInstanceId(), String.join(", ", running.values()));
		}
		long deadline = System.nanoTime() + SETTLING.toNanos();
		while (!running.isEmpty()) {
			if (System.nanoTime() > deadline) {
				throw new RunException("workers are still running partitions of run " + abandoned.getJobInstanceId()
						+ " after " + SETTLING.toMinutes() + " minutes (" + String.join(", ", running.values())
						+ "); run the same command again once they have stopped");
			}
			try {
				Thread.sleep(500);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new RunException("interrupted while the workers of run " + abandoned.getJobInstanceId()
						+ " were stopping");
			}
			running = this.takes.running(abandoned.getId());
		}
		// as the workers left its partitions: recovered from these, not from what was read before they ended
		JobExecution settled = this.jobRepository.getJobExecution(abandoned.getId());
		endDead(settled);
		return settled;
	}

	/** What the workers that died in an execution had committed, counted as theirs. */
	private void endDead(JobExecution execution) {
		execution.getStepExecutions().forEach((partition) -> this.takes.endDead(partition.getId()));
	}

	@Override
	public List<String> stillRunning(long jobExecutionId) {
		return List.copyOf(this.takes.running(jobExecutionId).values());
	}

	@Override
	public List<WorkerShare> workers(long runId) {
		return this.takes.shares(runId);
	}

	@Override
	public void forget(long runId) {
		this.takes.forget(runId);
	}

}
