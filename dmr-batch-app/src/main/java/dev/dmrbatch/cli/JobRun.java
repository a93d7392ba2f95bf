package dev.dmrbatch.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.conversation.server.SharedStore;
import dev.dmrbatch.export.Exports;
import dev.dmrbatch.history.RunNotes;
import dev.dmrbatch.run.job.ConversationRuns;
import dev.dmrbatch.run.job.DryRuns;
import dev.dmrbatch.run.job.RunOutcome;
import dev.dmrbatch.run.plan.BuiltInJob;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.run.plan.RunPlan;
import dev.dmrbatch.run.plan.RunPlanner;
import dev.dmrbatch.text.Causes;
import dev.dmrbatch.text.SafeText;

import org.springframework.batch.core.BatchStatus;
import org.springframework.beans.factory.ObjectProvider;
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

	/** The export {@code junit=} writes. */
	private static final String JUNIT = "junit";

	private final RunPlanner planner;

	private final ConversationRuns runs;

	private final List<BuiltInJob> builtIns;

	private final Environment environment;

	private final RunNotes notes;

	private final DmrProperties properties;

	private final ObjectProvider<Exports> exports;

	private final ObjectProvider<ConversationStore> store;

	private final ObjectProvider<DryRuns> dryRuns;

	JobRun(RunPlanner planner, ConversationRuns runs, List<BuiltInJob> builtIns, Environment environment,
			RunNotes notes, DmrProperties properties, ObjectProvider<Exports> exports,
			ObjectProvider<ConversationStore> store, ObjectProvider<DryRuns> dryRuns) {
		this.dryRuns = dryRuns;
		this.planner = planner;
		this.runs = runs;
		this.builtIns = builtIns;
		this.environment = environment;
		this.notes = notes;
		this.properties = properties;
		this.exports = exports;
		this.store = store;
	}

	/** What a job file's run uses: {@link Arguments#JOB_RUN}, each of which {@link #usage} names. */
	static Set<String> arguments() {
		return Arguments.JOB_RUN;
	}

	/**
	 * Its usage lines for {@code help}, after {@code java -jar dmr-batch.jar}; a line that starts with a space goes on
	 * from the one before.
	 */
	String usage() {
		return """
				job=<name> [input=<path>] [output=<dir>] [model=<name>]
				    [profile=<name>] [var.<key>=<value> ...] [run=<label>|new] [concurrency=<n|auto>]
				    [cache=on|off|refresh] [cluster=on|off] [tag=<a,b>] [base-url=<url>[,<url>...]] (the runners)
				    [rate=<n>/<s|min>] [tokens-rate=<n>/<s|min>] (at most, to each runner, on top of concurrency)
				    [limit=<n> | sample=<n> [sample-seed=<s>]] (a trial run: the first n or n drawn records)
				    [repeat=<n>] (ask each item n times, each answer stored and checked; the summary says how they agree)
				    [junit=<file>] (the results as JUnit XML too, a test case per item and check, for CI)
				    [dry-run] (render and count every request into prompts.jsonl; send nothing)
				    [retry=failed] (asks the failed items of the run named by run=, else the latest, again)
				    [max_tokens=<n>] [temperature=<t>] [top_p=<p>] [seed=<n>] [stop=<a,b>]
				    [presence_penalty=<p>] [frequency_penalty=<p>] [stream=<true|false>]
				    [logprobs=<true|false>] [top_logprobs=<n>] [n=1]
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
		Path junit = junitFile(arguments.get("junit"));
		RunPlan plan = this.planner.plan(arguments.toRequest());
		if (arguments.dryRun()) {
			summarize(this.dryRuns.getObject().dryRun(plan));
			return 0;
		}
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
		List<String> exported = (junit != null) ? writeJunit(outcome, junit) : List.of();
		int exitCode = outcome.alreadyComplete() ? 0 : outcome.exitCode();
		List<String> lines = summarize(outcome, exported, retry);
		String stepSummary = this.environment.getProperty(StepSummary.VARIABLE);
		if (stepSummary != null && !stepSummary.isBlank()) {
			StepSummary.append(stepSummary, outcome, lines, exitCode);
		}
		return exitCode;
	}

	/**
	 * {@code junit=<file>}: where the run's JUnit XML goes besides its output folder, relative to the working folder.
	 * @throws ArgumentException for a folder, or a file in a folder that is not there
	 */
	private Path junitFile(String given) {
		if (given == null) {
			return null;
		}
		Path file = this.properties.resolve(given);
		if (Files.isDirectory(file)) {
			throw new ArgumentException("junit=" + SafeText.excerpt(given, 200) + " is a folder; junit= names the "
					+ "file the JUnit XML is written to, such as junit=reports/dmr-batch.xml");
		}
		if (file.getParent() != null && !Files.isDirectory(file.getParent())) {
			throw new ArgumentException("junit=" + SafeText.excerpt(given, 200) + ": the folder "
					+ SafeText.excerpt(String.valueOf(file.getParent()), 200) + " is not there");
		}
		return file;
	}

	/**
	 * Writes the run's {@code junit} export into its output folder, unless its job file's exports already did, and
	 * copies it to the file {@code junit=} names.
	 * @return the files written, as the summary lists them
	 */
	private List<String> writeJunit(RunOutcome outcome, Path target) {
		RunRecord run = this.store.getObject().findRun(outcome.runId()).orElse(null);
		if (run == null || run.outputDir() == null) {
			Console.warning("the run has no output folder yet: junit=" + target + " is not written");
			return List.of();
		}
		Exports exports = this.exports.getObject();
		Path written = Path.of(run.outputDir(), exports.formats().builtIn(JUNIT).files().get(0));
		try {
			if (!outcome.exports().contains(written.toString())) {
				exports.write(run, List.of(JUNIT));
			}
		}
		catch (UncheckedIOException ex) {
			// the run is done and stored: its summary and exit code stand, the missing file is said
			Console.error("junit=" + target + " is not written: the run's JUnit XML could not be written to " + written
					+ " (" + SafeText.excerpt(String.valueOf(ex.getCause().getMessage()), 200) + ")");
			return List.of();
		}
		try {
			Files.copy(written, target, StandardCopyOption.REPLACE_EXISTING);
		}
		catch (IOException ex) {
			Console.error("junit=" + target + " cannot be written (" + SafeText.excerpt(String.valueOf(ex.getMessage()),
					200) + "); the run's JUnit XML is " + written);
			return List.of();
		}
		return List.of(target.toString());
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
		if (arguments.dryRun()) {
			throw new ArgumentException("dry-run and retry=failed cannot go together: a dry run shows what a new or "
					+ "resumed run would send");
		}
		if ("new".equals(arguments.get("run"))) {
			throw new ArgumentException("retry=failed asks the failed items of a run that exists again: give its "
					+ "run=<label>, or no run= for the latest run, not run=new");
		}
		return true;
	}

	private static String rootMessage(Throwable error) {
		return SafeText.firstLine(String.valueOf(Causes.root(error).getMessage()));
	}

	private void summarize(DryRuns.Outcome o) {
		if (o.complete()) {
			Console.out("run " + o.run() + " of " + o.job() + " is already complete: the same command without dry-run "
					+ "sends nothing. To run it again, give a new run=<label>.");
			return;
		}
		Console.out(String.format(Locale.ROOT, "dry run of %s: %d items, %d requests, %d prompt tokens (%s); nothing "
				+ "was sent", o.job(), o.items(), o.requests(), o.promptTokens(),
				(o.counted() == o.requests()) ? "counted by the runner's /tokenize"
						: (o.counted() == 0) ? "estimated as characters / 4: the runner does not count them"
								: o.counted() + " requests counted by the runner's /tokenize, the others estimated as "
										+ "characters / 4"));
		if (o.stored() > 0) {
			Console.out("  run " + o.run() + " goes on: " + o.stored() + " items it stored are not sent again");
		}
		o.unanswered().forEach((step, requests) -> Console.out("  step " + step + " uses an earlier step's answer: "
				+ "its requests cannot be rendered before it exists (" + requests + " not counted)"));
		Console.out("prompts: " + o.file());
	}

	/**
	 * Prints the run's summary.
	 * @param exported the files written after the run ({@code junit=})
	 * @param retry whether the run's failed items were asked again ({@code retry=failed})
	 * @return its lines on stdout but the per-model, per-runner and per-worker ones, for the step summary
	 */
	private List<String> summarize(RunOutcome o, List<String> exported, boolean retry) {
		String run = o.name();
		List<String> lines = new ArrayList<>();
		if (o.alreadyComplete() && retry) {
			lines.add(run + " has no failed items (" + o.ok() + " ok); nothing was sent. Exports: " + o.outputDir());
			exported.forEach((file) -> lines.add("exports: " + file));
			lines.forEach(Console::out);
			return lines;
		}
		if (o.alreadyComplete()) {
			lines.add(run + " is already complete (" + o.ok() + " ok, " + o.failed()
					+ " failed); nothing was sent. Exports: " + o.outputDir()
					+ ". To run it again, give a new run=<label>" + ((o.failed() > 0) ? "; retry=failed asks its failed "
					+ "items again." : "."));
			exported.forEach((file) -> lines.add("exports: " + file));
			lines.forEach(Console::out);
			return lines;
		}
		lines.add(o.summaryLine());
		if (o.cacheLine() != null) {
			lines.add(o.cacheLine());
		}
		if (o.failuresLine() != null) {
			lines.add(o.failuresLine());
		}
		lines.forEach(Console::out);
		o.checkLines().forEach(Console::out);
		o.agreementLines().forEach(Console::out);
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
			lines.add("exports: " + file);
		}
		for (String file : exported) {
			Console.out("exports: " + file);
			lines.add("exports: " + file);
		}
		o.exportWarnings().forEach(Console::warning);
		if (o.gateLine() != null) {
			Console.error(o.gateLine());
			lines.add(o.gateLine());
		}
		Path log = (o.outputDir() != null) ? Path.of(o.outputDir(), "dmr-batch.log") : null;
		if (log != null && Files.exists(log)) {
			Console.out("log: " + log);
		}
		return lines;
	}

}
