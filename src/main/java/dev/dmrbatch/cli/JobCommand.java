package dev.dmrbatch.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import dev.dmrbatch.input.InputException;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.jobfile.JobFileException;
import dev.dmrbatch.jobfile.JobFiles;
import dev.dmrbatch.prompt.PromptException;
import dev.dmrbatch.run.job.ConversationRuns;
import dev.dmrbatch.run.job.RunOutcome;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.run.plan.RunPlan;
import dev.dmrbatch.run.plan.RunPlanner;

import org.springframework.batch.core.BatchStatus;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.stereotype.Component;

/**
 * Runs the command the arguments name and keeps its exit code. Boot's own job launcher is off
 * ({@code spring.batch.job.enabled=false}): {@code job=} names a job file, not a job bean.
 */
@Component
class JobCommand implements ApplicationRunner, ExitCodeGenerator {

	private final JobFiles jobFiles;

	private final RunPlanner planner;

	private final ConversationRuns runs;

	private final ExportCommand export;

	private final RunnerToolCommands tools;

	private final ConfigCommand config;

	private final HistoryCommands history;

	private int exitCode;

	JobCommand(JobFiles jobFiles, RunPlanner planner, ConversationRuns runs, ExportCommand export,
			RunnerToolCommands tools, HistoryCommands history, ConfigCommand config) {
		this.config = config;
		this.history = history;
		this.jobFiles = jobFiles;
		this.planner = planner;
		this.runs = runs;
		this.export = export;
		this.tools = tools;
	}

	@Override
	public void run(ApplicationArguments args) throws Exception {
		Arguments arguments = Arguments.parse(args.getNonOptionArgs());
		if (arguments.help()) {
			usage();
			this.exitCode = args.getNonOptionArgs().isEmpty() ? CommandLine.NOTHING_RAN : 0;
			return;
		}
		try {
			switch (arguments.job()) {
				case "export" -> {
					this.exitCode = this.export.run(arguments);
					return;
				}
				case "models" -> {
					this.exitCode = this.tools.models(arguments, args.containsOption("json"));
					return;
				}
				case "probe" -> {
					this.exitCode = this.tools.probe(arguments);
					return;
				}
				case "runs" -> {
					this.exitCode = this.history.runs(arguments, args.containsOption("json"));
					return;
				}
				case "show" -> {
					this.exitCode = this.history.show(arguments, args.containsOption("json"));
					return;
				}
				case "config" -> {
					this.exitCode = this.config.run(arguments);
					return;
				}
				case "bench" -> {
					this.exitCode = this.tools.bench(arguments);
					return;
				}
				default -> {
				}
			}
			if (arguments.get("export") != null) {
				throw new RunException("export= goes with job=export; a job's exports are set by export: in its file");
			}
			RunPlan plan = this.planner.plan(arguments.toRequest());
			RunOutcome outcome = this.runs.run(plan);
			summarize(outcome);
			this.exitCode = outcome.alreadyComplete() ? 0 : outcome.exitCode();
		}
		catch (JobFileException | PromptException | InputException | RunException ex) {
			Console.error(ex.getMessage());
			this.exitCode = CommandLine.NOTHING_RAN;
		}
	}

	@Override
	public int getExitCode() {
		return this.exitCode;
	}

	private void summarize(RunOutcome o) {
		String run = o.name();
		if (o.alreadyComplete()) {
			Console.out(run + " is already complete (" + o.ok() + " ok, " + o.failed()
					+ " failed); nothing was sent. Exports: " + o.outputDir()
					+ ". To run it again, give a new run=<label>.");
			return;
		}
		Console.out(o.summaryLine());
		if (o.failuresLine() != null) {
			Console.out(o.failuresLine());
		}
		if (o.models().size() > 1) {
			for (var model : o.models()) {
				Console.out(String.format(Locale.ROOT,
						"  model %s: %d ok, %d failed; tokens %d in, %d out; %d ms average per answered item",
						model.model(), model.ok(), model.failed(), model.promptTokens(), model.completionTokens(),
						model.latencyMillisAverage()));
			}
		}
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
		Path log = (o.outputDir() != null) ? Path.of(o.outputDir(), "dmr-batch.log") : null;
		if (log != null && Files.exists(log)) {
			Console.out("log: " + log);
		}
	}

	private void usage() {
		StringBuilder text = new StringBuilder();
		text.append("""
				usage: java -jar dmr-batch.jar job=<name> [input=<path>] [output=<dir>] [model=<name>]
				           [profile=<name>] [var.<key>=<value> ...] [run=<label>] [concurrency=<n|auto>]
				       java -jar dmr-batch.jar job=export run=<id|label> [export=jsonl,pdf,...] [output=<dir>]
				       java -jar dmr-batch.jar job=runs [job=<name>] [--json]
				       java -jar dmr-batch.jar job=show run=<id|label> [--json]
				       java -jar dmr-batch.jar job=openai-batch input=<requests.jsonl> [output=<dir>] [model=<name>]
				       java -jar dmr-batch.jar config [profile=<name>] [job=<name>] [model=<a,b>]
				       java -jar dmr-batch.jar job=models [format=json]
				       java -jar dmr-batch.jar job=probe [model=<name>] [output=<dir>]
				       java -jar dmr-batch.jar job=bench [model=<name>] [concurrency=1,2,4,8] [requests=N] [max_tokens=N]

				Runs jobs/<name>.yaml over its input: renders each item's prompts, asks the model, keeps the
				conversations and writes the exports (output/<job>/<run>/ unless output= says otherwise).
				Spring Boot options (--dmr.base-url=..., --spring.profiles.active=...) work beside these.
				--quiet: warnings, errors and the summary only; --verbose: every stored item and Spring Batch's
				own account. Progress: a live line on a terminal, else a line every --dmr.progress.every=10s (or 5%).
				The summary and where the results are go to stdout; logs to stderr and <output>/dmr-batch.log.

				exit codes: 0 every item answered, 3 finished with failed items, 4 stopped (resumable),
				            5 failed (resumable), 2 nothing ran (bad arguments, job file, template, input, model)

				""");
		List<String> names = this.jobFiles.available();
		text.append(names.isEmpty() ? "no job files in " + this.jobFiles.jobsFolder() + "\n"
				: "jobs in " + this.jobFiles.jobsFolder() + ":\n");
		for (String name : names) {
			String description;
			try {
				JobDefinition job = this.jobFiles.load(name);
				description = (job.description() != null) ? job.description().strip() : "";
			}
			catch (RuntimeException ex) {
				description = "(invalid: " + ex.getMessage() + ")";
			}
			text.append(String.format(Locale.ROOT, "  %-16s %s%n", name, description));
		}
		Console.out(text.toString().stripTrailing());
	}

}
