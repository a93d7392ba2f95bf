package dev.dmrbatch.web;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.dmrbatch.conversation.RunTotals;
import dev.dmrbatch.history.RunNotes;
import dev.dmrbatch.jobfile.JobFiles;
import dev.dmrbatch.run.job.ConversationRuns;
import dev.dmrbatch.run.job.RunOutcome;
import dev.dmrbatch.run.plan.RunPlan;
import dev.dmrbatch.run.plan.RunPlanner;
import dev.dmrbatch.support.TestProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.repository.JobRepository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

/**
 * One run at a time per job and input from the web app: a run going on refuses the next start; a run whose
 * execution has ended in the store (as {@code GET /api/runs} shows it) does not, while its thread still writes its
 * summary. The job itself is a stand-in that ends its execution, then holds its thread as the summary would;
 * {@code WebApiIT} starts real runs.
 */
class JobStarterTest {

	@TempDir
	Path home;

	private final RunPlanner planner = mock(RunPlanner.class);

	private final ConversationRuns runs = mock(ConversationRuns.class);

	private final JobRepository repository = mock(JobRepository.class);

	private final CountDownLatch finish = new CountDownLatch(1);

	private JobStarter starter;

	private long executions;

	@BeforeEach
	void starter() throws Exception {
		JobFiles jobFiles = mock(JobFiles.class);
		given(jobFiles.available()).willReturn(List.of("quick"));
		given(this.planner.plan(any())).willAnswer((invocation) -> {
			RunPlan plan = mock(RunPlan.class);
			given(plan.label()).willReturn("run-" + (this.executions + 1));
			return plan;
		});
		this.starter = new JobStarter(this.planner, this.runs, jobFiles, TestProperties.home(this.home),
				mock(RunNotes.class), this.repository);
	}

	@AfterEach
	void release() {
		this.finish.countDown();
		this.starter.destroy();
	}

	/** Each run: registered, its execution ends with the status given, then its thread finishes once released. */
	private void runsEnding(BatchStatus status) throws Exception {
		given(this.runs.run(any(), any())).willAnswer((invocation) -> {
			long id = ++this.executions;
			// as the store has it by the time the next start looks
			JobExecution stored = new JobExecution(id, new JobInstance(id, "quick"), new JobParameters());
			stored.setStatus(status);
			given(this.repository.getJobExecution(id)).willReturn(stored);
			invocation.<Consumer<JobExecution>>getArgument(1)
				.accept(new JobExecution(id, new JobInstance(id, "quick"), new JobParameters()));
			// what a run does after its status is stored: its summary into its log
			this.finish.await(30, TimeUnit.SECONDS);
			return RunOutcome.of("quick", id, null, status, new RunTotals(1, 1, 0, 0, 0)).build();
		});
	}

	private Map<String, Object> start() {
		return this.starter.start("quick", null, null, Map.of(), null, List.of(), null, null);
	}

	@Test
	void aRunWhoseExecutionHasEndedIsNotRunningWhileItsThreadFinishes() throws Exception {
		runsEnding(BatchStatus.COMPLETED);
		assertThat(start()).containsEntry("id", 1L);
		new Thread(() -> {
			try {
				Thread.sleep(300);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.finish.countDown();
		}).start();
		assertThat(start()).containsEntry("id", 2L);
	}

	@Test
	void aRunGoingOnRefusesTheNextStartOfItsJobAndInput() throws Exception {
		runsEnding(BatchStatus.STARTED);
		assertThat(start()).containsEntry("id", 1L);
		assertThatThrownBy(this::start).isInstanceOf(RefusedException.class)
			.hasMessage("job quick on its input is already running (started from this app): one run at a time per job "
					+ "and input");
	}

	@Test
	void aRunThatEndedButDoesNotFinishItsSummaryInTimeIsRefusedSayingSo() throws Exception {
		runsEnding(BatchStatus.FAILED);
		this.starter.finishing = java.time.Duration.ofMillis(200);
		assertThat(start()).containsEntry("id", 1L);
		assertThatThrownBy(this::start).isInstanceOf(RefusedException.class)
			.hasMessage("job quick on its input has ended but is still writing its summary (started from this app): "
					+ "start it again in a moment");
	}

}
