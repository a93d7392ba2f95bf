package dev.dmrbatch.history;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.dmrbatch.cache.ResponseCache;
import dev.dmrbatch.check.CheckStore;
import dev.dmrbatch.check.CheckTotals;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.conversation.RunTotals;
import dev.dmrbatch.run.job.OutputFolders;
import dev.dmrbatch.run.job.RemotePartitions;
import dev.dmrbatch.run.job.RunOutcome;
import dev.dmrbatch.run.plan.NotFoundException;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.run.process.RunProcesses;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.FileSystemUtils;

/**
 * Past runs, from the two places that know them: Spring Batch's job repository (executions, status, times) and the
 * conversation store (items, tokens, output folder); with the tags and notes people gave them ({@link RunNotes}).
 * A run's status is one word wherever it is shown ({@code job=runs}, {@code job=show}, the web app and its API).
 */
@Component
public class RunHistory {

	/** The job name of chat sessions, which the store keeps as runs. */
	private static final String CHAT = "chat";

	/** The status of a chat session. */
	public static final String CHAT_SESSION = "CHAT SESSION";

	/** The status of a run left running by a process that is gone (killed): the next {@code job=<name>} resumes it. */
	public static final String ABANDONED = "ABANDONED";

	/** The statuses of a run going on. */
	public static final Set<String> RUNNING = Set.of("STARTING", "STARTED", "STOPPING");

	/** Every status a run is shown with, in the order they are offered as filters. */
	public static final List<String> STATUSES = List.of("STARTING", "STARTED", "STOPPING", "COMPLETED", "FAILED",
			"STOPPED", ABANDONED, CHAT_SESSION, "UNKNOWN");

	/** The execution context key Spring Batch marks a recovered execution with. */
	private static final String RECOVERED = "recovered";

	private final ConversationStore store;

	private final JobRepository jobRepository;

	private final CheckStore checks;

	private final RunProcesses processes;

	private final RunNotes notes;

	private final ResponseCache cache;

	private final OutputFolders folders;

	private final TransactionTemplate transaction;

	private final RemotePartitions remote;

	RunHistory(ConversationStore store, JobRepository jobRepository, CheckStore checks, RunProcesses processes,
			RunNotes notes, ResponseCache cache, OutputFolders folders, TransactionTemplate transaction,
			RemotePartitions remote) {
		this.store = store;
		this.jobRepository = jobRepository;
		this.checks = checks;
		this.processes = processes;
		this.notes = notes;
		this.cache = cache;
		this.folders = folders;
		this.transaction = transaction;
		this.remote = remote;
	}

	/** Every run, or one job's, newest first. */
	public List<RunSummary> list(String jobName) {
		Map<Long, RunTotals> totals = this.store.totalsByRun();
		Map<Long, List<String>> tags = this.notes.tagsByRun();
		Map<Long, String> notes = this.notes.notesByRun();
		Map<Long, CheckTotals> rates = this.checks.passRatesByRun();
		List<RunSummary> runs = new ArrayList<>();
		for (RunRecord run : this.store.runs(jobName)) {
			runs.add(summary(run, totals.getOrDefault(run.id(), new RunTotals(0, 0, 0, 0, 0)),
					tags.getOrDefault(run.id(), List.of()), notes.get(run.id()), rates.get(run.id())));
		}
		return runs;
	}

	/** One run's summary, its executions oldest first. */
	public RunSummary summary(RunRecord run) {
		List<CheckTotals> counts = this.checks.passCounts(run.id());
		CheckTotals all = counts.isEmpty() ? null : new CheckTotals(null, null,
				counts.stream().mapToLong(CheckTotals::passed).sum(), counts.stream().mapToLong(CheckTotals::total).sum());
		return summary(run, this.store.totals(run.id()), this.notes.tags(run.id()),
				this.notes.note(run.id()).orElse(null), all);
	}

