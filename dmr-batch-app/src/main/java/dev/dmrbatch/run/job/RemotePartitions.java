package dev.dmrbatch.run.job;

import java.util.List;
import java.util.Locale;

import dev.dmrbatch.progress.ProgressListener;
import dev.dmrbatch.run.plan.RunPlan;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.core.step.Step;

/**
 * The partitions of a cluster run ({@link RunPlan#cluster()}), sent to worker processes beside the model runners
 * instead of run here: {@code dev.dmrbatch.cluster} provides it. The job knows the cluster only through this, so
 * that the broker's classes are loaded only when a run asks for the cluster.
 */
public interface RemotePartitions {

	/**
	 * Before anything runs: the broker answers.
	 * @throws dev.dmrbatch.run.plan.RunException naming the broker when it does not
	 */
	void check(RunPlan plan);

	/**
	 * The {@value ConversationJobFactory#CONVERSATION_STEP} step of a cluster run: it cuts the input into
	 * {@code partitioner}'s ranges, sends them to the workers and follows them in the job repository until each has
	 * ended, showing the items the workers stored on {@code progress}.
	 */
	Step managerStep(RunPlan plan, Partitioner partitioner, ProgressListener progress);

	/**
	 * Before a run left running by a process that is gone is recovered: partitions that workers are still running
	 * are stopped at their next commit, so that none runs twice once the run resumes.
	 * @return the execution as the job repository has it now
	 */
	JobExecution settle(JobExecution abandoned);

	/** What each worker did for a run, in the order they first took a partition of it; empty for a local run. */
	List<WorkerShare> workers(long runId);

	/**
	 * The partitions of an execution that live workers still run, described for a message (empty when none): a stopped
	 * cluster run's workers store their requests in flight after its manager has ended.
	 */
	List<String> stillRunning(long jobExecutionId);

	/** Deletes what the workers recorded of a run (the partitions they took), with the run; in the caller's transaction. */
	void forget(long runId);

	/**
	 * One worker's share of a run.
	 * @param partitions the partitions it took (a partition handed back and taken again counts for each)
	 * @param items the items it stored
	 * @param seconds the time it spent on them
	 * @param running the partition it is running now, or {@code null}
	 * @param alive whether the worker process is alive now (running a partition or waiting for one); {@code false}
	 * once it has left or died
	 */
	record WorkerShare(String host, long pid, String runner, int partitions, long items, double seconds,
			String running, boolean alive) {

		/**
		 * {@code worker gpu-1 (pid 4242), runner http://...: 5 partitions, 1250 items, 41.2 items/s}, then
		 * {@code (running <partition>)} while it runs one, {@code (gone)} once the worker has left or died.
		 */
		public String line() {
			return String.format(Locale.ROOT, "worker %s (pid %d), runner %s: %d partition%s, %d items, %.1f items/s%s",
					this.host, this.pid, this.runner, this.partitions, (this.partitions == 1) ? "" : "s", this.items,
					rate(), (this.running != null) ? " (running " + this.running + ")" : this.alive ? "" : " (gone)");
		}

		/** The items it stored per second of the time it spent on them; 0 before it spent any. */
		public double rate() {
			return (this.seconds > 0) ? this.items / this.seconds : 0.0;
		}

	}

}
