package dev.dmrbatch.run.plan;

/**
 * Names a job file cannot take, because {@code job=<name>} already means something else: the command line's own
 * commands. The command line provides them; planning only asks.
 */
@FunctionalInterface
public interface ReservedNames {

	boolean isReserved(String name);

}
