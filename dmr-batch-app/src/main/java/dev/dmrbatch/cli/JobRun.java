package dev.dmrbatch.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.dmrbatch.config.LaunchSettings;
import dev.dmrbatch.conversation.server.SharedStore;
import dev.dmrbatch.history.RunNotes;
import dev.dmrbatch.run.job.ConversationRuns;
import dev.dmrbatch.run.job.RunOutcome;
import dev.dmrbatch.run.plan.BuiltInJob;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.run.plan.RunPlan;
import dev.dmrbatch.run.plan.RunPlanner;
import dev.dmrbatch.text.SafeText;

import org.springframework.batch.core.BatchStatus;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.env.Environment;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionException;

/**
 * {@code job=<name>} that names no command: plans the run of the job file (or built-in job) of that name, runs it and
 * prints its summary.
 */
@Component
class JobRun {

	private final RunPlanner planner;

	private final ConversationRuns runs;

	private final List<BuiltInJob> builtIns;

	private final Environment environment;

	private final RunNotes notes;

	JobRun(RunPlanner planner, ConversationRuns runs, List<BuiltInJob> builtIns, Environment environment,
			RunNotes notes) {
		this.planner = planner;
		this.runs = runs;
		this.builtIns = builtIns;
		this.environment = environment;
		this.notes = notes;
	}

	/**
	 * What a job file's run uses: its own arguments, and the request settings, which apply to this run over the job
	 * file's.
	 */
	static Set<String> arguments() {
		Set<String> keys = new HashSet<>(Set.of("input", "output", "model", "run", "concurrency", "base-url", "var.",
				"cache", "tag", "cluster", "limit", "sample", "sample-seed", "retry"));
		keys.addAll(LaunchSettings.KEYS.keySet());
		return keys;
	}

	/**
	 * Its usage lines for {@code help}, after {@code java -jar dmr-batch.jar}; a line that starts with a space goes on
	 * from the one before.
	 */
	String usage() {
		return """
				job=<name> [input=<path>] [output=<dir>] [model=<name>]
				    [profile=<name>] [var.<key>=<value> ...] [run=<label>|new] [concurrency=<n|auto>]
				    [cache=on|off|refresh] [cluster=on|off] [tag=<a,b>]
				    [limit=<n> | sample=<n> [sample-seed=<s>]] (a trial run: the first n or n drawn records)
				    [retry=failed] (asks the failed items of the run named by run=, else the latest, again)
				    [max_tokens=<n>] [temperature=<t>] [top_p=<p>] [seed=<n>] [stop=<a,b>]
				    [presence_penalty=<p>] [frequency_penalty=<p>] [stream=<true|false>]
				    (request settings for this run: they beat the job file's, as --dmr.max-tokens= does)
				job=openai-batch input=<requests.jsonl> [output=<dir>] [model=<name>]""";
	}

	int run(Arguments arguments) throws Exception {
		BuiltInJob builtIn = this.builtIns.stream().filter((job) -> job.name().equals(arguments.job())).findFirst()
			.orElse(null);
		if (builtIn == null && arguments.get("export") != null) {
			throw new RunException("export= goes with job=export; a job's exports are set by export: in its file");
		}
		JobCommand.refuseUnused(arguments, (builtIn != null) ? builtIn.arguments() : arguments(),
				(builtIn != null) ? "job=" + builtIn.name() : "a job run");
		List<String> tags = RunNotes.parse(arguments.get("tag"), "tag=");
		boolean retry = retry(arguments);
		RunPlan plan = this.planner.plan(arguments.toRequest());
		RunOutcome outcome;
		try {
			// the tags go with the run once it is registered (a resumed run keeps those it had)
			java.util.function.Consumer<org.springframework.batch.core.job.JobExecution> tagged = tags.isEmpty() ? null
					: (execution) -> this.notes.addTags(execution.getJobInstanceId(), tags);
			outcome = retry ? this.runs.retry(plan, this.runs.toRetry(plan), tagged) : this.runs.run(plan, tagged);
		}
		catch (DataAccessException | TransactionException ex) {
			// the store went away mid-run (its server killed, the database down): what was committed stays
			Console.error("the run failed: " + (SharedStore.inUse(this.environment) ? "the store server" : "the database")
					+ " stopped answering (" + rootMessage(ex) + "). The same command resumes it.");
			return RunOutcome.exitCode(BatchStatus.FAILED, 0);
		}
		summarize(outcome, retry);
		return outcome.alreadyComplete() ? 0 : outcome.exitCode();
	}

