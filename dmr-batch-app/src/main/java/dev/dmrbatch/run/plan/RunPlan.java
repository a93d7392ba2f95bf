package dev.dmrbatch.run.plan;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.cache.CacheMode;
import dev.dmrbatch.check.JobChecks;
import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.input.InputSource;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.model.StructuredOutput;
import dev.dmrbatch.prompt.Prompts;

/**
 * Everything a run needs, checked before anything is sent.
 *
 * @param jobName the Spring Batch job name: the restart identity, so it never changes for a job file
 * @param models the settings of each model every item goes through, in order (one conversation per item and model)
 * @param formats per step, what JSON its answer must be, or {@code null} for text
 * @param concurrency requests in flight
 * @param autoConcurrency whether {@code concurrency} is only the fallback for {@code auto}: the runner's own slot
 * count, where it tells, replaces it
 * @param retry how transient faults are retried: the job file's {@code retry:} over the profile's {@code dmr.retry}
 * @param skipLimit how many items may fail before the job fails; {@code null} for no limit
 * @param label the {@code run=} label, or {@code null} for the job and input's default run
 * @param output the {@code output=} folder, or {@code null} for {@code output/<job>/<run>/}
 * @param lanes the model runners the items are spread across, one lane each; usually one
 * @param builtIn the built-in job that runs instead of a job file, or {@code null} for a job file
 * @param stepSettings per model of {@code models}, per step of the job, the settings its requests carry
 * @param checks the steps' checks, compiled; {@link JobChecks#NONE} when the job has none
 * @param cache whether calls are answered from the response cache: {@code cache=} over the job file's
 * {@code cache:}
 * @param spec what the run is started with and carries on with when resumed; {@code null} for a built-in job
 * @param cluster whether the run's items go to the workers of the cluster ({@code dev.dmrbatch.cluster}) rather
 * than to runners of this process: {@code cluster=} over the job file's {@code cluster:} over
 * {@code dmr.cluster.enabled}
 */
public record RunPlan(String jobName, JobDefinition job, Prompts prompts, InputSource input,
		List<ModelSettings> models, List<StructuredOutput> formats, Map<String, Object> vars, int concurrency,
		boolean autoConcurrency, DmrProperties.Retry retry, Integer skipLimit, String label, Path output,
		List<Lane> lanes, BuiltInJob builtIn, List<List<ModelSettings>> stepSettings, JobChecks checks,
		CacheMode cache, RunSpec spec, boolean cluster) {

	/** A plan that runs in this process. */
	public RunPlan(String jobName, JobDefinition job, Prompts prompts, InputSource input, List<ModelSettings> models,
			List<StructuredOutput> formats, Map<String, Object> vars, int concurrency, boolean autoConcurrency,
			DmrProperties.Retry retry, Integer skipLimit, String label, Path output, List<Lane> lanes,
			BuiltInJob builtIn, List<List<ModelSettings>> stepSettings, JobChecks checks, CacheMode cache,
			RunSpec spec) {
		this(jobName, job, prompts, input, models, formats, vars, concurrency, autoConcurrency, retry, skipLimit, label,
				output, lanes, builtIn, stepSettings, checks, cache, spec, false);
	}

	/** A plan whose steps' requests carry the model's settings with each step's own over them, the cache off. */
	public RunPlan(String jobName, JobDefinition job, Prompts prompts, InputSource input, List<ModelSettings> models,
			List<StructuredOutput> formats, Map<String, Object> vars, int concurrency, boolean autoConcurrency,
			DmrProperties.Retry retry, Integer skipLimit, String label, Path output, List<Lane> lanes,
			BuiltInJob builtIn, JobChecks checks) {
		this(jobName, job, prompts, input, models, formats, vars, concurrency, autoConcurrency, retry, skipLimit, label,
				output, lanes, builtIn, models.stream()
					.map((model) -> job.steps().stream().map((step) -> model.overriddenBy(step.settings())).toList())
					.toList(), checks, CacheMode.OFF, null);
	}

	/**
	 * One model runner of the run, and its requests in flight.
	 * @param auto whether {@code concurrency} is only the fallback: the runner's own slot count replaces it
	 */
	public record Lane(java.net.URI url, int concurrency, boolean auto) {

		public Lane resolved(int slots) {
			return new Lane(this.url, slots, false);
		}

	}

	/** Whether the items are spread across several runners. */
	public boolean isSpread() {
		return this.lanes.size() > 1;
	}

	/** The first model's settings: the run's model when only one runs. */
	public ModelSettings settings() {
		return this.models.get(0);
	}

	/** Every model the run sends to: the run's models and the steps' own, in order of appearance. */
	public List<String> modelsUsed() {
		if (this.builtIn != null) {
			return this.builtIn.modelsUsed(this);
		}
		java.util.Set<String> names = new java.util.LinkedHashSet<>();
		this.models.forEach((m) -> names.add(m.name()));
		this.job.steps().stream().map(JobDefinition.Step::model).filter(java.util.Objects::nonNull).forEach(names::add);
		names.addAll(this.checks.graderModels());
		return List.copyOf(names);
	}

	/** The JSON steps and their schemas' top-level properties: the CSV export's data columns. */
	public Map<String, List<String>> jsonColumns() {
		return StructuredOutput.columns(this.job.steps().stream().map(JobDefinition.Step::name).toList(), this.formats);
	}

	/** The models' names, comma-separated: how the run is identified and shown. */
	public String modelNames() {
		return String.join(",", this.models.stream().map(ModelSettings::name).toList());
	}

	/**
	 * Items per chunk (per commit) of a lane with this concurrency. The pipeline keeps the slots busy while a chunk
	 * commits, so chunks can stay small: what a crash costs is the uncommitted part of a chunk plus what was read
	 * ahead.
	 */
	public static int chunkSize(int concurrency) {
		return Math.max(4, concurrency * 2);
	}

	/** Items read ahead of the step, running or finished and waiting their turn: the slots, and as many again. */
	public static int readAhead(int concurrency) {
		return Math.max(2, concurrency * 2);
	}

	public RunPlan withLanes(List<Lane> resolved) {
		return new RunPlan(jobName, job, prompts, input, models, formats, vars, resolved.get(0).concurrency(), false,
				retry, skipLimit, label, output, List.copyOf(resolved), builtIn, stepSettings, checks, cache, spec,
				cluster);
	}

}
