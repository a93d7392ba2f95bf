package dev.dmrbatch.cli;

import java.util.Set;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code show}: one run: its settings, figures, failures and exports.
 */
@Component
@Order(30)
class ShowCommand implements Command {

	private final HistoryCommands history;

	ShowCommand(HistoryCommands history) {
		this.history = history;
	}

	@Override
	public String name() {
		return "show";
	}

	@Override
	public String usage() {
		return "job=show run=<id|label> [--json]";
	}

	@Override
	public Set<String> arguments() {
		return Set.of("run");
	}

	@Override
	public boolean readsStoreBriefly() {
		return true;
	}

	@Override
	public int run(Arguments arguments) throws Exception {
		return this.history.show(arguments, arguments.option("json"));
	}

}