	/** A run named by its id or its label; a label two jobs share must be given as an id. */
	public RunRecord find(String which) {
		if (which.matches("\\d{1,18}")) {
			return this.store.findRun(Long.parseLong(which))
				.orElseThrow(() -> new NotFoundException("there is no run " + which + " (job=runs lists them)"));
		}
		if (which.matches("\\d+")) {
			throw new NotFoundException("there is no run " + which + " (job=runs lists them)");
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

	/**
	 * Deletes a run that is not going on: its rows in the store (conversations, verdicts and reviews, the answers it
	 * gave the response cache, tags, note, the partitions cluster workers took, Spring Batch's executions), then its output folder when the folder is
	 * marked as its own.
	 * @return the output folder deleted, or {@code null}
	 * @throws RunBusyException when it is going on
	 */
	public Path delete(RunRecord run) {
		RunSummary summary = summary(run);
		if (summary.running()) {
			throw new RunBusyException(name(run) + " is " + summary.status() + ": stop it before deleting it");
		}
		JobInstance instance = this.jobRepository.getJobInstance(run.id());
		this.transaction.executeWithoutResult((status) -> {
			if (instance != null) {
				for (JobExecution execution : this.jobRepository.getJobExecutions(instance)) {
					this.processes.forget(execution.getId());
				}
			}
			this.checks.deleteRun(run.id());
			this.cache.forget(run.id());
			this.notes.delete(run.id());
			this.remote.forget(run.id());
			this.store.deleteRun(run.id());
		});
		if (instance != null) {
			this.jobRepository.deleteJobInstance(instance);
		}
		if (run.outputDir() != null && !run.jobName().equals(CHAT)) {
			Path folder = Path.of(run.outputDir());
			if (Files.isDirectory(folder) && this.folders.ownedBy(folder, run.id())) {
				try {
					FileSystemUtils.deleteRecursively(folder);
				}
				catch (IOException ex) {
					throw new UncheckedIOException("the output folder " + folder + " of " + name(run)
							+ " could not be deleted: " + ex.getMessage(), ex);
				}
				return folder;
			}
		}
		return null;
	}

	private static String name(RunRecord run) {
		return run.jobName() + " run " + ((run.label() != null) ? run.label() : run.id());
	}

	/** A run that cannot be changed as asked while it goes on. */
	public static final class RunBusyException extends RunException {

		RunBusyException(String message) {
			super(message);
		}

	}

	private RunSummary summary(RunRecord run, RunTotals totals, List<String> tags, String note, CheckTotals rate) {
		JobInstance instance = this.jobRepository.getJobInstance(run.id());
		List<JobExecution> executions = (instance != null)
				? new ArrayList<>(this.jobRepository.getJobExecutions(instance)) : new ArrayList<>();
		executions.sort(Comparator.comparingLong(JobExecution::getId));
		JobExecution lastExecution = executions.isEmpty() ? null : executions.get(executions.size() - 1);
		BatchStatus status = (lastExecution != null) ? lastExecution.getStatus() : BatchStatus.UNKNOWN;
		if (status == BatchStatus.STOPPED && (lastExecution.getEndTime() == null || lastExecution.getStepExecutions()
			.stream()
			.anyMatch((step) -> step.getStatus().isRunning()) || this.processes.stillHas(lastExecution.getId()))) {
			// a stopped execution is marked so as the stop is asked, while its process still finishes and stores the
			// requests in flight: it is stopping until that process lets it go (and cannot be resumed before)
			status = BatchStatus.STOPPING;
		}
		boolean abandoned = status.isRunning()
				&& this.processes.abandoned(executions.get(executions.size() - 1).getId());
		List<RunSummary.Execution> facts = new ArrayList<>();
		for (JobExecution execution : executions) {
			boolean dead = (abandoned && execution == executions.get(executions.size() - 1))
					|| execution.getExecutionContext().containsKey(RECOVERED);
			facts.add(new RunSummary.Execution(execution.getId(), instant(execution.getStartTime()),
					instant(execution.getEndTime()), seconds(run.id(), execution, dead),
					(dead && execution.getStatus().isRunning()) ? ABANDONED : execution.getStatus().toString(),
					execution.getExitStatus().getExitCode()));
		}
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
		String shown = (executions.isEmpty() && CHAT.equals(run.jobName())) ? CHAT_SESSION
				: abandoned ? ABANDONED : status.toString();
		return new RunSummary(run.id(), run.label(), run.jobName(), run.input(), run.createdAt(), seconds,
				shown, totals.conversations(), totals.ok(), totals.failed(), totals.promptTokens(),
				totals.completionTokens(), exitCode, run.outputDir(), run.settings(), facts,
				this.remote.workers(run.id()), tags, note,
				(rate != null && rate.total() > 0) ? rate.rate() : null);
	}

	private static Instant instant(LocalDateTime time) {
		return (time != null) ? time.atZone(ZoneId.systemDefault()).toInstant() : null;
	}

	/**
	 * How long an execution worked: to its end; to now while it goes on; and for one whose process was killed (left
	 * running, or recovered since) to the last item it stored, not to the moment it was found dead.
	 */
	private double seconds(long runId, JobExecution execution, boolean dead) {
		Instant start = instant(execution.getStartTime());
		if (start == null) {
			return 0;
		}
		Instant end = instant(execution.getEndTime());
		if (dead) {
			Instant until = (end != null) ? end : Instant.now();
			end = this.store.lastStoredBetween(runId, start, until).orElse(start);
		}
		else if (end == null) {
			end = execution.getStatus().isRunning() ? Instant.now() : instant(execution.getLastUpdated());
		}
		return (end != null) ? Math.max(0, Duration.between(start, end).toMillis()) / 1000.0 : 0;
	}

}
