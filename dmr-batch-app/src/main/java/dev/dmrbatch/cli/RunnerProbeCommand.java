package dev.dmrbatch.cli;

import java.util.Set;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code probe}: tries a model's endpoints and features on the runner.
 */
@Component
@Order(70)
class RunnerProbeCommand implements Command {

	private final RunnerToolCommands tools;

	RunnerProbeCommand(RunnerToolCommands tools) {
		this.tools = tools;
	}

	@Override
	public String name() {
		return "probe";
	}

	@Override
	public String usage() {
		return "job=probe [model=<name>] [output=<dir>]";
	}

	@Override
	public Set<String> arguments() {
		return Set.of("model", "output");
	}

	@Override
	public int run(Arguments arguments) throws Exception {
		return this.tools.probe(arguments);
	}

}
