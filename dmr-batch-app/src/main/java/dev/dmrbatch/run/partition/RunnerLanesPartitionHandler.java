package dev.dmrbatch.run.partition;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

import dev.dmrbatch.run.pipeline.RunnerUnavailableException;
import dev.dmrbatch.run.process.GracefulStop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.partition.PartitionHandler;
import org.springframework.batch.core.partition.StepExecutionSplitter;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * Runs the partitions of a run spread across several model runners by work stealing: one lane per runner takes
 * the next partition from a shared queue whenever it finishes one, so a slow runner takes fewer partitions and a
 * fast one more. A runner that stops answering (its retries used up) ends its lane; the partition it was running
 * goes back to the queue as a new execution that resumes at the partition's last commit, and the other lanes
 * finish it. Only when no lane is left does the run fail, and the same command resumes it later.
 * <p>
 * Partitions are Spring Batch step executions ({@code conversations:items-<first>-<last>}) with their own reader
 * state, committed chunk by chunk like the single-runner step, so restart keeps the same exactly-once rule.
 */
public final class RunnerLanesPartitionHandler implements PartitionHandler {

	private static final Logger log = LoggerFactory.getLogger(RunnerLanesPartitionHandler.class);

	/** Partitions per runner: enough for stealing to even out speeds, few enough that a range is not tiny. */
	public static final int PARTITIONS_PER_RUNNER = 8;

	private final List<RunnerLane> lanes;

	private final BiFunction<RunnerLane, StepExecution, Step> workerStep;

	private final JobRepository jobRepository;

	public RunnerLanesPartitionHandler(List<RunnerLane> lanes, BiFunction<RunnerLane, StepExecution, Step> workerStep,
			JobRepository jobRepository) {
		this.lanes = lanes;
		this.workerStep = workerStep;
		this.jobRepository = jobRepository;
	}

	@Override
	public Collection<StepExecution> handle(StepExecutionSplitter splitter, StepExecution manager) throws Exception {
		List<StepExecution> partitions = new ArrayList<>(
				splitter.split(manager, this.lanes.size() * PARTITIONS_PER_RUNNER));
		partitions.sort(Comparator.comparingLong((StepExecution p) -> p.getExecutionContext().getLong(RangeReader.FIRST)));
		BlockingDeque<StepExecution> queue = new LinkedBlockingDeque<>(partitions);
		Map<String, StepExecution> latest = new LinkedHashMap<>();
		partitions.forEach((p) -> latest.put(p.getStepName(), p));
		AtomicInteger lanesUp = new AtomicInteger(this.lanes.size());
		Shared shared = new Shared(queue, latest, lanesUp);
		List<Thread> threads = new ArrayList<>();
		for (RunnerLane lane : this.lanes) {
			Thread thread = new Thread(() -> runLane(lane, manager, shared), "lane-" + lane.lane().url().getAuthority());
			thread.start();
			threads.add(thread);
		}
		for (Thread thread : threads) {
			thread.join();
		}
		// what no lane took: stopped with the run, or failed with it, so the next execution starts them
		for (StepExecution left : queue) {
			left.setStatus(shared.stopping ? BatchStatus.STOPPED : BatchStatus.FAILED);
			left.setExitStatus(shared.stopping ? ExitStatus.STOPPED : ExitStatus.FAILED
				.addExitDescription("not started: the run ended first"));
			left.setEndTime(java.time.LocalDateTime.now());
			this.jobRepository.update(left);
		}
		return List.copyOf(latest.values());
	}

	private void runLane(RunnerLane lane, StepExecution manager, Shared shared) {
		while (!shared.fatal && !shared.stopping) {
			if (GracefulStop.asked(manager.getJobExecution()) || manager.isTerminateOnly()) {
				shared.stopping = true;
				return;
			}
			StepExecution partition = shared.queue.pollFirst();
			if (partition == null) {
				return;
			}
			try {
				this.workerStep.apply(lane, partition).execute(partition);
			}
			catch (Exception ex) {
				// the step could not even run: record it, or a later restart finds the partition still STARTING
				partition.setStatus(BatchStatus.FAILED);
				partition.setExitStatus(ExitStatus.FAILED.addExitDescription(ex));
				partition.setEndTime(java.time.LocalDateTime.now());
				partition.addFailureException(ex);
				this.jobRepository.update(partition);
			}
			BatchStatus status = partition.getStatus();
			if (status == BatchStatus.COMPLETED) {
				continue;
			}
			if (status == BatchStatus.STOPPED || status == BatchStatus.STOPPING) {
				shared.stopping = true;
				return;
			}
			RunnerUnavailableException gone = RunnerUnavailableException.among(partition.getFailureExceptions());
			if (gone != null && shared.lanesUp.decrementAndGet() > 0) {
				log.warn("runner {} stopped answering ({}); its partition {} and the rest go to the other runners",
						lane.url(), gone.getMessage(), partition.getStepName());
				synchronized (shared) {
					StepExecution again = resume(partition);
					shared.latest.put(again.getStepName(), again);
					shared.queue.addFirst(again);
				}
				return;
			}
			shared.fatal = true;
			return;
		}
	}

	/** A new execution of a failed partition in this job execution, from the partition's last commit. */
	private StepExecution resume(StepExecution failed) {
		StepExecution committed = this.jobRepository.getLastStepExecution(failed.getJobExecution().getJobInstance(),
				failed.getStepName());
		ExecutionContext context = new ExecutionContext(
				(committed != null) ? committed.getExecutionContext() : failed.getExecutionContext());
		StepExecution again = this.jobRepository.createStepExecution(failed.getStepName(), failed.getJobExecution());
		again.setExecutionContext(context);
		this.jobRepository.updateExecutionContext(again);
		return again;
	}

	private static final class Shared {

		final BlockingDeque<StepExecution> queue;

		final Map<String, StepExecution> latest;

		final AtomicInteger lanesUp;

		volatile boolean fatal;

		volatile boolean stopping;

		Shared(BlockingDeque<StepExecution> queue, Map<String, StepExecution> latest, AtomicInteger lanesUp) {
			this.queue = queue;
			this.latest = latest;
			this.lanesUp = lanesUp;
		}

	}

}
