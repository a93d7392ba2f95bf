package dev.dmrbatch.cli;

import dev.dmrbatch.run.plan.ReservedNames;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/** The commands' names and aliases, and {@code help}: what a job file cannot be called. */
@Component
class CommandNames implements ReservedNames {

	private final ObjectProvider<Command> commands;

	CommandNames(ObjectProvider<Command> commands) {
		this.commands = commands;
	}

	@Override
	public boolean isReserved(String name) {
		return name.equals("help") || this.commands.stream()
			.anyMatch((command) -> command.name().equals(name) || command.aliases().contains(name));
	}

}
