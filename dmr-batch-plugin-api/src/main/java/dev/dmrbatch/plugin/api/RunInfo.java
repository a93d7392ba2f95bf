package dev.dmrbatch.plugin.api;

import java.util.List;

/**
 * What an export knows about the run it writes.
 *
 * @param job the job's name
 * @param run the run's label, or its number when it has none
 * @param input how the input is named (its path relative to the working folder, mostly)
 * @param steps the names of the job's steps, in order
 */
public record RunInfo(String job, String run, String input, List<String> steps) {

	/**
	 * A run's facts, its list of steps copied.
	 * @param job the job's name
	 * @param run the run's label or number
	 * @param input how the input is named
	 * @param steps the step names, in order
	 */
	public RunInfo {
		steps = List.copyOf(steps);
	}

}
