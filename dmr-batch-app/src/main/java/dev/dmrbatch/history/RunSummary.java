package dev.dmrbatch.history;

import java.time.Instant;
import java.util.List;

/**
 * A run as {@code job=runs} and {@code job=show} report it.
 *
 * @param seconds the time its executions took, added up
 * @param status the last execution's Spring Batch status
 * @param exitCode the exit code the run's last execution gave (or would give), null while it is running or was left
 * running by a process that is gone
 * @param settings the model settings as JSON, never the API key
 */
public record RunSummary(long id, String label, String job, String input, Instant started, double seconds,
		String status, long items, long ok, long failed, long promptTokens, long completionTokens, Integer exitCode,
		String outputDir, String settings, List<Execution> executions) {

	/** One execution: the first start, or a restart. */
	public record Execution(long id, Instant started, Instant ended, double seconds, String status, String exitStatus) {
	}

}
