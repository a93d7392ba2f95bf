package dev.dmrbatch.run;

import java.nio.file.Path;
import java.util.Map;

import dev.dmrbatch.input.InputSource;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.model.DmrProperties;
import dev.dmrbatch.model.ModelSettings;
import dev.dmrbatch.prompt.Prompts;

/**
 * Everything a run needs, checked before anything is sent.
 *
 * @param jobName the Spring Batch job name: the restart identity, so it never changes for a job file
 * @param concurrency requests in flight
 * @param autoConcurrency whether {@code concurrency} is only the fallback for {@code auto}: the runner's own slot
 * count, where it tells, replaces it
 * @param retry how transient faults are retried: the job file's {@code retry:} over the profile's {@code dmr.retry}
 * @param skipLimit how many items may fail before the job fails; {@code null} for no limit
 * @param label the {@code run=} label, or {@code null} for the job and input's default run
 * @param output the {@code output=} folder, or {@code null} for {@code output/<job>/<run>/}
 */
public record RunPlan(String jobName, JobDefinition job, Prompts prompts, InputSource input, ModelSettings settings,
		Map<String, Object> vars, int concurrency, boolean autoConcurrency, DmrProperties.Retry retry,
		Integer skipLimit, String label, Path output) {

	/**
	 * Items per chunk (per commit). The pipeline keeps the slots busy while a chunk commits, so chunks can stay
	 * small: what a crash costs is the uncommitted part of a chunk plus what was read ahead.
	 */
	public int chunkSize() {
		return Math.max(4, this.concurrency * 2);
	}

	/** Items read ahead of the step, running or finished and waiting their turn: the slots, and as many again. */
	public int readAhead() {
		return Math.max(2, this.concurrency * 2);
	}

	RunPlan withConcurrency(int resolved) {
		return new RunPlan(jobName, job, prompts, input, settings, vars, resolved, false, retry, skipLimit, label, output);
	}

}
