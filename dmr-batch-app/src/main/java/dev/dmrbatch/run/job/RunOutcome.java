package dev.dmrbatch.run.job;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.dmrbatch.check.Agreement;
import dev.dmrbatch.check.CheckTotals;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunTotals;
import dev.dmrbatch.text.SafeText;

import org.springframework.batch.core.BatchStatus;

/**
 * How a run ended, for the summary and the exit code. Made by name: {@link #of} and its {@link Builder}.
 *
 * @param jobName the Spring Batch job name
 * @param runId the run's id
 * @param label the run's {@code run=} label, or {@code null}
 * @param status how this execution ended
 * @param totals the run's items, ok and failed, and tokens, over all its executions
 * @param answered conversations this execution stored with an answer
 * @param failedNow conversations this execution stored as failed
 * @param seconds how long this execution took
 * @param outputDir the run's output folder, or {@code null} when it has none yet
 * @param exports the files the exports wrote
 * @param failure why this execution failed or stopped, one sentence per cause; {@code null} when it did not
 * @param alreadyComplete whether the run was complete before this launch: nothing was sent
 * @param resumed whether this execution resumed the run
 * @param models the run's totals by model
 * @param runners the run's totals by runner
 * @param reasons why items failed, most frequent first (at most {@value #REASONS})
 * @param exportWarnings what the exports could not do, such as characters no font has, one sentence each
 * @param checks how often each check passed, in the job file's order; empty when the job has none
 * @param gate each check's least pass rate for the quality gate, by key; a check without one is absent
 * @param calls the run's calls sent and reused, when the response cache was on; else {@code null}
 * @param tokensReceived the completion tokens the runners sent in this execution (none reused from the cache): what
 * its tokens/s is of
 * @param workers what each worker of the cluster did for the run; empty for a run of this process alone
 * @param agreement how the answers of a run that asks each item several times ({@code repeat=N}) agree; {@code null}
 * for a run that asks once
 */
