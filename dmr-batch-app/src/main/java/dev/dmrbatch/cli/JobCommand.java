package dev.dmrbatch.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.input.InputException;
import dev.dmrbatch.jobfile.JobFileException;
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

	private final DmrProperties properties;

	private final List<Command> commands;

	private final JobRun jobRun;

	private int exitCode;

	JobCommand(DmrProperties properties, List<Command> commands, JobRun jobRun) {
		this.properties = properties;
		this.commands = commands;
		this.jobRun = jobRun;
	}

	@Override
	public void run(ApplicationArguments args) throws Exception {
		Arguments arguments = Arguments.parse(args.getNonOptionArgs()).withOptions(args.getOptionNames());
		if (arguments.help()) {
			// the command line answers help before the application starts; this is what a test's in-process run sees
			Console.out(Usage.text(usageLines(), this.properties.home()));
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

	/** The usage lines of a job run and of every command, from their beans: what {@link Usage} keeps. */
	String usageLines() {
		return Usage.lines(this.jobRun.usage(), this.commands);
	}

}
