package dev.dmrbatch.run.plan;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.cache.CacheMode;
import dev.dmrbatch.check.JobChecks;
import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.config.Pacing;
import dev.dmrbatch.input.InputSource;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.model.StructuredOutput;
import dev.dmrbatch.prompt.Prompts;

/**
 * Everything a run needs, checked before anything is sent. Made by name: {@link #builder} and its {@link Builder}.
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
 * @param maxImageSide the longest side an image is sent with where a step gives no {@code max-image-side}: the
 * profile's {@code dmr.max-image-side}, else 1024
 * @param repeat how many times each item is asked of each model ({@code repeat=} over the job file's
 * {@code repeat:}), each answer a conversation of its own; 1 for once
 * @param repeatGiven whether {@code repeat=} was given at launch: a resume is refused when it differs from the run's
 * own, and goes on with the run's own otherwise
 */
public record RunPlan(String jobName, JobDefinition job, Prompts prompts, InputSource input,
		List<ModelSettings> models, List<StructuredOutput> formats, Map<String, Object> vars, int concurrency,
		boolean autoConcurrency, DmrProperties.Retry retry, Integer skipLimit, String label, Path output,
		List<Lane> lanes, BuiltInJob builtIn, List<List<ModelSettings>> stepSettings, JobChecks checks,
		CacheMode cache, RunSpec spec, boolean cluster, int maxImageSide,
		int repeat, boolean repeatGiven) {

	/**
	 * A plan by name, of the run of this job; what is not given is none (no vars, no skip limit, no checks, the
	 * cache off, no spec), its steps' answers text and their requests the models' settings with each step's own over
	 * them.
	 */
	public static Builder builder(String jobName, JobDefinition job, Prompts prompts, InputSource input) {
		return new Builder(jobName, input).job(job, prompts);
	}

	/** A builder of a plan like this one. */
	public Builder toBuilder() {
		return new Builder(this.jobName, this.input).job(this.job, this.prompts)
			.models(this.models, this.stepSettings)
			.formats(this.formats)
			.vars(this.vars)
			.concurrency(this.concurrency, this.autoConcurrency)
			.retry(this.retry)
			.skipLimit(this.skipLimit)
			.label(this.label)
			.output(this.output)
			.lanes(this.lanes)
			.builtIn(this.builtIn)
			.checks(this.checks)
			.cache(this.cache)
			.spec(this.spec)
			.cluster(this.cluster)
			.maxImageSide(this.maxImageSide)
			.repeat(this.repeat)
			.repeatGiven(this.repeatGiven);
	}

	/**
	 * This plan for the run it resumes: the job file, templates and request settings the run was started with
	 * ({@code kept}, with what they imply), the rest as planned now.
	 */
	public RunPlan resumed(JobDefinition startedJob, Prompts startedPrompts, List<StructuredOutput> startedFormats,
			DmrProperties.Retry startedRetry, JobChecks startedChecks, RunSpec kept) {
		return toBuilder().job(startedJob, startedPrompts)
			.models(kept.models(), kept.steps())
			.formats(startedFormats)
			.retry(startedRetry)
			.skipLimit(startedJob.skipLimit())
			.builtIn(null)
			.checks(startedChecks)
			.spec(kept)
			.repeat(kept.repetitions())
			.maxImageSide((kept.maxImageSide() != null) ? kept.maxImageSide() : this.maxImageSide)
			.build();
	}

	/** A plan's parts by name; see {@link RunPlan} for each. */
	public static final class Builder {

		private final String jobName;

		private final InputSource input;

		private JobDefinition job;

		private Prompts prompts;

		private List<ModelSettings> models = List.of();

		private List<List<ModelSettings>> stepSettings;

		private List<StructuredOutput> formats;

		private Map<String, Object> vars = Map.of();

		private int concurrency;

		private boolean autoConcurrency;

		private DmrProperties.Retry retry;

		private Integer skipLimit;

		private String label;

		private Path output;

		private List<Lane> lanes = List.of();

		private BuiltInJob builtIn;

		private JobChecks checks = JobChecks.NONE;

		private CacheMode cache = CacheMode.OFF;

		private int maxImageSide = DmrProperties.DEFAULT_MAX_IMAGE_SIDE;

		private RunSpec spec;

		private boolean cluster;

		private int repeat = 1;

		private boolean repeatGiven;

		private Builder(String jobName, InputSource input) {
			this.jobName = jobName;
			this.input = input;
		}

		/** The job file the plan runs, and its templates compiled. */
		public Builder job(JobDefinition job, Prompts prompts) {
			this.job = job;
			this.prompts = prompts;
			return this;
		}

		/** The models, each step's requests carrying a model's settings with the step's own over them. */
		public Builder models(List<ModelSettings> models) {
			return models(models, null);
		}

		/** The models, and per model, per step, the settings its requests carry. */
		public Builder models(List<ModelSettings> models, List<List<ModelSettings>> stepSettings) {
			this.models = models;
			this.stepSettings = stepSettings;
			return this;
		}

		/** Per step, what JSON its answer must be, or {@code null} for text. */
		public Builder formats(List<StructuredOutput> formats) {
			this.formats = formats;
			return this;
		}

		public Builder vars(Map<String, Object> vars) {
			this.vars = vars;
			return this;
		}

		/** The requests in flight, and whether that is only the fallback for {@code auto}. */
		public Builder concurrency(int concurrency, boolean auto) {
			this.concurrency = concurrency;
			this.autoConcurrency = auto;
			return this;
		}

		public Builder retry(DmrProperties.Retry retry) {
			this.retry = retry;
			return this;
		}

		public Builder skipLimit(Integer skipLimit) {
			this.skipLimit = skipLimit;
			return this;
		}

		public Builder label(String label) {
			this.label = label;
			return this;
		}

		public Builder output(Path output) {
			this.output = output;
			return this;
		}

		public Builder lanes(List<Lane> lanes) {
			this.lanes = lanes;
			return this;
		}

		public Builder builtIn(BuiltInJob builtIn) {
			this.builtIn = builtIn;
			return this;
		}

		public Builder checks(JobChecks checks) {
			this.checks = checks;
			return this;
		}

		public Builder cache(CacheMode cache) {
			this.cache = cache;
			return this;
		}

		public Builder spec(RunSpec spec) {
			this.spec = spec;
			return this;
		}

		/** Whether the run's items go to the workers of the cluster rather than to runners of this process. */
		public Builder cluster(boolean cluster) {
			this.cluster = cluster;
			return this;
		}

		/** The longest side of an image sent where a step does not say. */
		public Builder maxImageSide(int maxImageSide) {
			this.maxImageSide = maxImageSide;
			return this;
		}

		/** How many times each item is asked of each model, from 1. */
		public Builder repeat(int repeat) {
			this.repeat = repeat;
			return this;
		}

		/** Whether {@code repeat=} was given at launch. */
		public Builder repeatGiven(boolean given) {
			this.repeatGiven = given;
			return this;
		}

		public RunPlan build() {
			List<JobDefinition.Step> steps = this.job.steps();
			List<StructuredOutput> answers = this.formats;
			if (answers == null) {
				List<StructuredOutput> text = new java.util.ArrayList<>();
				steps.forEach((step) -> text.add(null));
				answers = java.util.Collections.unmodifiableList(text);
			}
			List<List<ModelSettings>> sent = (this.stepSettings != null) ? this.stepSettings
					: this.models.stream()
						.map((model) -> steps.stream().map((step) -> model.overriddenBy(step.settings())).toList())
						.toList();
			return new RunPlan(this.jobName, this.job, this.prompts, this.input, this.models, answers, this.vars,
					this.concurrency, this.autoConcurrency, this.retry, this.skipLimit, this.label, this.output,
					this.lanes, this.builtIn, sent, this.checks, this.cache, this.spec, this.cluster, this.maxImageSide,
					this.repeat, this.repeatGiven);
		}

	}

	/**
	 * One model runner of the run, and its requests in flight.
	 * @param auto whether {@code concurrency} is only the fallback: the runner's own slot count replaces it
	 * @param pacing the {@code rate=} and {@code tokens-rate=} this runner is kept to, on a gate of its own
	 */
	public record Lane(java.net.URI url, int concurrency, boolean auto, Pacing pacing) {

		public Lane(java.net.URI url, int concurrency, boolean auto) {
			this(url, concurrency, auto, Pacing.NONE);
		}

		public Lane resolved(int slots) {
			return new Lane(this.url, slots, false, this.pacing);
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
		return toBuilder().lanes(List.copyOf(resolved)).concurrency(resolved.get(0).concurrency(), false).build();
	}

}
