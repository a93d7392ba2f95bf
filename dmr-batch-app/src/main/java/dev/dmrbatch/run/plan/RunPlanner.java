package dev.dmrbatch.run.plan;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import dev.dmrbatch.cache.CacheMode;
import dev.dmrbatch.check.CheckKinds;
import dev.dmrbatch.check.JobChecks;
import dev.dmrbatch.config.Concurrency;
import dev.dmrbatch.config.Pacing;
import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.config.LaunchSettings;
import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.config.RunnerEndpoint;
import dev.dmrbatch.export.Exports;
import dev.dmrbatch.input.InputFormatKind;
import dev.dmrbatch.input.InputFormats;
import dev.dmrbatch.input.InputReaders;
import dev.dmrbatch.input.InputSource;
import dev.dmrbatch.plugin.api.Options;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.jobfile.JobFiles;
import dev.dmrbatch.model.StructuredOutput;
import dev.dmrbatch.prompt.PromptTemplates;
import dev.dmrbatch.prompt.Prompts;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.stereotype.Component;

/**
 * Turns a request into a {@link RunPlan}, checking everything that can be checked without the model runner: the
 * job file, its templates, the input, the settings. Each problem stops the run with one sentence.
 */
@Component
public class RunPlanner {

	/**
	 * A run label, a job's name and a chat session's name become a folder name: they must not be able to leave
	 * {@code output/} or {@code output/<job>/}.
	 */
	private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

	/** {@code run=new}: a new run, labelled with the time it was planned at. */
	public static final String NEW_RUN = "new";