public record RunOutcome(String jobName, long runId, String label, BatchStatus status, RunTotals totals,
		long answered, long failedNow, double seconds,
		String outputDir, List<String> exports, String failure, boolean alreadyComplete, boolean resumed,
		List<ConversationStore.ModelTotals> models, List<ConversationStore.RunnerTotals> runners,
		List<ConversationStore.FailureReason> reasons, List<String> exportWarnings, List<CheckTotals> checks,
		Map<String, Double> gate, ConversationStore.CallTotals calls, long tokensReceived,
		List<RemotePartitions.WorkerShare> workers, Agreement.Totals agreement) {

	/** How many reasons for failed items the summary names. */
	static final int REASONS = 5;

	/** The outcome of a run, of its job, id and label, that ended with this status and these totals. */
	public static Builder of(String jobName, long runId, String label, BatchStatus status, RunTotals totals) {
		return new Builder(jobName, runId, label, status, totals);
	}

	/** The run's items stored, answered or failed. */
	public long items() {
		return this.totals.conversations();
	}

	public long ok() {
		return this.totals.ok();
	}

	public long failed() {
		return this.totals.failed();
	}

	/**
	 * 0 all answered, 3 finished with failed items, 4 stopped, 5 failed, 6 finished with every item answered but a
	 * check below its quality gate. Failed items come first: their answers have no verdicts, so the pass rates are
	 * taken over fewer answers than the run has, and the failures are what to fix first.
	 */
	public int exitCode() {
		int code = exitCode(this.status, failed());
		return (code == 0 && !belowGate().isEmpty()) ? GATE_NOT_MET : code;
	}

	/** The exit code of a run that finished with every item answered, but a check below its quality gate. */
	public static final int GATE_NOT_MET = 6;

	/** One line per check: {@code check summary.five-keywords: 37/40 passed (92.5%)}. */
	public List<String> checkLines() {
		return checkLines(this.checks);
	}

	/**
	 * How the repeated answers agree ({@link Agreement.Totals#lines()}), and how they were asked; empty for a run that
	 * asks each item once.
	 */
	public List<String> agreementLines() {
		return (this.agreement != null) ? this.agreement.lines() : List.of();
	}

	/** {@link #checkLines()} for any checks' totals. */
	public static List<String> checkLines(List<CheckTotals> checks) {
		return checks.stream()
			.map((check) -> String.format(Locale.ROOT, "check %s: %d/%d passed (%.1f%%)", check.checkKey(),
					check.passed(), check.total(), check.rate() * 100))
			.toList();
	}

	/** The checks that passed less often than their quality gate asks (a check with no verdict is never below). */
	public List<CheckTotals> belowGate() {
		return belowGate(this.checks, this.gate);
	}

	/** The checks that passed less often than their quality gate asks (a check with no verdict is never below). */
	public static List<CheckTotals> belowGate(List<CheckTotals> checks, Map<String, Double> gate) {
		return checks.stream()
			.filter((check) -> gate.containsKey(check.checkKey()) && check.total() > 0
					&& check.rate() < gate.get(check.checkKey()))
			.toList();
	}

	/**
	 * {@code finished; quality gate not met: summary.five-keywords 37/40 passed (92.5%), needs 95%}, naming every check
	 * below its gate; null when none is.
	 */
	public String gateLine() {
		return (this.status != BatchStatus.COMPLETED) ? null : gateLine(this.checks, this.gate);
	}

	/** {@link #gateLine()} for any checks' totals; null when none is below its gate. */
	public static String gateLine(List<CheckTotals> checks, Map<String, Double> gate) {
		List<CheckTotals> below = belowGate(checks, gate);
		if (below.isEmpty()) {
			return null;
		}
		return "finished; quality gate not met: " + String.join("; ", below.stream()
			.map((check) -> String.format(Locale.ROOT, "%s %d/%d passed (%.1f%%), needs %s%%", check.checkKey(),
					check.passed(), check.total(), check.rate() * 100,
					java.math.BigDecimal.valueOf(gate.get(check.checkKey()))
						.movePointRight(2)
						.stripTrailingZeros()
						.toPlainString()))
			.toList());
	}

	/** The exit code of a run that ended with this status and this many failed items. */
	public static int exitCode(BatchStatus status, long failed) {
		return switch (status) {
			case COMPLETED -> (failed > 0) ? 3 : 0;
			case STOPPED, STOPPING -> 4;
			default -> 5;
		};
	}

	/** The run's name in messages: its job and its label, or its id. */
	public String name() {
		return this.jobName + " run " + ((this.label != null) ? this.label : String.valueOf(this.runId));
	}

	/** The summary's first line: the run's totals and this execution's. */
	public String summaryLine() {
		double rate = (this.seconds > 0) ? this.answered / this.seconds : 0;
		// reused answers cost no time, and a resumed run's earlier executions took theirs: the rate is that of the
		// tokens this execution received
		double tokenRate = (this.seconds > 0) ? this.tokensReceived / this.seconds : 0;
		return String.format(Locale.ROOT,
				"%s %s: %d items, %d ok, %d failed; %d answered in this execution in %.1f s (%.1f items/s)%s; "
						+ "tokens %d in, %d out (%.0f tokens/s out)",
				name(), this.status, items(), ok(), failed(), this.answered, this.seconds, rate,
				(this.failedNow > 0) ? " and " + this.failedNow + " failed" : "", this.totals.promptTokens(),
				this.totals.completionTokens(), tokenRate);
	}

	/**
	 * The response cache's share of the run: {@code cache: 990 calls reused (tokens 12000 in, 3000 out), 10 sent
	 * (tokens 120 in, 30 out)}; null when the cache was off.
	 */
	public String cacheLine() {
		if (this.calls == null) {
			return null;
		}
		ConversationStore.CallTotals c = this.calls;
		return String.format(Locale.ROOT, "cache: %d calls reused (tokens %d in, %d out), %d sent (tokens %d in, %d out)",
				c.reused(), c.reusedPromptTokens(), c.reusedCompletionTokens(), c.sent(), c.sentPromptTokens(),
				c.sentCompletionTokens());
	}

	/**
	 * Why items failed, one sentence: {@code 3 failed: <error> (id 3); <error> (2 items: ids a, b)}; null when none
	 * failed.
	 */
	public String failuresLine() {
		if (failed() == 0 || this.reasons.isEmpty()) {
			return null;
		}
		StringBuilder line = new StringBuilder().append(failed()).append(" failed: ");
		long named = 0;
		for (int i = 0; i < this.reasons.size(); i++) {
			ConversationStore.FailureReason reason = this.reasons.get(i);
			named += reason.count();
			line.append((i > 0) ? "; " : "").append(SafeText.excerpt(String.valueOf(reason.error()), 200)).append(" (");
			if (reason.count() > 1) {
				line.append(reason.count()).append(" items: ids ");
			}
			else {
				line.append("id ");
			}
			List<String> ids = reason.ids().stream().map((id) -> SafeText.excerpt(String.valueOf(id), 40)).toList();
			line.append(String.join(", ", ids)).append((reason.count() > ids.size()) ? ", ...)" : ")");
		}
		if (named < failed()) {
			line.append("; ").append(failed() - named).append(" more for other reasons");
		}
		return line.append("; every error is in the exports (status \"failed\")").toString();
	}

	/** A run's outcome by name; what is not given is none (no exports, no failure, no checks ...). */
	public static final class Builder {

		private final String jobName;

		private final long runId;

		private final String label;

		private final BatchStatus status;

		private final RunTotals totals;

		private long answered;

		private long failedNow;

		private double seconds;

		private long tokensReceived;

		private String outputDir;

		private List<String> exports = List.of();

		private List<String> exportWarnings = List.of();

		private String failure;

		private boolean alreadyComplete;

		private boolean resumed;

		private List<ConversationStore.ModelTotals> models = List.of();

		private List<ConversationStore.RunnerTotals> runners = List.of();

		private List<ConversationStore.FailureReason> reasons = List.of();

		private List<CheckTotals> checks = List.of();

		private Map<String, Double> gate = Map.of();

		private ConversationStore.CallTotals calls;

		private List<RemotePartitions.WorkerShare> workers = List.of();

		private Agreement.Totals agreement;

		private Builder(String jobName, long runId, String label, BatchStatus status, RunTotals totals) {
			this.jobName = jobName;
			this.runId = runId;
			this.label = label;
			this.status = status;
			this.totals = totals;
		}

		/** What this execution did: items answered and failed, in how many seconds, receiving how many tokens. */
		public Builder execution(long answered, long failedNow, double seconds, long tokensReceived) {
			this.answered = answered;
			this.failedNow = failedNow;
			this.seconds = seconds;
			this.tokensReceived = tokensReceived;
			return this;
		}

		/** Where the exports went, the files they wrote and what they could not do. */
		public Builder exports(String outputDir, List<String> exports, List<String> exportWarnings) {
			this.outputDir = outputDir;
			this.exports = exports;
			this.exportWarnings = exportWarnings;
			return this;
		}

		public Builder failure(String failure) {
			this.failure = failure;
			return this;
		}

		public Builder alreadyComplete(boolean alreadyComplete) {
			this.alreadyComplete = alreadyComplete;
			return this;
		}

		public Builder resumed(boolean resumed) {
			this.resumed = resumed;
			return this;
		}

		/** The run's totals by model and by runner. */
		public Builder totalsBy(List<ConversationStore.ModelTotals> models,
				List<ConversationStore.RunnerTotals> runners) {
			this.models = models;
			this.runners = runners;
			return this;
		}

		public Builder reasons(List<ConversationStore.FailureReason> reasons) {
			this.reasons = reasons;
			return this;
		}

		/** How often each check passed, and each check's quality gate by key. */
		public Builder checks(List<CheckTotals> checks, Map<String, Double> gate) {
			this.checks = checks;
			this.gate = gate;
			return this;
		}

		public Builder calls(ConversationStore.CallTotals calls) {
			this.calls = calls;
			return this;
		}

		/** What each worker of the cluster did for the run. */
		public Builder workers(List<RemotePartitions.WorkerShare> workers) {
			this.workers = workers;
			return this;
		}

		/** How the answers of a run that asks each item several times agree. */
		public Builder agreement(Agreement.Totals agreement) {
			this.agreement = agreement;
			return this;
		}

		public RunOutcome build() {
			return new RunOutcome(this.jobName, this.runId, this.label, this.status, this.totals, this.answered,
					this.failedNow, this.seconds, this.outputDir, this.exports, this.failure, this.alreadyComplete,
					this.resumed, this.models, this.runners, this.reasons, this.exportWarnings, this.checks, this.gate,
					this.calls, this.tokensReceived, this.workers, this.agreement);
		}

	}

}
