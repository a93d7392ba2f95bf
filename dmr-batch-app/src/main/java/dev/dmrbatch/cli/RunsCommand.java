package dev.dmrbatch.cli;

import java.util.Set;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code runs}: the runs in the store, newest first.
 */
@Component
@Order(20)
class RunsCommand implements Command {

	private final HistoryCommands history;

	RunsCommand(HistoryCommands history) {
		this.history = history;
	}

	@Override
	public String name() {
		return "runs";
	}

	@Override
	public String usage() {
		return "job=runs [job=<name>] [--json]";
	}

	@Override
	public Set<String> arguments() {
		return Set.of("of");
	}

	@Override
	public boolean readsStoreBriefly() {
		return true;
	}

	@Override
	public int run(Arguments arguments) throws Exception {
		return this.history.runs(arguments, arguments.option("json"));
	}

}
