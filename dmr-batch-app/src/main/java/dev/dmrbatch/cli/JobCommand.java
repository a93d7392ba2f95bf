package dev.dmrbatch.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.dmrbatch.input.InputException;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.jobfile.JobFileException;
import dev.dmrbatch.jobfile.JobFiles;
import dev.dmrbatch.plugin.PluginLoadException;
import dev.dmrbatch.prompt.PromptException;
import dev.dmrbatch.run.plan.RunException;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.stereotype.Component;

/**
 * Runs the command the arguments name and keeps its exit code: the {@link Command} of that name, else the job file
 * of that name ({@link JobRun}). Boot's own job launcher is off ({@code spring.batch.job.enabled=false}):
 * {@code job=} names a job file, not a job bean.
 */
@Component
class JobCommand implements ApplicationRunner, ExitCodeGenerator {

	private final JobFiles jobFiles;

	private final List<Command> commands;

	private final JobRun jobRun;

	private int exitCode;

	JobCommand(JobFiles jobFiles, List<Command> commands, JobRun jobRun) {
		this.jobFiles = jobFiles;
		this.commands = commands;
		this.jobRun = jobRun;
	}

	@Override
	public void run(ApplicationArguments args) throws Exception {
		Arguments arguments = Arguments.parse(args.getNonOptionArgs()).withOptions(args.getOptionNames());
		if (arguments.help()) {
			usage();
			this.exitCode = args.getNonOptionArgs().isEmpty() ? CommandLine.NOTHING_RAN : 0;
			return;
		}
		try {
			Command command = find(arguments.job());
			if (command == null && arguments.bare()) {
				throw Arguments.notACommand(arguments.job());
			}
			if (command != null) {
				refuseUnused(arguments, command.arguments(), (arguments.bare() ? "" : "job=") + command.name());
				this.exitCode = command.run(arguments);
			}
			else {
				this.exitCode = this.jobRun.run(arguments);
			}
		}
		catch (JobFileException | PromptException | InputException | RunException | ArgumentException
				| PluginLoadException ex) {
			Console.error(ex.getMessage());
			this.exitCode = CommandLine.NOTHING_RAN;
		}
	}

	/**
	 * Refuses an argument the command does not use, with the list of those it does: an argument silently ignored
	 * would run something other than what was asked.
	 */
	static void refuseUnused(Arguments arguments, Set<String> used, String command) {
		for (String given : arguments.values().keySet()) {
			String key = given.replaceFirst("#\\d+$", ""); // run#2: a second run=, where a command takes several
			if (!key.equals("job") && !key.equals("profile") && !used.contains(key)) {
				throw new ArgumentException(command + " does not take " + key + "=; its arguments are "
						+ accepted(used));
			}
		}
		if (!arguments.vars().isEmpty() && !used.contains("var.")) {
			throw new ArgumentException(command + " does not take var." + arguments.vars().keySet().iterator().next()
					+ "=; its arguments are " + accepted(used));
		}
	}

	private static String accepted(Set<String> used) {
		List<String> keys = new ArrayList<>();
		used.stream().sorted().map((key) -> switch (key) {
			case "of" -> "job=<name>";
			case "var." -> "var.<key>=";
			default -> key + "=";
		}).forEach(keys::add);
		keys.add("profile=");
		return String.join(", ", keys);
	}

	@Override
	public int getExitCode() {
		return this.exitCode;
	}

	private Command find(String name) {
		for (Command command : this.commands) {
			if (command.name().equals(name) || command.aliases().contains(name)) {
				return command;
			}
		}
		return null;
	}

	private void usage() {
		StringBuilder text = new StringBuilder();
		List<String> lines = new ArrayList<>(List.of(this.jobRun.usage().split("\n")));
		this.commands.forEach((command) -> lines.addAll(List.of(command.usage().split("\n"))));
		for (String line : lines) {
			text.append(text.isEmpty() ? "usage: " : "       ")
				.append(line.startsWith(" ") ? line : "java -jar dmr-batch.jar " + line)
				.append('\n');
		}
		text.append("""

				Runs jobs/<name>.yaml over its input: renders each item's prompts, asks the model, keeps the
				conversations and writes the exports (output/<job>/<run>/ unless output= says otherwise).
				Spring Boot options (--dmr.base-url=..., --spring.profiles.active=...) work beside these.
				--quiet: warnings, errors and the summary only; --verbose: every stored item and Spring Batch's
				own account. Progress: a live line on a terminal, else a line every --dmr.progress.every=10s (or 5%).
				The summary and where the results are go to stdout; logs to stderr and <output>/dmr-batch.log.

				exit codes: 0 every item answered, 3 finished with failed items, 4 stopped (resumable),
				            5 failed (resumable), 6 finished but a check is below its quality gate,
				            2 nothing ran (bad arguments, job file, template, input, model)

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
