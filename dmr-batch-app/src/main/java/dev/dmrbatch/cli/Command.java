package dev.dmrbatch.cli;

import java.util.List;
import java.util.Set;

/**
 * One command of the command line: {@code job=<name>}, or the name alone as the first word ({@code runs},
 * {@code config}). Each is a bean; the command line finds it by name or alias, so a new command is a new class.
 * A {@code job=} that names no command runs the job file of that name.
 */
public interface Command {

	/** The name {@code job=} gives. */
	String name();

	/** Other names for the same command. */
	default List<String> aliases() {
		return List.of();
	}

	/**
	 * Its usage lines for {@code help}, after {@code java -jar dmr-batch.jar}; a line that starts with a space goes on
	 * from the one before.
	 */
	String usage();

	/**
	 * The {@code key=value} arguments it uses, besides {@code job=} and {@code profile=}, which every command takes:
	 * {@code of} for a second {@code job=<name>}, {@code var.} for {@code var.<key>=}. Any other is refused (exit 2)
	 * with this list, rather than silently ignored.
	 */
	Set<String> arguments();

	/**
	 * Whether the command uses the store: when it does, its store server is looked for (or started) as the command
	 * begins; {@code config}, {@code plugins} and {@code models}, which do not, start none.
	 */
	default boolean usesStore() {
		return true;
	}

	/**
	 * Whether the command only reads the store, briefly ({@code runs}, {@code show}): when no store server is up, it
	 * opens the store file itself instead of starting one, and a process that asks for the store meanwhile waits the
	 * moment it takes.
	 */
	default boolean readsStoreBriefly() {
		return false;
	}

	/**
	 * Runs the command.
	 * @return the exit code
	 */
	int run(Arguments arguments) throws Exception;

}
