package dev.dmrbatch.cli;

import java.util.Set;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code models}: the runner's models and what each can do; {@code model=} one model's details.
 */
@Component
@Order(60)
class RunnerModelsCommand implements Command {

	private final RunnerToolCommands tools;

	RunnerModelsCommand(RunnerToolCommands tools) {
		this.tools = tools;
	}

	@Override
	public String name() {
		return "models";
	}

	@Override
	public String usage() {
		return "job=models [model=<name>] [format=json]";
	}

	@Override
	public boolean usesStore() {
		return false;
	}

	@Override
	public Set<String> arguments() {
		return Set.of("format", "model");
	}

	@Override
	public int run(Arguments arguments) throws Exception {
		return this.tools.models(arguments, arguments.option("json"));
	}

}
