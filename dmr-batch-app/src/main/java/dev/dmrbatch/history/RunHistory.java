package dev.dmrbatch.history;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.check.CheckStore;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.conversation.RunTotals;
import dev.dmrbatch.run.job.RemotePartitions;
import dev.dmrbatch.run.job.RunOutcome;
import dev.dmrbatch.run.plan.NotFoundException;
import dev.dmrbatch.run.plan.RunException;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.stereotype.Component;

/**
 * Past runs, from the two places that know them: Spring Batch's job repository (executions, status, times) and the
 * conversation store (items, tokens, output folder).
 */
@Component
public class RunHistory {

	/** The job name of chat sessions, which the store keeps as runs. */
	private static final String CHAT = "chat";

	private final ConversationStore store;

	private final JobRepository jobRepository;

	private final CheckStore checks;

	private final RemotePartitions remote;

	RunHistory(ConversationStore store, JobRepository jobRepository, CheckStore checks, RemotePartitions remote) {
		this.store = store;
		this.jobRepository = jobRepository;
		this.checks = checks;
		this.remote = remote;
	}

	/** Every run, or one job's, newest first. */
	public List<RunSummary> list(String jobName) {
		Map<Long, RunTotals> totals = this.store.totalsByRun();
		List<RunSummary> runs = new ArrayList<>();
		for (RunRecord run : this.store.runs(jobName)) {
			runs.add(summary(run, totals.getOrDefault(run.id(), new RunTotals(0, 0, 0, 0, 0))));
		}
		return runs;
	}

	/** One run's summary, its executions oldest first. */
	public RunSummary summary(RunRecord run) {
		return summary(run, this.store.totals(run.id()));
	}

	/** A run named by its id or its label; a label two jobs share must be given as an id. */
	public RunRecord find(String which) {
		if (which.matches("\\d+")) {
			return this.store.findRun(Long.parseLong(which))
				.orElseThrow(() -> new NotFoundException("there is no run " + which + " (job=runs lists them)"));
		}
		List<RunRecord> runs = this.store.findRunsByLabel(which);
		if (runs.isEmpty()) {
			throw new NotFoundException("there is no run labelled '" + which + "' (job=runs lists them)");
		}
		if (runs.stream().map(RunRecord::jobName).distinct().count() > 1) {
			throw new RunException("run label '" + which + "' is used by several jobs ("
					+ String.join(", ", runs.stream().map(RunRecord::jobName).distinct().toList())
					+ "): give the run's id instead (" + String.join(", ",
							runs.stream().map((r) -> r.jobName() + " " + r.id()).toList())
					+ ")");
		}
		return runs.get(0);
	}

	private RunSummary summary(RunRecord run, RunTotals totals) {
		JobInstance instance = this.jobRepository.getJobInstance(run.id());
		List<JobExecution> executions = (instance != null)
				? new ArrayList<>(this.jobRepository.getJobExecutions(instance)) : new ArrayList<>();
		executions.sort(Comparator.comparingLong(JobExecution::getId));
		List<RunSummary.Execution> facts = new ArrayList<>();
		for (JobExecution execution : executions) {
			facts.add(new RunSummary.Execution(execution.getId(), instant(execution.getStartTime()),
					instant(execution.getEndTime()), seconds(execution), execution.getStatus().toString(),
					execution.getExitStatus().getExitCode()));
		}
		BatchStatus status = executions.isEmpty() ? BatchStatus.UNKNOWN : executions.get(executions.size() - 1).getStatus();
		Integer exitCode = switch (status) {
			case COMPLETED, STOPPED, FAILED, ABANDONED -> RunOutcome.exitCode(status, totals.failed());
			default -> null; // running now, or left running by a process that is gone: the next start recovers it
		};
		if (exitCode != null && exitCode == 0 && !RunOutcome
			.belowGate(this.checks.passCounts(run.id()), this.checks.minPassRates(run.id()))
			.isEmpty()) {
			exitCode = RunOutcome.GATE_NOT_MET; // by the run's latest evaluation
		}
		double seconds = facts.stream().mapToDouble(RunSummary.Execution::seconds).sum();
		// a chat session (job=chat) is a run without executions: it is shown as one
		String shown = (executions.isEmpty() && CHAT.equals(run.jobName())) ? "CHAT SESSION" : status.toString();
		return new RunSummary(run.id(), run.label(), run.jobName(), run.input(), run.createdAt(), seconds,
				shown, totals.conversations(), totals.ok(), totals.failed(), totals.promptTokens(),
				totals.completionTokens(), exitCode, run.outputDir(), run.settings(), facts, this.remote.workers(run.id()));
	}

	private static java.time.Instant instant(LocalDateTime time) {
		return (time != null) ? time.atZone(ZoneId.systemDefault()).toInstant() : null;
	}

	private static double seconds(JobExecution execution) {
		if (execution.getStartTime() == null) {
			return 0;
		}
		LocalDateTime end = (execution.getEndTime() != null) ? execution.getEndTime() : execution.getLastUpdated();
		return (end != null) ? Duration.between(execution.getStartTime(), end).toMillis() / 1000.0 : 0;
	}

}
