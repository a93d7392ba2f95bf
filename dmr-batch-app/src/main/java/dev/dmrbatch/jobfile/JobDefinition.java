package dev.dmrbatch.jobfile;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.config.RunnerEndpoint;

/**
 * A job file ({@code jobs/<name>.yaml}): what to read, how to prompt, which model, what to export.
 *
 * @param concurrency {@code auto} or a number of requests in flight; {@code null} leaves it to the profile
 * @param rate requests per second or minute each runner is sent at most ({@code 10/s}, {@code 120/min}), on top of
 * the concurrency; {@code null} leaves it to the profile
 * @param tokensRate prompt and completion tokens per second or minute each runner's answers may use; {@code null}
 * leaves it to the profile
 * @param runners several model runners to spread the items across, over the profile's; each a URL, or
 * {@code {url, concurrency}}
 * @param skipLimit how many items may fail before the job fails; {@code null} for no limit
 * @param layouts export layouts of this job, by format ({@code markdown}, {@code text}): templates in
 * {@code templates/} instead of {@code export/results.md.ftl} and {@code export/results.txt.ftl}
 * @param gate the quality gate over the steps' checks, or {@code null}
 * @param source the file it was read from (not a key of the file)
 * @param cache whether calls are answered from the response cache when a stored answer to the same request exists
 * ({@code cache=} at launch overrides it); {@code null} for off
 * @param export the exports' names ({@code dev.dmrbatch.export.ExportFormats}); by default {@code jsonl} and
 * {@code html}
 * @param exportOptions the options of exports that take them (plugins'), by export name
 * @param repeat how many times each item is asked of each model, each answer stored as a conversation of its own
 * ({@code repeat=} at launch overrides it); {@code null} for once
 */
