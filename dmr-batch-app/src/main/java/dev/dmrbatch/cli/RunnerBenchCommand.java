package dev.dmrbatch.cli;

import java.util.Set;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code bench}: measures a model's throughput on the runner at several concurrencies.
 */
@Component
@Order(80)
class RunnerBenchCommand implements Command {

	private final RunnerToolCommands tools;

	RunnerBenchCommand(RunnerToolCommands tools) {
		this.tools = tools;
	}

	@Override
	public String name() {
		return "bench";
	}

	@Override
	public String usage() {
		return "job=bench [model=<name>] [concurrency=1,2,4,8] [requests=N] [max_tokens=N] [output=<dir>]";
	}

	@Override
	public Set<String> arguments() {
		return Set.of("model", "concurrency", "requests", "max_tokens", "output");
	}

	@Override
	public int run(Arguments arguments) throws Exception {
		return this.tools.bench(arguments);
	}

}
