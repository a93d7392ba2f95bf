package dev.dmrbatch.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.conversation.server.SharedStore;
import dev.dmrbatch.input.InputException;
import dev.dmrbatch.jobfile.JobFileException;
import dev.dmrbatch.plugin.PluginLoadException;
import dev.dmrbatch.prompt.PromptException;
import dev.dmrbatch.run.plan.RunException;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Runs the command the arguments name and keeps its exit code: the {@link Command} of that name, else the job file
 * of that name ({@link JobRun}). Boot's own job launcher is off ({@code spring.batch.job.enabled=false}):
 * {@code job=} names a job file, not a job bean.
 * <p>
 * The application's beans are made when first used ({@code spring.main.lazy-initialization}, but for {@code serve}),
 * so a command makes only what it uses: the command of a name is looked for first as the bean of its default name
 * ({@code runs} is {@code runsCommand}), so that finding it makes no other command; a name found that way is checked
 * against the command's own {@link Command#name()}, and any other name (an alias, a job file) asks every command.
 */
@Component
class JobCommand implements ApplicationRunner, ExitCodeGenerator {

	private final DmrProperties properties;

	private final ListableBeanFactory beans;

	private final ObjectProvider<Command> commands;

	private final ObjectProvider<JobRun> jobRun;

	private final Environment environment;

	private int exitCode;

	JobCommand(DmrProperties properties, ListableBeanFactory beans, ObjectProvider<Command> commands,
			ObjectProvider<JobRun> jobRun, Environment environment) {
		this.properties = properties;
		this.beans = beans;
		this.environment = environment;
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
				if (command.usesStore()) {
					SharedStore.prepare(this.environment, command.readsStoreBriefly());
				}
				if (command.readsStoreBriefly()) {
					Console.holdOutput(); // printed once the store is closed (CommandLine)
				}
				this.exitCode = command.run(arguments);
			}
			else {
				SharedStore.prepare(this.environment);
				this.exitCode = this.jobRun.getObject().run(arguments);
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
		String bean = name + "Command";
		if (name.matches("[a-z]+") && this.beans.containsBean(bean) && this.beans.isTypeMatch(bean, Command.class)) {
			Command command = this.beans.getBean(bean, Command.class);
			if (command.name().equals(name)) {
				return command;
			}
		}
		// a job file's run, most likely: it needs the store, whose server is looked for meanwhile
		SharedStore.prepare(this.environment);
		return this.commands.orderedStream()
			.filter((command) -> command.name().equals(name) || command.aliases().contains(name))
			.findFirst()
			.orElse(null);
	}

	/** The usage lines of a job run and of every command, from their beans: what {@link Usage} keeps. */
	String usageLines() {
		return Usage.lines(this.jobRun.getObject().usage(), this.commands.orderedStream().toList());
	}

}