public record JobDefinition(String name, String description, Input input, ModelSettings model,
		@JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> models, String system,
		Map<String, Object> vars, List<Step> steps, String concurrency, Retry retry,
		@JsonProperty("skip-limit") Integer skipLimit, List<String> export, Map<String, String> layouts,
		List<RunnerEndpoint> runners, Gate gate, @JsonIgnore Path source, Boolean cache,
		@JsonProperty("export-options") Map<String, Map<String, Object>> exportOptions, Boolean cluster, String rate,
		@JsonProperty("tokens-rate") String tokensRate, Integer repeat) {

	public JobDefinition(String name, String description, Input input, ModelSettings model, List<String> models,
			String system, Map<String, Object> vars, List<Step> steps, String concurrency, Retry retry,
			Integer skipLimit, List<String> export, Map<String, String> layouts, List<RunnerEndpoint> runners,
			Gate gate, Path source, Boolean cache, Map<String, Map<String, Object>> exportOptions, Boolean cluster,
			String rate, String tokensRate) {
		this(name, description, input, model, models, system, vars, steps, concurrency, retry, skipLimit, export,
				layouts, runners, gate, source, cache, exportOptions, cluster, rate, tokensRate, null);
	}

	public JobDefinition(String name, String description, Input input, ModelSettings model, List<String> models,
			String system, Map<String, Object> vars, List<Step> steps, String concurrency, Retry retry,
			Integer skipLimit, List<String> export, Map<String, String> layouts, List<RunnerEndpoint> runners,
			Gate gate, Path source, Boolean cache, Map<String, Map<String, Object>> exportOptions, Boolean cluster) {
		this(name, description, input, model, models, system, vars, steps, concurrency, retry, skipLimit, export,
				layouts, runners, gate, source, cache, exportOptions, cluster, null, null);
	}

	public JobDefinition(String name, String description, Input input, ModelSettings model, List<String> models,
			String system, Map<String, Object> vars, List<Step> steps, String concurrency, Retry retry,
			Integer skipLimit, List<String> export, Map<String, String> layouts, List<RunnerEndpoint> runners,
			Gate gate, Path source, Boolean cache, Map<String, Map<String, Object>> exportOptions) {
		this(name, description, input, model, models, system, vars, steps, concurrency, retry, skipLimit, export,
				layouts, runners, gate, source, cache, exportOptions, null);
	}

	public JobDefinition(String name, String description, Input input, ModelSettings model, List<String> models,
			String system, Map<String, Object> vars, List<Step> steps, String concurrency, Retry retry,
			Integer skipLimit, List<String> export, Map<String, String> layouts, List<RunnerEndpoint> runners,
			Gate gate, Path source, Boolean cache) {
		this(name, description, input, model, models, system, vars, steps, concurrency, retry, skipLimit, export,
				layouts, runners, gate, source, cache, null);
	}

	public JobDefinition(String name, String description, Input input, ModelSettings model, List<String> models,
			String system, Map<String, Object> vars, List<Step> steps, String concurrency, Retry retry,
			Integer skipLimit, List<String> export, Map<String, String> layouts, List<RunnerEndpoint> runners,
			Gate gate, Path source) {
		this(name, description, input, model, models, system, vars, steps, concurrency, retry, skipLimit, export,
				layouts, runners, gate, source, null, null);
	}

	public JobDefinition(String name, String description, Input input, ModelSettings model, String system,
			Map<String, Object> vars, List<Step> steps, String concurrency, Retry retry, Integer skipLimit,
			List<String> export, Map<String, String> layouts, Path source) {
		this(name, description, input, model, null, system, vars, steps, concurrency, retry, skipLimit, export, layouts,
				null, null, source);
	}

	/**
	 * @param format the input format's name ({@code dev.dmrbatch.input.InputFormats}: {@code csv}, {@code jsonl},
	 * {@code json}, {@code text} and those of plugins); by default the one the path's ending or folder brings
	 * @param path the input, relative to the working folder; {@code input=} on the command line overrides it
	 * @param id the field that identifies an item; by default the record number, or the file name for text
	 * @param options what a plugin's input format is given, {@code null} for none
	 */
	public record Input(String format, String path, String id, Map<String, Object> options) {

		public Input(String format, String path, String id) {
			this(format, path, id, null);
		}

	}

	/**
	 * One user turn and the model's reply; the prompt is inline or in {@code templates/<template>}. The model
	 * settings on a step ({@code model}, {@code temperature}, {@code max_tokens} …) override the job's for this step.
	 *
	 * @param model the step's own model, over the job's
	 * @param settings the step's request settings, given among its keys as in the job's {@code model:} block
	 * ({@code temperature}, {@code max_tokens} …, every key of {@link ModelSettings} but its {@code name}, which is
	 * {@code model} here), with {@code model} as their name
	 * @param when a FreeMarker boolean expression over the item and earlier steps; when false the step is skipped
	 * @param conversation {@code new} to start a fresh conversation (the system prompt and this step only);
	 * {@code continue}, the default, to carry on the item's conversation
	 * @param responseFormat {@code json} (any JSON object) or {@code json_schema} (with {@code schema} or
	 * {@code schema_file})
	 * @param schema a JSON Schema, inline
	 * @param schemaFile a JSON Schema file, relative to the working folder
	 * @param jsonRetries how many times an answer that does not parse or validate is asked for again (default 2)
	 * @param type what the step does, as its type says ({@link dev.dmrbatch.step.StepKind}): {@code chat}, the
	 * default, a turn of the conversation; {@code complete} its rendered prompt, raw, to the legacy completions endpoint;
	 * {@code embed} its rendered text to the embeddings endpoint; or a step type of a plugin
	 * @param checks what is checked on the step's answer, in order; {@code null} for none
	 * @param options what a plugin's step type is given, {@code null} for none
	 * @param images the input's fields that name image files (relative to the input file's folder), which a chat
	 * step sends with its prompt; {@code null} for none (an {@code images} input's file goes with the first chat step
	 * of each conversation)
	 * @param maxImageSide the longest side, in pixels, an image is sent with: a larger one is made smaller, the aspect
	 * kept (default: the profile's {@code dmr.max-image-side}, else 1024)
	 */
	public record Step(String name, String prompt, String template, String model, @JsonUnwrapped ModelSettings settings,
			String when, String conversation, @JsonProperty("response_format") String responseFormat,
			Map<String, Object> schema, @JsonProperty("schema_file") String schemaFile,
			@JsonProperty("json_retries") Integer jsonRetries, String type, List<Check> checks,
			Map<String, Object> options,
			@JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> images,
			@JsonProperty("max-image-side") Integer maxImageSide) {

		public static final List<String> RESPONSE_FORMATS = List.of("text", "json", "json_schema");

		public Step {
			settings = ((settings != null) ? settings : ModelSettings.NONE).withName(model);
		}

		/** A step with a prompt or a template, and nothing else. */
		public Step(String name, String prompt, String template) {
			this(name, prompt, template, null, null, null, null, null, null, null, null, null, null, null, null, null);
		}

		/** This step sent to another model (its settings named after it). */
		public Step withModel(String model) {
			return new Step(name, prompt, template, model, settings, when, conversation, responseFormat, schema,
					schemaFile, jsonRetries, type, checks, options, images, maxImageSide);
		}

		/** This step with its own request settings. */
		public Step withSettings(ModelSettings settings) {
			return new Step(name, prompt, template, model, settings, when, conversation, responseFormat, schema,
					schemaFile, jsonRetries, type, checks, options, images, maxImageSide);
		}

		/** This step with these checks on its answer. */
		public Step withChecks(List<Check> checks) {
			return new Step(name, prompt, template, model, settings, when, conversation, responseFormat, schema,
					schemaFile, jsonRetries, type, checks, options, images, maxImageSide);
		}

		public List<Check> checksOrEmpty() {
			return (checks != null) ? checks : List.of();
		}

		public boolean startsNewConversation() {
			return "new".equals(conversation);
		}

		/** The longest side an image is sent with when neither a step nor the profile says. */
		public static final int DEFAULT_MAX_IMAGE_SIDE = dev.dmrbatch.config.DmrProperties.DEFAULT_MAX_IMAGE_SIDE;

		/** The step's {@code max-image-side}, else the profile's ({@code dmr.max-image-side}, or its default). */
		public int maxImageSideOr(int profile) {
			return (maxImageSide != null) ? maxImageSide : profile;
		}

		public int jsonRetriesOrDefault() {
			return (jsonRetries != null) ? jsonRetries : 2;
		}

	}

	/**
	 * A check on a step's answer, named in results as {@code <step>.<check>}. Which keys apply depends on the type
	 * (each {@link dev.dmrbatch.check.CheckKind} says); the job file's check refuses the others.
	 *
	 * @param value the text a {@code contains}, {@code not-contains} or {@code equals} check looks for; for
	 * {@code expected}, a FreeMarker template rendered with the item
	 * @param values the answers a {@code one-of} check allows
	 * @param pattern a {@code regex} check's regular expression, found anywhere in the answer
	 * @param min a {@code length} check's least length (a whole number); a {@code similar} check's least cosine
	 * similarity, from 0 to 1
	 * @param max a {@code length} check's greatest length; a {@code tokens} check's most completion tokens per call
	 * @param unit a {@code length} check's unit: {@code chars} (the default) or {@code words}
	 * @param path a {@code json-path} check's JSONPath, such as {@code $.category}
	 * @param jsonEquals the value a {@code json-path} check wants at its path
	 * @param exists whether a {@code json-path} check wants its path to be there
	 * @param among the values a {@code json-path} check allows at its path
	 * @param ignoreCase compare without regard to case
	 * @param trim compare the answer without its leading and trailing white space
	 * @param rubric a {@code judge} check's question to its grader: a FreeMarker template that sees the item and the
	 * steps
	 * @param model a {@code judge} check's grader, a {@code similar} check's embedding model: its model and settings
	 * @param passScore the least score, 1 to 5, a {@code judge} check passes with (3 by default)
	 * @param minPassRate the share of answers, 0 to 1, that must pass this check for the run to pass its quality gate
	 * @param options what a plugin's check type is given, {@code null} for none
	 * @param maxMs a {@code latency} check's longest call, in milliseconds
	 */
	public record Check(String name, String type, String value, List<String> values, String pattern, Number min,
			Integer max, String unit, String path, @JsonProperty("equals") Object jsonEquals, Boolean exists,
			@JsonProperty("in") List<Object> among, @JsonProperty("ignore-case") Boolean ignoreCase, Boolean trim,
			String rubric, ModelSettings model, @JsonProperty("pass-score") Integer passScore,
			@JsonProperty("min-pass-rate") Double minPassRate, Map<String, Object> options,
			@JsonProperty("max-ms") Integer maxMs) {

		public Check(String name, String type, String value, List<String> values, String pattern, Number min,
				Integer max, String unit, String path, Object jsonEquals, Boolean exists, List<Object> among,
				Boolean ignoreCase, Boolean trim, String rubric, ModelSettings model, Integer passScore,
				Double minPassRate, Map<String, Object> options) {
			this(name, type, value, values, pattern, min, max, unit, path, jsonEquals, exists, among, ignoreCase, trim,
					rubric, model, passScore, minPassRate, options, null);
		}

		public Check(String name, String type, String value, List<String> values, String pattern, Number min,
				Integer max, String unit, String path, Object jsonEquals, Boolean exists, List<Object> among,
				Boolean ignoreCase, Boolean trim, String rubric, ModelSettings model, Integer passScore,
				Double minPassRate) {
			this(name, type, value, values, pattern, min, max, unit, path, jsonEquals, exists, among, ignoreCase, trim,
					rubric, model, passScore, minPassRate, null);
		}

		/** The keys this check gives, beside {@code name}, {@code type} and {@code min-pass-rate}. */
		public List<String> keysGiven() {
			List<String> keys = new java.util.ArrayList<>();
			java.util.function.BiConsumer<String, Object> given = (key, v) -> {
				if (v != null) {
					keys.add(key);
				}
			};
			given.accept("value", value);
			given.accept("values", values);
			given.accept("pattern", pattern);
			given.accept("min", min);
			given.accept("max", max);
			given.accept("unit", unit);
			given.accept("path", path);
			given.accept("equals", jsonEquals);
			given.accept("exists", exists);
			given.accept("in", among);
			given.accept("ignore-case", ignoreCase);
			given.accept("trim", trim);
			given.accept("rubric", rubric);
			given.accept("model", model);
			given.accept("pass-score", passScore);
			given.accept("options", options);
			given.accept("max-ms", maxMs);
			return keys;
		}

		public boolean ignoresCase() {
			return Boolean.TRUE.equals(ignoreCase);
		}

		public boolean trims() {
			return Boolean.TRUE.equals(trim);
		}

		public int passScoreOrDefault() {
			return (passScore != null) ? passScore : 3;
		}

	}

	/**
	 * The quality gate: a run whose checks pass less often than this ends with its own exit code.
	 *
	 * @param minPassRate the share of answers, 0 to 1, that must pass each check (a check's own
	 * {@code min-pass-rate} replaces it)
	 */
	public record Gate(@JsonProperty("min-pass-rate") Double minPassRate) {
	}

	/**
	 * Retries of transient faults for this job, over the profile's {@code dmr.retry}; durations like {@code 1s},
	 * {@code 500ms}, {@code 2m}.
	 */
	public record Retry(Integer attempts, String backoff, @JsonProperty("max-backoff") String maxBackoff) {
	}

	/**
	 * A job file record's keys as a job file gives them, in the record's order: its components' names, or the names
	 * Jackson reads them under; an unwrapped component's keys in its place, but for those the record has itself.
	 */
	public static List<String> keys(Class<? extends Record> type) {
		List<String> own = new java.util.ArrayList<>();
		for (java.lang.reflect.RecordComponent component : type.getRecordComponents()) {
			if (!component.getAccessor().isAnnotationPresent(JsonUnwrapped.class)) {
				own.add(key(component));
			}
		}
		List<String> keys = new java.util.ArrayList<>();
		for (java.lang.reflect.RecordComponent component : type.getRecordComponents()) {
			if (!component.getAccessor().isAnnotationPresent(JsonUnwrapped.class)) {
				keys.add(key(component));
				continue;
			}
			@SuppressWarnings("unchecked")
			Class<? extends Record> inner = (Class<? extends Record>) component.getType();
			keys(inner).stream().filter((key) -> !own.contains(key)).forEach(keys::add);
		}
		return List.copyOf(keys);
	}

	private static String key(java.lang.reflect.RecordComponent component) {
		JsonProperty property = component.getAccessor().getAnnotation(JsonProperty.class);
		return (property != null && !property.value().isEmpty()) ? property.value() : component.getName();
	}

	JobDefinition withSource(Path file) {
		return new JobDefinition(name, description, input, model, models, system, vars, steps, concurrency, retry,
				skipLimit, export, layouts, runners, gate, file, cache, exportOptions, cluster, rate, tokensRate, repeat);
	}

	/** The most times an item may be asked of a model ({@code repeat}). */
	public static final int MAX_REPEAT = 100;

	/** Whether any step has checks. */
	public boolean hasChecks() {
		return steps != null && steps.stream().anyMatch((step) -> step != null && !step.checksOrEmpty().isEmpty());
	}

	public Map<String, Object> varsOrEmpty() {
		return (vars != null) ? vars : Map.of();
	}

	public Map<String, String> layoutsOrEmpty() {
		return (layouts != null) ? layouts : Map.of();
	}

	/** The options of an export a plugin provides; empty when the job file gives none. */
	public Map<String, Object> exportOptions(String format) {
		Map<String, Object> options = (exportOptions != null) ? exportOptions.get(format) : null;
		return (options != null) ? options : Map.of();
	}

	public List<String> exportsOrDefault() {
		return (export != null) ? export : List.of("jsonl", "html");
	}

}
