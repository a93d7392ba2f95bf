package dev.dmrbatch.jobfile;

import java.io.CharConversionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.dmrbatch.check.CheckKinds;
import dev.dmrbatch.config.Concurrency;
import dev.dmrbatch.config.Pacing;
import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.config.RunnerEndpoint;
import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.export.ExportFormats;
import dev.dmrbatch.export.ExportKind;
import dev.dmrbatch.input.InputFormatKind;
import dev.dmrbatch.input.InputFormats;
import dev.dmrbatch.model.StructuredOutput;
import dev.dmrbatch.plugin.Kind;
import dev.dmrbatch.plugin.LoadedPlugins;
import dev.dmrbatch.plugin.Plugins;
import dev.dmrbatch.plugin.Provided;
import dev.dmrbatch.plugin.api.Options;
import dev.dmrbatch.step.StepKinds;
import dev.dmrbatch.text.Causes;
import dev.dmrbatch.text.SafeText;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.ReaderException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.dataformat.yaml.YAMLMapper;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.stereotype.Component;

/**
 * Finds and reads job files. Each problem becomes one sentence that names the file, the key and, where YAML
 * tells it, the line.
 */
@Component
public class JobFiles {

	private static final Pattern STEP_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,98}");

	private static final Pattern DUPLICATE = Pattern.compile("^Duplicate (?:Object )?(?:property|field) [\"'](.*)[\"']$");

	private final YAMLMapper yaml = YAMLMapper.builder()
		.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
		.addModule(UnwrappedKeys.module())
		.build();

	private final DmrProperties properties;

	private final Validator validator;

	private final Plugins plugins;

	private final InputFormats inputFormats;

	private final ExportFormats exportFormats;

	private final StepKinds stepKinds;

	private final CheckKinds checkKinds;

	JobFiles(DmrProperties properties, Validator validator, Plugins plugins, InputFormats inputFormats,
			ExportFormats exportFormats, StepKinds stepKinds, CheckKinds checkKinds) {
		this.properties = properties;
		this.validator = validator;
		this.plugins = plugins;
		this.inputFormats = inputFormats;
		this.exportFormats = exportFormats;
		this.stepKinds = stepKinds;
		this.checkKinds = checkKinds;
	}

	/**
	 * What the working folder's plugins provide, loaded the first time this is asked: only a name that is not built
	 * in asks.
	 * @throws dev.dmrbatch.plugin.PluginLoadException naming a jar that cannot be used
	 */
	public LoadedPlugins plugins() {
		return this.plugins.loaded();
	}

	public Path jobsFolder() {
		return this.properties.resolve("jobs");
	}

	/** The names of the job files in {@code jobs/}, sorted. */
	public List<String> available() {
		Path folder = jobsFolder();
		if (!Files.isDirectory(folder)) {
			return List.of();
		}
		try (Stream<Path> files = Files.list(folder)) {
			return files.map((p) -> p.getFileName().toString())
				.filter((n) -> n.endsWith(".yaml") || n.endsWith(".yml"))
				.map((n) -> n.substring(0, n.lastIndexOf('.')))
				.sorted()
				.toList();
		}
		catch (IOException ex) {
			return List.of();
		}
	}

	/** Reads {@code jobs/<name>.yaml} (or {@code .yml}), or the job file at a path. */
	public JobDefinition load(String nameOrPath) {
		return read(nameOrPath).job();
	}

	/** As {@link #load}, with the file's text as it was read: what a run keeps of its job file. */
	public JobFile read(String nameOrPath) {
		Path file = locate(nameOrPath);
		byte[] bytes;
		try {
			bytes = Files.readAllBytes(file);
		}
		catch (IOException ex) {
			throw new JobFileException("job file " + display(file) + " cannot be read: "
					+ SafeText.excerpt(String.valueOf(ex.getMessage()), 200));
		}
		// a job file that is not UTF-8 is refused by the parser, so the text is the file
		return new JobFile(parse(bytes, file), new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
	}

	/**
	 * A job file's text as a run kept it, read and checked as the file at {@code file} would be.
	 * @param file where the job file is, for messages
	 */
	public JobDefinition parse(String text, Path file) {
		return parse(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), file);
	}

	private JobDefinition parse(byte[] bytes, Path file) {
		JobDefinition job;
		try {
			job = this.yaml.readValue(bytes, JobDefinition.class);
		}
		catch (JacksonException ex) {
			throw new JobFileException(describe(file, ex));
		}
		if (job == null) {
			throw new JobFileException("job file " + display(file) + " is empty");
		}
		job = job.withSource(file);
		validate(job, file);
		return job;
	}

	private Path locate(String nameOrPath) {
		if (nameOrPath.endsWith(".yaml") || nameOrPath.endsWith(".yml") || nameOrPath.contains("/")) {
			Path file = this.properties.resolve(nameOrPath);
			if (!Files.isRegularFile(file)) {
				throw new JobFileException("job file " + nameOrPath + " does not exist");
			}
			return file;
		}
		for (String extension : List.of(".yaml", ".yml")) {
			Path file = jobsFolder().resolve(nameOrPath + extension);
			if (Files.isRegularFile(file)) {
				return file;
			}
		}
		List<String> jobs = available();
		throw new JobFileException("unknown job '" + nameOrPath + "': there is no " + display(jobsFolder())
				+ "/" + nameOrPath + ".yaml" + (jobs.isEmpty() ? "" : " (jobs: " + String.join(", ", jobs) + ")"));
	}

	private void validate(JobDefinition job, Path file) {
		String where = "job file " + display(file);
		List<String> problems = new ArrayList<>();
		if (job.input() != null) {
			input(problems, job.input());
		}
		if (job.steps() == null || job.steps().isEmpty()) {
			problems.add("'steps' is missing: a job needs at least one step with a prompt or a template");
		}
		else {
			Set<String> names = new HashSet<>();
			for (int i = 0; i < job.steps().size(); i++) {
				JobDefinition.Step step = job.steps().get(i);
				String at = "steps[" + i + "]";
				if (step == null) {
					problems.add(at + " is empty");
					continue;
				}
				if (step.name() == null || step.name().isBlank()) {
					problems.add(at + " has no name");
				}
				else if (!STEP_NAME.matcher(step.name()).matches()) {
					problems.add(at + ".name '" + step.name()
							+ "' must be letters, digits and '_' (it is used as ${steps." + step.name() + "})");
				}
				else if (!names.add(step.name())) {
					problems.add(at + ".name '" + step.name() + "' is used by an earlier step too");
				}
				this.stepKinds.check(step, at, problems);
				checkStep(problems, at, step);
				this.checkKinds.checkStep(problems, at, step, step.responseFormat() != null
						&& !"text".equals(step.responseFormat()), this.validator);
			}
		}
		checkGate(problems, job);
		if (job.models() != null) {
			if (job.model() != null && job.model().name() != null) {
				problems.add("give either 'models' or 'model.name', not both");
			}
			if (job.models().stream().anyMatch((m) -> m == null || m.isBlank())) {
				problems.add("'models' has an empty name");
			}
			else if (new HashSet<>(job.models()).size() < job.models().size()) {
				problems.add("'models' names one model twice");
			}
		}
		try {
			Concurrency.parse(job.concurrency(), "concurrency");
			Pacing.parse(job.rate(), "rate", job.tokensRate(), "tokens-rate");
			if (job.runners() != null) {
				for (RunnerEndpoint runner : job.runners()) {
					if (runner != null && runner.concurrency() != null) {
						Concurrency.parse(runner.concurrency(), "concurrency of runner " + runner.url());
					}
					if (runner != null) {
						runner.pacing(Pacing.NONE);
					}
				}
			}
		}
		catch (IllegalArgumentException ex) {
			problems.add(ex.getMessage());
		}
		if (job.skipLimit() != null && job.skipLimit() < 0) {
			problems.add("skip-limit must be 0 or more");
		}
		if (job.repeat() != null && (job.repeat() < 1 || job.repeat() > JobDefinition.MAX_REPEAT)) {
			problems.add("repeat must be a whole number from 1 to " + JobDefinition.MAX_REPEAT);
		}
		if (job.retry() != null) {
			if (job.retry().attempts() != null && job.retry().attempts() < 1) {
				problems.add("retry.attempts must be at least 1");
			}
			checkDuration(problems, "retry.backoff", job.retry().backoff());
			checkDuration(problems, "retry.max-backoff", job.retry().maxBackoff());
		}
		if (job.export() != null) {
			for (String format : job.export()) {
				ExportKind export = this.exportFormats.find(format);
				String problem = (export == null)
						? "export '" + format + "' is not one of " + String.join(", ", this.exportFormats.names())
						: export.optionsProblem("export-options." + format, job.exportOptions(format));
				if (problem != null) {
					problems.add(problem);
				}
			}
		}
		if (job.exportOptions() != null) {
			for (String format : job.exportOptions().keySet()) {
				ExportKind export = job.exportsOrDefault().contains(format) ? this.exportFormats.find(format) : null;
				if (!job.exportsOrDefault().contains(format) || (export != null && export.optionsSchema() == null)) {
					problems.add("export-options." + format + ": options are for exports that plugins provide and "
							+ "the job's export list names");
				}
			}
		}
		List<String> withLayouts = this.exportFormats.withLayouts().stream().map(ExportKind::name).toList();
		for (var layout : job.layoutsOrEmpty().entrySet()) {
			if (!withLayouts.contains(layout.getKey())) {
				problems.add("layouts." + layout.getKey() + ": only " + Kind.sentence(withLayouts, "and")
						+ " exports have layouts");
			}
			else if (!Files.isRegularFile(this.properties.resolve("templates").resolve(layout.getValue()))) {
				problems.add("layouts." + layout.getKey() + ": template " + layout.getValue() + " not found in templates/");
			}
		}
		if (job.model() != null) {
			for (ConstraintViolation<?> violation : this.validator.validate(job.model())) {
				problems.add("model." + snake(violation.getPropertyPath().toString()) + " "
						+ violation.getMessage());
			}
			checkExtra(problems, "model", job.model());
		}
		if (!problems.isEmpty()) {
			throw new JobFileException(where + ": " + String.join("; ", problems));
		}
	}

	/** The input's format: known, and its options only where it takes them. */
	private void input(List<String> problems, JobDefinition.Input input) {
		InputFormatKind format = (input.format() != null) ? this.inputFormats.find(input.format()) : null;
		if (input.format() != null && format == null) {
			problems.add("input.format '" + input.format() + "' is not one of "
					+ String.join(", ", this.inputFormats.names()));
		}
		else if (input.options() != null && (format == null || format.optionsSchema() == null)) {
			problems.add((format != null) ? "input.options: input format " + format.name() + " takes none"
					: "input.options needs input.format, the format whose options they are");
		}
	}

	private void checkStep(List<String> problems, String at, JobDefinition.Step step) {
		for (ConstraintViolation<?> violation : this.validator.validate(step.settings())) {
			problems.add(at + "." + snake(violation.getPropertyPath().toString()) + " " + violation.getMessage());
		}
		checkExtra(problems, at, step.settings());
		if (step.conversation() != null && !List.of("new", "continue").contains(step.conversation())) {
			problems.add(at + ".conversation '" + step.conversation() + "' must be 'new' or 'continue'");
		}
		if (step.jsonRetries() != null && step.jsonRetries() < 0) {
			problems.add(at + ".json_retries must be 0 or more");
		}
		if (step.when() != null && step.when().isBlank()) {
			problems.add(at + ".when is empty: give a condition such as item.lang != \"en\", or remove it");
		}
		String format = step.responseFormat();
		if (format != null && !JobDefinition.Step.RESPONSE_FORMATS.contains(format)) {
			problems.add(at + ".response_format '" + format + "' is not one of "
					+ String.join(", ", JobDefinition.Step.RESPONSE_FORMATS));
			return;
		}
		boolean hasSchema = step.schema() != null || step.schemaFile() != null;
		if ("json_schema".equals(format)) {
			if ((step.schema() == null) == (step.schemaFile() == null)) {
				problems.add(at + " has response_format json_schema: it needs exactly one of 'schema' or 'schema_file'");
				return;
			}
			try {
				structuredOutput(step);
			}
			catch (JobFileException ex) {
				problems.add(ex.getMessage());
			}
		}
		else if (hasSchema) {
			problems.add(at + " has a schema but response_format is not json_schema");
		}
	}

	/** The problems of the job's {@code gate:}. */
	private static void checkGate(List<String> problems, JobDefinition job) {
		if (job.gate() == null) {
			return;
		}
		Double rate = job.gate().minPassRate();
		if (rate == null) {
			problems.add("gate needs min-pass-rate, a share between 0 and 1 such as 0.9");
		}
		else if (rate < 0 || rate > 1) {
			problems.add("gate.min-pass-rate must be a share between 0 and 1, such as 0.9");
		}
		if (!job.hasChecks()) {
			problems.add("gate is given but no step has checks for it to count");
		}
	}

	/** An {@code extra:} key that a setting of its own sends would send it twice, and one of them unchecked. */
	private static void checkExtra(List<String> problems, String at, ModelSettings settings) {
		for (String key : settings.ownFieldsInExtra()) {
			problems.add(at + ".extra." + key + ": " + (key.equals("model") || key.equals("messages")
					|| key.equals("prompt") || key.equals("input") || key.equals("stream_options")
							? "dmr-batch sends it itself" : "give it as " + at + "." + key + ", not in extra"));
		}
	}

	/**
	 * What JSON a step asks for, or {@code null} for a text answer.
	 * @throws JobFileException naming the step's schema when it cannot be read or is not a JSON Schema
	 */
	public StructuredOutput structuredOutput(JobDefinition.Step step) {
		if ("json".equals(step.responseFormat())) {
			return StructuredOutput.anyObject(step.name());
		}
		if (!"json_schema".equals(step.responseFormat())) {
			return null;
		}
		Path file = (step.schemaFile() != null) ? this.properties.resolve(step.schemaFile()) : null;
		try {
			return StructuredOutput.schema(step.name(), step.schema(), file);
		}
		catch (IllegalArgumentException ex) {
			String what = (file != null) ? "schema_file " + step.schemaFile() : "schema";
			throw new JobFileException("steps." + step.name() + "." + what + " " + ex.getMessage());
		}
	}

	/** The JSON steps of a job and their schemas' top-level properties: the CSV export's data columns. */
	public java.util.Map<String, List<String>> jsonColumns(JobDefinition job) {
		List<StructuredOutput> formats = new ArrayList<>();
		job.steps().forEach((step) -> formats.add(structuredOutput(step)));
		return StructuredOutput.columns(job.steps().stream().map(JobDefinition.Step::name).toList(), formats);
	}

	private static void checkDuration(List<String> problems, String key, String value) {
		if (value == null) {
			return;
		}
		try {
			if (DurationStyle.detectAndParse(value).isNegative()) {
				problems.add(key + " must not be negative");
			}
		}
		catch (IllegalArgumentException ex) {
			problems.add(key + " '" + value + "' is not a duration (e.g. 500ms, 2s, 1m)");
		}
	}

	private String describe(Path file, JacksonException ex) {
		StringBuilder message = new StringBuilder("job file ").append(display(file));
		for (Throwable cause : Causes.of(ex.getCause())) {
			if (cause instanceof CharConversionException) {
				return message.append(" is not UTF-8 text: a job file is YAML").toString();
			}
			if (cause instanceof ReaderException special) {
				return message.append(" holds a character YAML does not allow (")
					.append(String.format("U+%04X", special.getCodePoint()))
					.append("): a job file is YAML text")
					.toString();
			}
		}
		MarkedYamlEngineException syntax = (ex.getCause() instanceof MarkedYamlEngineException marked) ? marked : null;
		int line = 0;
		if (syntax != null && syntax.getProblemMark().isPresent()) {
			line = syntax.getProblemMark().get().getLine() + 1;
		}
		else if (ex.getLocation() != null && ex.getLocation().getLineNr() > 0) {
			line = ex.getLocation().getLineNr();
			if (ex instanceof UnrecognizedPropertyException unknown) {
				line = keyLine(file, line, String.valueOf(unknown.getPropertyName()));
			}
			else if (ex instanceof StreamReadException && duplicateKey(ex) != null) {
				line = keyLine(file, line, duplicateKey(ex));
			}
		}
		if (line > 0) {
			message.append(" line ").append(line);
		}
		message.append(": ");
		String path = path(ex);
		if (syntax != null) {
			message.append("not valid YAML, ").append(SafeText.excerpt(problem(syntax), 80));
			// the place, never the line's text: a file given by mistake (credentials, a .env) may hold a secret there
			syntax.getProblemMark()
				.ifPresent((mark) -> message.append(" (column ").append(mark.getColumn() + 1).append(")"));
		}
		else if (ex instanceof StreamReadException && duplicateKey(ex) != null) {
			message.append("key '").append(SafeText.excerpt(duplicateKey(ex), 40))
				.append("' is given twice (the second would replace the first)");
		}
		else if (ex instanceof UnrecognizedPropertyException unknown) {
			TreeSet<String> known = unknown.getKnownPropertyIds()
				.stream()
				.map(String::valueOf)
				.collect(Collectors.toCollection(TreeSet::new));
			message.append("unknown key '").append(SafeText.excerpt(path, 60)).append("'");
			if (!known.isEmpty()) {
				message.append(" (known here: ").append(String.join(", ", known)).append(")");
			}
		}
		else if (ex instanceof MismatchedInputException mismatch && path.isEmpty()) {
			if (mismatch.getCurrentToken() == null) {
				return "job file " + display(file) + " is empty: it needs at least 'steps'";
			}
			message.append("a job file must be a mapping of keys such as name, model and steps, found ")
				.append(found(mismatch.getCurrentToken()));
		}
		else if (ex instanceof MismatchedInputException mismatch) {
			message.append("'").append(SafeText.excerpt(path, 60)).append("' must be ")
				.append(expected(mismatch.getTargetType(), path.substring(path.lastIndexOf('.') + 1)));
			if (mismatch.getCurrentToken() != null) {
				message.append(", found ").append(found(mismatch.getCurrentToken()));
			}
		}
		else if (!path.isEmpty() && ex.getCause() instanceof IllegalArgumentException invalid
				&& invalid.getMessage() != null) {
			message.append("'").append(SafeText.excerpt(path, 60)).append("' ")
				.append(SafeText.excerpt(invalid.getMessage(), 200));
		}
		else if (!path.isEmpty()) {
			message.append("'").append(SafeText.excerpt(path, 60)).append("' has a value that cannot be used here");
		}
		else {
			message.append("not a job file that can be read");
		}
		return message.toString();
	}

	/** What the YAML parser found wrong, without the excerpt of the file it adds. */
	private static String problem(MarkedYamlEngineException syntax) {
		String problem = (syntax.getProblem() != null) ? syntax.getProblem() : syntax.getContext();
		problem = (problem != null) ? problem : "a syntax error";
		int end = problem.indexOf('\n');
		problem = (end < 0) ? problem : problem.substring(0, end);
		end = problem.indexOf(". ");
		return ((end < 0) ? problem : problem.substring(0, end)).strip();
	}

	/** The key a duplicate-key error names, or {@code null}. */
	private static String duplicateKey(JacksonException ex) {
		Matcher matcher = DUPLICATE.matcher(String.valueOf(ex.getOriginalMessage()));
		return matcher.find() ? matcher.group(1) : null;
	}

	private static String found(JsonToken token) {
		return switch (token) {
			case VALUE_STRING -> "text";
			case START_ARRAY -> "a list";
			case START_OBJECT -> "a mapping";
			case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
			case VALUE_TRUE, VALUE_FALSE -> "true or false";
			case VALUE_NULL -> "nothing";
			default -> "something else";
		};
	}

	/** Jackson places an unknown key after its value; the key's own line is the last one above that names it. */
	private static int keyLine(Path file, int reported, String key) {
		try {
			List<String> lines = Files.readAllLines(file);
			Pattern keyPattern = Pattern.compile("^\\s*(-\\s+)?\"?" + Pattern.quote(key) + "\"?\\s*:");
			for (int i = Math.min(reported, lines.size()) - 1; i >= 0; i--) {
				if (keyPattern.matcher(lines.get(i)).find()) {
					return i + 1;
				}
			}
		}
		catch (IOException ex) {
			// keep Jackson's line
		}
		return reported;
	}

	private static String expected(Class<?> type, String key) {
		if (type == null) {
			return "of another type";
		}
		if (type == String.class) {
			return "text";
		}
		if (type == Integer.class || type == Long.class || type == int.class || type == long.class) {
			return "a whole number";
		}
		if (Number.class.isAssignableFrom(type) || type == double.class) {
			return "a number";
		}
		if (type == Boolean.class || type == boolean.class) {
			return "true or false";
		}
		if (List.class.isAssignableFrom(type)) {
			return switch (key) {
				case "steps" -> "a list of steps";
				case "runners" -> "a list of runners";
				case "models" -> "a list of model names";
				case "export" -> "a list of export formats";
				default -> "a list";
			};
		}
		if (type == JobDefinition.Step.class) {
			return "a step (a mapping with name and prompt or template)";
		}
		if (type == java.net.URI.class) {
			return "a URL";
		}
		if (type == RunnerEndpoint.class) {
			return "a runner (its URL, or a mapping with url, concurrency, rate and tokens-rate)";
		}
		return "a mapping of keys to values";
	}

	private static String path(JacksonException ex) {
		StringBuilder path = new StringBuilder();
		for (JacksonException.Reference reference : ex.getPath()) {
			if (reference.getPropertyName() != null) {
				if (!path.isEmpty()) {
					path.append('.');
				}
				path.append(reference.getPropertyName());
			}
			else if (reference.getIndex() >= 0) {
				path.append('[').append(reference.getIndex()).append(']');
			}
		}
		return path.toString();
	}

	/** A settings' field as the job file names it: {@code topP} is {@code top_p}. */
	private static String snake(String property) {
		return property.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
	}

	public String display(Path file) {
		return this.properties.relative(file).toString();
	}

}