	/** Whether {@code retry=failed} was given; any other value of {@code retry=}, or {@code run=new} with it, refused. */
	private static boolean retry(Arguments arguments) {
		String retry = arguments.get("retry");
		if (retry == null) {
			return false;
		}
		if (!retry.equals("failed")) {
			throw new ArgumentException("retry=" + SafeText.excerpt(retry, 40) + " is not a retry: retry=failed asks "
					+ "a run's failed items again");
		}
		if ("new".equals(arguments.get("run"))) {
			throw new ArgumentException("retry=failed asks the failed items of a run that exists again: give its "
					+ "run=<label>, or no run= for the latest run, not run=new");
		}
		return true;
	}

	private static String rootMessage(Throwable error) {
		return SafeText.firstLine(String.valueOf(NestedExceptionUtils.getMostSpecificCause(error).getMessage()));
	}

	private void summarize(RunOutcome o, boolean retry) {
		String run = o.name();
		if (o.alreadyComplete() && retry) {
			Console.out(run + " has no failed items (" + o.ok() + " ok); nothing was sent. Exports: " + o.outputDir());
			return;
		}
		if (o.alreadyComplete()) {
			Console.out(run + " is already complete (" + o.ok() + " ok, " + o.failed()
					+ " failed); nothing was sent. Exports: " + o.outputDir()
					+ ". To run it again, give a new run=<label>" + ((o.failed() > 0) ? "; retry=failed asks its failed "
					+ "items again." : "."));
			return;
		}
		Console.out(o.summaryLine());
		if (o.cacheLine() != null) {
			Console.out(o.cacheLine());
		}
		if (o.failuresLine() != null) {
			Console.out(o.failuresLine());
		}
		o.checkLines().forEach(Console::out);
		if (o.models().size() > 1) {
			for (var model : o.models()) {
				Console.out(String.format(Locale.ROOT,
						"  model %s: %d ok, %d failed; tokens %d in, %d out; %d ms average per answered item",
						model.model(), model.ok(), model.failed(), model.promptTokens(), model.completionTokens(),
						model.latencyMillisAverage()));
			}
		}
		o.workers().forEach((worker) -> Console.out("  " + worker.line()));
		if (o.runners().size() > 1) {
			for (var runner : o.runners()) {
				Console.out(String.format(Locale.ROOT, "  runner %s: %d ok, %d failed; %d tokens out; %d ms average "
						+ "per answered item", runner.runner(), runner.ok(), runner.failed(), runner.completionTokens(),
						runner.meanLatencyMillis()));
			}
		}
		if (o.status() == BatchStatus.STOPPED) {
			Console.error("stopped with " + o.items() + " items stored; the same command resumes the run");
		}
		else if (o.failure() != null) {
			Console.error("the run " + o.status().toString().toLowerCase(Locale.ROOT) + ": " + o.failure()
					+ ". The same command resumes it.");
		}
		for (String file : o.exports()) {
			Console.out("exports: " + file);
		}
		o.exportWarnings().forEach(Console::warning);
		if (o.gateLine() != null) {
			Console.error(o.gateLine());
		}
		Path log = (o.outputDir() != null) ? Path.of(o.outputDir(), "dmr-batch.log") : null;
		if (log != null && Files.exists(log)) {
			Console.out("log: " + log);
		}
	}

}