	/** The label of a {@code run=new}: the time in UTC, to the second, so labels sort as the runs were started. */
	static final DateTimeFormatter NEW_LABEL = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)
		.withZone(ZoneOffset.UTC);

	private final Clock clock;

	/** Whether a run already has this label: {@code run=new} never names an existing run. */
	private final java.util.function.Predicate<String> labelTaken;

	private final JobFiles jobFiles;

	private final PromptTemplates templates;

	private final DmrProperties properties;

	private final Exports exports;

	private final InputFormats inputFormats;

	private final List<BuiltInJob> builtIns;

	private final ReservedNames reserved;

	private final LaunchSettings launch;

	private final CheckKinds checkKinds;

	@org.springframework.beans.factory.annotation.Autowired
	RunPlanner(JobFiles jobFiles, PromptTemplates templates, DmrProperties properties, Exports exports,
			InputFormats inputFormats, List<BuiltInJob> builtIns, ReservedNames reserved, LaunchSettings launch,
			CheckKinds checkKinds, dev.dmrbatch.conversation.ConversationStore store) {
		this(jobFiles, templates, properties, exports, inputFormats, builtIns, reserved, launch, checkKinds,
				Clock.systemUTC(),
				(label) -> !store.findRunsByLabel(label).isEmpty());
	}

	/** A planner that finds no label taken, for tests of plans that never reach the store. */
	RunPlanner(JobFiles jobFiles, PromptTemplates templates, DmrProperties properties, Exports exports,
			InputFormats inputFormats, List<BuiltInJob> builtIns, ReservedNames reserved, LaunchSettings launch,
			CheckKinds checkKinds) {
		this(jobFiles, templates, properties, exports, inputFormats, builtIns, reserved, launch, checkKinds,
				Clock.systemUTC(),
				(label) -> false);
	}

	private RunPlanner(JobFiles jobFiles, PromptTemplates templates, DmrProperties properties, Exports exports,
			InputFormats inputFormats, List<BuiltInJob> builtIns, ReservedNames reserved, LaunchSettings launch,
			CheckKinds checkKinds, Clock clock, java.util.function.Predicate<String> labelTaken) {
		this.inputFormats = inputFormats;
		this.checkKinds = checkKinds;
		this.labelTaken = labelTaken;
		this.clock = clock;
		this.launch = launch;
		this.builtIns = builtIns;
		this.reserved = reserved;
		this.exports = exports;
		this.jobFiles = jobFiles;
		this.templates = templates;
		this.properties = properties;
	}

	public RunPlan plan(RunRequest request) {
		if (request.trial() != null && request.label() == null) {
			// a trial run is never the full run: given no run=, it is labelled by what it takes
			request = request.withLabel(request.trial().label());
		}
		request = labelled(request, this.clock, this.labelTaken);
		for (BuiltInJob builtIn : this.builtIns) {
			if (builtIn.name().equals(request.job())) {
				return builtIn.plan(request, this);
			}
		}
		dev.dmrbatch.jobfile.JobFile file = this.jobFiles.read(request.job());
		JobDefinition job = file.job();
		String jobName = jobName(job);
		Prompts prompts = this.templates.compile(job);
		this.exports.checkLayouts(job.exportsOrDefault(), job.layoutsOrEmpty());
		InputSource input = input(job, request);
		InputReaders.check(input);
		List<ModelSettings> models = models(job, request);
		List<StructuredOutput> formats = formats(job);
		String concurrencySetting = (request.concurrency() != null) ? request.concurrency() : job.concurrency();
		boolean auto = concurrencySetting == null || concurrencySetting.equals("auto");
		int concurrency = concurrency(job, request);
		Map<String, Object> vars = new LinkedHashMap<>(job.varsOrEmpty());
		vars.putAll(request.vars());
		checkLabel(request);
		Path output = output(request);
		List<List<ModelSettings>> steps = stepSettings(job, models);
		int repeat = repeat(job, request);
		return RunPlan.builder(jobName, job, prompts, input)
			.models(models, steps)
			.formats(formats)
			.vars(vars)
			.concurrency(concurrency, auto)
			.retry(retry(job))
			.skipLimit(job.skipLimit())
			.label(request.label())
			.output(output)
			.lanes(lanes(job, request, concurrency, auto))
			.checks(checks(job))
			.cache(cache(job, request))
			.spec(new RunSpec(file.text(), models, steps, (repeat > 1) ? repeat : null,
					this.properties.maxImageSideOrDefault()))
			.cluster(cluster(job, request))
			.maxImageSide(this.properties.maxImageSideOrDefault())
			.repeat(repeat)
			.repeatGiven(request.repeat() != null)
			.build();
	}

	/**
	 * The plan of a run being resumed: the job file, the templates and the request settings it was started with
	 * ({@code kept}), whatever became of the files and the profile since; what does not change its answers (the
	 * runners, the concurrency, the output folder, the cache) as planned now.
	 * @param run how messages name the run, such as {@code run live300 of summarize}
	 * @param templates the templates' sources the run was started with
	 * @throws RunException when a setting given at this launch differs from the one the run was started with,
	 * naming it: a resume never sends the rest of the items under other settings
	 */
	public RunPlan resume(RunPlan current, RunSpec kept, Map<String, String> templates, String run) {
		List<String> differences = launchDifferences(kept);
		// a launch that says nothing of it goes on as the run started (whatever the job file says now); one that asks
		// another count is refused
		if (current.repeatGiven() && current.repeat() != kept.repetitions()) {
			differences.add("repeat " + kept.repetitions() + " (this launch gives " + current.repeat() + ")");
		}
		if (!differences.isEmpty()) {
			throw new RunException(run + " was started with " + String.join(", ", differences)
					+ ": resume it without " + ((differences.size() == 1) ? "that setting" : "those settings")
					+ " to go on as it started, or give run=new for a new run");
		}
		JobDefinition job = this.jobFiles.parse(kept.jobFile(), current.job().source());
		Prompts prompts = this.templates.compile(job, templates);
		return current.resumed(job, prompts, formats(job), retry(job), checks(job), kept);
	}

	/**
	 * The request settings given at this launch that differ from what a step of the kept run sends, each as
	 * {@code max_tokens 64 (this launch gives 128, from the command line (max_tokens=))}.
	 */
	private List<String> launchDifferences(RunSpec kept) {
		List<String> differences = new java.util.ArrayList<>();
		ModelSettings given = this.launch.settings();
		java.util.function.BiConsumer<String, java.util.function.Function<ModelSettings, Object>> compare = (field,
				value) -> {
			Object now = value.apply(given);
			String source = this.launch.source(field.startsWith("extra.") ? "extra" : field);
			for (ModelSettings step : kept.steps().stream().flatMap(List::stream).toList()) {
				Object was = value.apply(step);
				if (!java.util.Objects.equals(was, now)) {
					differences.add(field + " " + shown(was) + " (this launch gives " + shown(now) + ", from the "
							+ source + ")");
					return;
				}
			}
		};
		for (String field : LaunchSettings.KEYS.keySet()) {
			if (given.value(field) != null) {
				compare.accept(field, (settings) -> settings.value(field));
			}
		}
		if (given.extra() != null) {
			given.extra().keySet().forEach((key) -> compare.accept("extra." + key,
					(settings) -> (settings.extra() != null) ? settings.extra().get(key) : null));
		}
		return differences;
	}

	private static String shown(Object value) {
		return (value == null) ? "unset" : dev.dmrbatch.text.SafeText.excerpt(String.valueOf(value), 40);
	}

	/** The job's checks, compiled: a judge's grader gets the profile's settings for its model under its own. */
	public JobChecks checks(JobDefinition job) {
		return this.checkKinds.compile(job, this.templates,
				(grader) -> this.properties.settingsFor(grader.name()).overriddenBy(grader).withName(grader.name()));
	}

	/** The request with {@code run=new} replaced by the label of a new run: the time now (UTC), as yyyyMMdd-HHmmss. */
	static RunRequest labelled(RunRequest request, Clock clock) {
		return labelled(request, clock, (label) -> false);
	}

	/**
	 * {@code run=new} made a label from the time; a second one in the same second gets {@code -2}, {@code -3}, ...,
	 * which still sort as the runs started.
	 */
	static RunRequest labelled(RunRequest request, Clock clock, java.util.function.Predicate<String> taken) {
		if (!NEW_RUN.equals(request.label())) {
			return request;
		}
		String time = NEW_LABEL.format(clock.instant());
		String label = time;
		for (int n = 2; taken.test(label); n++) {
			label = time + "-" + n;
		}
		return request.withLabel(label);
	}

	/** {@code cache=} at launch, else the job file's {@code cache:}; off by default. */
	static CacheMode cache(JobDefinition job, RunRequest request) {
		if (request.cache() != null) {
			try {
				return CacheMode.parse(request.cache(), "cache=");
			}
			catch (IllegalArgumentException ex) {
				throw new RunException(ex.getMessage());
			}
		}
		return Boolean.TRUE.equals(job.cache()) ? CacheMode.ON : CacheMode.OFF;
	}

	/**
	 * {@code cluster=on|off} at launch, else the job file's {@code cluster:}, else {@code dmr.cluster.enabled}: whether
	 * the run's items go to the cluster's workers.
	 */
	boolean cluster(JobDefinition job, RunRequest request) {
		if (request.cluster() != null) {
			return switch (request.cluster()) {
				case "on", "true" -> true;
				case "off", "false" -> false;
				default -> throw new RunException("cluster=" + dev.dmrbatch.text.SafeText.excerpt(request.cluster(), 20)
						+ " is not on or off");
			};
		}
		return (job.cluster() != null) ? job.cluster() : this.properties.cluster().enabled();
	}

	/** {@code output=}: a folder for the exports, never an existing file. */
	public Path output(RunRequest request) {
		if (request.output() == null) {
			return null;
		}
		Path output = this.properties.resolve(request.output());
		if (java.nio.file.Files.exists(output) && !java.nio.file.Files.isDirectory(output)) {
			throw new RunException("output=" + request.output() + " is a file; output= names a folder for the exports");
		}
		return output;
	}

	/**
	 * Whether a name can name an output folder: a run's label, a job's or a chat session's name (letters, digits,
	 * '.', '_' and '-', up to 100, not starting with '.', '_' or '-').
	 */
	public static boolean isLabel(String name) {
		return name != null && LABEL.matcher(name).matches();
	}

	public static void checkLabel(RunRequest request) {
		if (request.label() != null && !isLabel(request.label())) {
			throw new RunException("run=" + dev.dmrbatch.text.SafeText.excerpt(request.label(), 40)
					+ " is not a valid run label: use letters, digits, '.', '_' and '-' (it names the output folder)");
		}
	}

	private String jobName(JobDefinition job) {
		String file = job.source().getFileName().toString();
		String name = (job.name() != null) ? job.name() : file.substring(0, file.lastIndexOf('.'));
		if (!isLabel(name)) {
			throw new RunException("job file " + file + ": name '" + name
					+ "' must be letters, digits, '.', '_' and '-' (it names the output folder)");
		}
		if (this.reserved.isReserved(name)
				|| this.builtIns.stream().anyMatch((builtIn) -> builtIn.name().equals(name))) {
			throw new RunException("job file " + file + ": name '" + name + "' is taken by a built-in command");
		}
		return name;
	}

	private InputSource input(JobDefinition job, RunRequest request) {
		JobDefinition.Input spec = (job.input() != null) ? job.input() : new JobDefinition.Input(null, null, null);
		String path = (request.input() != null) ? request.input() : spec.path();
		if (path == null) {
			throw new RunException("no input: give input=<path> or set input.path in " + job.source().getFileName());
		}
		// an input= with a telling extension or a folder brings its own format; otherwise the job file's applies (a
		// plugin's format always does: its files may well have a telling extension, such as .json)
		Path resolved = this.properties.resolve(path);
		boolean builtIn = spec.format() == null || this.inputFormats.isBuiltIn(spec.format());
		InputFormatKind given = (request.input() != null && builtIn) ? this.inputFormats.guess(path, resolved) : null;
		InputFormatKind named = (spec.format() != null) ? this.inputFormats.find(spec.format()) : null;
		if (given != null && named != null && named.readsFolders() && Files.isDirectory(resolved)) {
			given = named; // a folder of the job's documents (format pdf) is read as the job says, not as text
		}
		if (given == null && spec.format() == null) {
			given = this.inputFormats.guess(path, resolved);
			if (given == null) {
				throw new RunException("cannot tell the format of input " + path + ": set input.format ("
						+ this.inputFormats.builtInChoice() + ") in " + job.source().getFileName());
			}
		}
		InputFormatKind format = (given != null) ? given : this.inputFormats.find(spec.format());
		if (format == null) {
			throw new RunException("input.format '" + spec.format() + "' is not one of "
					+ String.join(", ", this.inputFormats.names()));
		}
		// the steps' image fields name files beside an input file; an input of folders brings its own images (a PDF's
		// pages without text, when a step asks for images: [page])
		List<String> imageFields = job.steps().stream().filter((step) -> step.images() != null)
			.flatMap((step) -> step.images().stream()).distinct().toList();
		return new InputSource(format, resolved, spec.id(), inputName(resolved), Options.of(spec.options()),
				request.trial(), imageFields);
	}

	/**
	 * How an input is named in messages and in the run's identity, whatever the spelling it was given in
	 * ({@code ./in//a.csv}, {@code in/a.csv}, the absolute path): relative to the working folder when inside it,
	 * else absolute, so one file is always one input.
	 */
	public String inputName(Path resolved) {
		String name = this.properties.relative(resolved).toString().replace('\\', '/');
		return name.isEmpty() ? "." : name;
	}

	/**
	 * The models every item goes through: {@code model=a,b} on the command line, else the job's {@code models:} or
	 * {@code model.name}, else the profile's default model.
	 */
	List<ModelSettings> models(JobDefinition job, RunRequest request) {
		List<String> names;
		if (request.model() != null) {
			names = Arrays.stream(request.model().split(",")).map(String::strip).filter((m) -> !m.isEmpty()).toList();
		}
		else if (job.models() != null && !job.models().isEmpty()) {
			names = job.models();
		}
		else {
			names = List.of((job.model() != null && job.model().name() != null) ? job.model().name()
					: this.properties.defaultModel());
		}
		if (names.isEmpty()) {
			throw new RunException("model=" + request.model() + " names no model");
		}
		if (new java.util.HashSet<>(names).size() < names.size()) {
			throw new RunException("the models " + String.join(", ", names) + " name one model twice");
		}
		return names.stream().map((name) -> settings(job, name)).toList();
	}

	/**
	 * Strongest first: the settings given at launch (command line, then environment), the job file, the profile's
	 * settings for the model ({@code dmr.models}), the profile's defaults, the built-in defaults.
	 */
	ModelSettings settings(JobDefinition job, String model) {
		ModelSettings fromJob = (job.model() != null) ? job.model() : ModelSettings.NONE;
		return this.properties.settingsFor(model)
			.overriddenBy(fromJob)
			.overriddenBy(this.launch.settings())
			.withName(model);
	}

	/**
	 * Per model, per step, the settings its requests carry: the step's own settings between the job file's and the
	 * launch settings; a step that names another model starts from that model's profile settings.
	 */
	List<List<ModelSettings>> stepSettings(JobDefinition job, List<ModelSettings> models) {
		ModelSettings fromJob = (job.model() != null) ? job.model() : ModelSettings.NONE;
		return models.stream().map((model) -> job.steps().stream().map((step) -> {
			String name = (step.model() != null) ? step.model() : model.name();
			return this.properties.settingsFor(name)
				.overriddenBy(fromJob)
				.overriddenBy(step.settings())
				.overriddenBy(this.launch.settings())
				.withName(name);
		}).toList()).toList();
	}

	/** What JSON each step asks for; the job file's check has already named a schema that is wrong. */
	private List<StructuredOutput> formats(JobDefinition job) {
		List<StructuredOutput> formats = new java.util.ArrayList<>();
		for (JobDefinition.Step step : job.steps()) {
			formats.add(this.jobFiles.structuredOutput(step));
		}
		return java.util.Collections.unmodifiableList(formats);
	}

	public DmrProperties.Retry retry(JobDefinition job) {
		DmrProperties.Retry profile = this.properties.retry();
		JobDefinition.Retry own = job.retry();
		if (own == null) {
			return profile;
		}
		return new DmrProperties.Retry((own.attempts() != null) ? own.attempts() : profile.attempts(),
				(own.backoff() != null) ? DurationStyle.detectAndParse(own.backoff()) : profile.backoff(),
				(own.maxBackoff() != null) ? DurationStyle.detectAndParse(own.maxBackoff()) : profile.maxBackoff());
	}

	/**
	 * The runners to send to: {@code base-url=a,b} on the command line, else the job file's {@code runners:}, else
	 * the profile's ({@code DMR_BASE_URLS}, {@code dmr.runners}, or the one {@code dmr.base-url}). A runner without a
	 * concurrency, rate or tokens-rate of its own takes the run's.
	 */
	public List<RunPlan.Lane> lanes(JobDefinition job, RunRequest request, int concurrency, boolean auto) {
		List<RunnerEndpoint> endpoints;
		String from;
		if (request.baseUrl() != null) {
			endpoints = java.util.Arrays.stream(request.baseUrl().split(","))
				.map(String::strip)
				.filter((url) -> !url.isEmpty())
				.map((url) -> new RunnerEndpoint(runnerUrl(url, "base-url="), null))
				.toList();
			from = "base-url=";
		}
		else if (job.runners() != null && !job.runners().isEmpty()) {
			endpoints = job.runners();
			from = "runners: in " + this.jobFiles.display(job.source());
		}
		else {
			endpoints = this.properties.runnersOrDefault();
			from = "dmr.runners";
		}
		Pacing pacing = pacing(job, request);
		List<RunPlan.Lane> lanes = new java.util.ArrayList<>();
		java.util.Set<java.net.URI> seen = new java.util.HashSet<>();
		for (RunnerEndpoint endpoint : endpoints) {
			if (endpoint.url() == null || (!RunnerEndpoint.isUnixSocket(endpoint.url())
					&& (endpoint.url().getScheme() == null || endpoint.url().getHost() == null))) {
				throw new RunException("runner url '" + endpoint.url() + "' (" + from + ") must be an absolute http or "
						+ "https URL, such as http://gpu-1:12434/engines/llama.cpp/v1, or a Unix socket's, such as "
						+ "unix:///var/run/docker-model-runner.sock:/engines/llama.cpp/v1");
			}
			if (!seen.add(endpoint.url())) {
				throw new RunException("runner " + endpoint.url() + " is listed twice (" + from + ")");
			}
			String own = endpoint.concurrency();
			Pacing paced = runnerPacing(endpoint, pacing);
			if (own == null || own.equals("auto")) {
				lanes.add(new RunPlan.Lane(endpoint.url(), concurrency, own != null || auto, paced));
			}
			else {
				lanes.add(new RunPlan.Lane(endpoint.url(), concurrencyValue(own, "concurrency of runner "
						+ endpoint.url()), false, paced));
			}
		}
		if (lanes.isEmpty()) {
			throw new RunException(from + " lists no runner");
		}
		return List.copyOf(lanes);
	}

	private static java.net.URI runnerUrl(String url, String from) {
		try {
			return RunnerEndpoint.parse(url, from);
		}
		catch (IllegalArgumentException ex) {
			throw new RunException(ex.getMessage());
		}
	}

	private static Pacing runnerPacing(RunnerEndpoint endpoint, Pacing run) {
		try {
			return endpoint.pacing(run);
		}
		catch (IllegalArgumentException ex) {
			throw new RunException(ex.getMessage());
		}
	}

	private static int concurrencyValue(String value, String what) {
		try {
			return Concurrency.parse(value, what).orElseThrow();
		}
		catch (IllegalArgumentException | java.util.NoSuchElementException ex) {
			throw new RunException(ex.getMessage());
		}
	}

	/**
	 * The limits each runner is kept to, each on its own: {@code rate=} and {@code tokens-rate=} at launch, else the
	 * job file's {@code rate:} and {@code tokens-rate:}, else the profile's {@code dmr.rate} and
	 * {@code dmr.tokens-rate}.
	 */
	public Pacing pacing(JobDefinition job, RunRequest request) {
		try {
			// a job file's own values were checked when the file was read
			return Pacing.parse(request.rate(), "rate=", request.tokensRate(), "tokens-rate=")
				.or(Pacing.parse(job.rate(), "rate", job.tokensRate(), "tokens-rate"))
				.or(this.properties.pacing());
		}
		catch (IllegalArgumentException ex) {
			throw new RunException(ex.getMessage());
		}
	}

	/**
	 * How many times each item is asked of each model: {@code repeat=} at launch, else the job file's {@code repeat:},
	 * else once.
	 */
	static int repeat(JobDefinition job, RunRequest request) {
		if (request.repeat() == null) {
			// a job file's own value was checked when the file was read
			return (job.repeat() != null) ? job.repeat() : 1;
		}
		try {
			int repeat = Integer.parseInt(request.repeat().strip());
			if (repeat >= 1 && repeat <= JobDefinition.MAX_REPEAT) {
				return repeat;
			}
		}
		catch (NumberFormatException ex) {
			// said below
		}
		throw new RunException("repeat=" + dev.dmrbatch.text.SafeText.excerpt(request.repeat(), 40)
				+ " must be a whole number from 1 to " + JobDefinition.MAX_REPEAT);
	}

	public int concurrency(JobDefinition job, RunRequest request) {
		String value = (request.concurrency() != null) ? request.concurrency() : job.concurrency();
		// a job file's own value was checked when the file was read
		String what = (request.concurrency() != null) ? "concurrency=" : "concurrency";
		try {
			return Concurrency.parse(value, what).orElse(this.properties.concurrency());
		}
		catch (IllegalArgumentException ex) {
			throw new RunException(ex.getMessage());
		}
	}

}
