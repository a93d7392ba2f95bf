package dev.dmrbatch.jobfile;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.dmrbatch.check.CheckKind;
import dev.dmrbatch.check.CheckKinds;
import dev.dmrbatch.export.ExportFormats;
import dev.dmrbatch.export.ExportKind;
import dev.dmrbatch.input.InputFormatKind;
import dev.dmrbatch.input.InputFormats;
import dev.dmrbatch.plugin.Plugins;
import dev.dmrbatch.step.StepKind;
import dev.dmrbatch.step.StepKinds;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Positive;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.core.util.Separators;
import tools.jackson.core.util.Separators.Spacing;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON Schema (draft 2020-12) of a job file, which editors use to complete and check job files: its keys and
 * their types from the job file's records ({@link JobDefinition} and the records it holds, the bounds of their
 * validation annotations), the names of the kinds from their registries. A built-in name is offered from a list; a
 * plugin's is any name a plugin may give. dmr-batch checks more than the schema says (a step's prompt or template,
 * a check's keys for its type): the job file's own check ({@link JobFiles}) has the last word.
 * <p>
 * Each kind comes in at one place: {@link #inputFormat()}, {@link #export()}, {@link #stepType()},
 * {@link #checkType()}, with its options where the kind takes them.
 */
public final class JobFileSchema {

	/** The schema committed with the project, relative to its top folder. */
	public static final String FILE = "schemas/job-file.schema.json";

	private static final String DIALECT = "https://json-schema.org/draft/2020-12/schema";

	/** Keys sorted, so that the file is the same whatever the order of the maps it is built from. */
	private static final ObjectWriter JSON = JsonMapper.builder()
		.enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
		.build()
		.writer()
		.with(new DefaultPrettyPrinter(Separators.createDefaultInstance().withObjectNameValueSpacing(Spacing.AFTER)));

	private final InputFormats inputFormats;

	private final ExportFormats exportFormats;

	private final StepKinds stepKinds;

	private final CheckKinds checkKinds;

	public JobFileSchema(InputFormats inputFormats, ExportFormats exportFormats, StepKinds stepKinds,
			CheckKinds checkKinds) {
		this.inputFormats = inputFormats;
		this.exportFormats = exportFormats;
		this.stepKinds = stepKinds;
		this.checkKinds = checkKinds;
	}

	/** The schema as its file holds it: indented JSON, keys sorted, a line feed at its end. */
	public String json() {
		return JSON.writeValueAsString(schema()).replace("\r\n", "\n") + "\n";
	}

	/** The schema, as plain data. */
	public Map<String, Object> schema() {
		Map<String, Object> definitions = new LinkedHashMap<>();
		Map<String, Object> schema = new LinkedHashMap<>();
		schema.put("$schema", DIALECT);
		schema.put("title", "dmr-batch job file");
		schema.put("description", "A job file, jobs/<name>.yaml: what to read, how to prompt, which model, what to "
				+ "export. Generated from dmr-batch's job file records and its kinds (" + FILE + ").");
		schema.putAll(object(JobDefinition.class, definitions));
		schema.put("$defs", definitions);
		return schema;
	}

	// --- the kinds: names from their registries, each kind's options where it takes them

	/** {@code input.format}. */
	private Map<String, Object> inputFormat() {
		return names(this.inputFormats.builtIn().stream().map(InputFormatKind::name).toList(), "input format");
	}

	/** {@code input.options}: only for a format that takes them, which a built-in one says with its schema. */
	private void inputOptions(Map<String, Object> input) {
		List<String> without = new ArrayList<>();
		List<Map<String, Object>> given = new ArrayList<>();
		for (InputFormatKind format : this.inputFormats.builtIn()) {
			if (format.optionsSchema() == null) {
				without.add(format.name());
			}
			else {
				given.add(when("format", format.name(), "options", format.optionsSchema()));
			}
		}
		input.put("dependentSchemas", Map.of("options", Map.of("required", List.of("format"), "properties",
				Map.of("format", Map.of("not", Map.of("enum", without))))));
		if (!given.isEmpty()) {
			input.put("allOf", given);
		}
	}

	/** An item of {@code export}. */
	private Map<String, Object> export() {
		return names(this.exportFormats.builtIn().stream().map(ExportKind::name).toList(), "export");
	}

	/** {@code export-options}: by export, only for an export that takes them. */
	private Map<String, Object> exportOptions() {
		List<String> without = new ArrayList<>();
		Map<String, Object> given = new LinkedHashMap<>();
		for (ExportKind kind : this.exportFormats.builtIn()) {
			if (kind.optionsSchema() == null) {
				without.add(kind.name());
			}
			else {
				given.put(kind.name(), kind.optionsSchema());
			}
		}
		Map<String, Object> options = new LinkedHashMap<>();
		options.put("type", "object");
		if (!given.isEmpty()) {
			options.put("properties", given);
		}
		options.put("propertyNames", Map.of("not", Map.of("enum", without)));
		options.put("additionalProperties", Map.of("type", "object"));
		return options;
	}

	/** {@code layouts}: a template for each export written with a layout. */
	private Map<String, Object> layouts() {
		Map<String, Object> layouts = new LinkedHashMap<>();
		layouts.put("type", "object");
		layouts.put("propertyNames",
				Map.of("enum", this.exportFormats.withLayouts().stream().map(ExportKind::name).toList()));
		layouts.put("additionalProperties", Map.of("type", "string"));
		return layouts;
	}

	/** {@code steps[].type}: the step types' registry brings its names here. */
	private Map<String, Object> stepType() {
		return names(this.stepKinds.builtIn().stream().map(StepKind::name).toList(), "step type");
	}

	/** {@code steps[].checks[].type}: the check types' registry brings its names here. */
	private Map<String, Object> checkType() {
		return names(this.checkKinds.builtIn().stream().map(CheckKind::name).toList(), "check type");
	}

	/** A key's schema where a kind or a rule of the job file decides it, or {@code null} for its record's type. */
	private Map<String, Object> special(Class<?> record, String key) {
		if (record == JobDefinition.class) {
			return switch (key) {
				case "export" -> Map.of("type", "array", "items", export());
				case "export-options" -> exportOptions();
				case "layouts" -> layouts();
				default -> null;
			};
		}
		if (record == JobDefinition.Input.class && key.equals("format")) {
			return inputFormat();
		}
		if (record == JobDefinition.Step.class) {
			return switch (key) {
				case "type" -> stepType();
				case "response_format" -> Map.of("enum", JobDefinition.Step.RESPONSE_FORMATS);
				case "conversation" -> Map.of("enum", List.of("new", "continue"));
				default -> null;
			};
		}
		if (record == JobDefinition.Check.class && key.equals("type")) {
			return checkType();
		}
		return null;
	}

	/** What a record's schema says beyond its keys. */
	private void rules(Class<?> record, Map<String, Object> schema) {
		if (record == JobDefinition.class) {
			schema.put("required", List.of("steps"));
		}
		else if (record == JobDefinition.Input.class) {
			inputOptions(schema);
		}
		else if (record == JobDefinition.Step.class || record == JobDefinition.Check.class) {
			schema.put("required", List.of("name"));
		}
	}

	/** A built-in name from the list, or any name a plugin may give. */
	private static Map<String, Object> names(Collection<String> builtIn, String kind) {
		Map<String, Object> plugin = new LinkedHashMap<>();
		plugin.put("type", "string");
		plugin.put("pattern", "^" + Plugins.NAME.pattern() + "$");
		plugin.put("description", "a plugin's " + kind);
		Map<String, Object> builtInNames = new LinkedHashMap<>();
		builtInNames.put("enum", List.copyOf(builtIn));
		builtInNames.put("description", "a built-in " + kind);
		return Map.of("anyOf", List.of(builtInNames, plugin));
	}

	/** If {@code key} is {@code value}, then {@code other} has that schema. */
	private static Map<String, Object> when(String key, String value, String other, Map<String, Object> schema) {
		return Map.of("if", Map.of("required", List.of(key), "properties", Map.of(key, Map.of("const", value))),
				"then", Map.of("properties", Map.of(other, schema)));
	}

	// --- the records: their keys as Jackson reads them

	private Map<String, Object> object(Class<?> record, Map<String, Object> definitions) {
		Map<String, Object> properties = new LinkedHashMap<>();
		RecordComponent unwrapped = null;
		for (RecordComponent component : record.getRecordComponents()) {
			AnnotatedElement field = field(record, component);
			if (field.isAnnotationPresent(JsonIgnore.class)) {
				continue;
			}
			if (field.isAnnotationPresent(JsonUnwrapped.class)) {
				unwrapped = component;
				continue;
			}
			Map<String, Object> special = special(record, key(field, component));
			properties.put(key(field, component),
					(special != null) ? special : type(component.getGenericType(), field, definitions));
		}
		if (unwrapped != null) {
			// its keys among the record's own (a step's request settings), each but those the record has itself;
			// typed, their bounds left to the job file's check
			Class<?> inner = unwrapped.getType();
			for (RecordComponent component : inner.getRecordComponents()) {
				AnnotatedElement field = field(inner, component);
				if (!properties.containsKey(key(field, component))) {
					Map<String, Object> type = new LinkedHashMap<>(type(component.getGenericType(), field, definitions));
					type.keySet().removeAll(List.of("minimum", "maximum", "exclusiveMinimum"));
					properties.put(key(field, component), type);
				}
			}
		}
		Map<String, Object> schema = new LinkedHashMap<>();
		schema.put("type", "object");
		schema.put("properties", properties);
		// job files are read with unknown keys refused
		schema.put("additionalProperties", false);
		rules(record, schema);
		return schema;
	}

	private Map<String, Object> type(Type type, AnnotatedElement field, Map<String, Object> definitions) {
		Class<?> raw = raw(type);
		if (raw == String.class) {
			// a number or true/false is read as its text
			return Map.of("type", List.of("string", "number", "boolean"));
		}
		if (raw == URI.class) {
			return Map.of("type", "string");
		}
		if (raw == Integer.class || raw == Long.class || raw == int.class || raw == long.class) {
			return bounded("integer", field);
		}
		if (Number.class.isAssignableFrom(raw) || raw == double.class) {
			return bounded("number", field);
		}
		if (raw == Boolean.class || raw == boolean.class) {
			return Map.of("type", "boolean");
		}
		if (raw == Object.class) {
			return Map.of();
		}
		if (List.class.isAssignableFrom(raw)) {
			Map<String, Object> item = type(argument(type, 0), null, definitions);
			Map<String, Object> list = Map.of("type", "array", "items", item);
			JsonFormat format = (field != null) ? field.getAnnotation(JsonFormat.class) : null;
			boolean single = format != null
					&& List.of(format.with()).contains(JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY);
			return single ? Map.of("anyOf", List.of(item, list)) : list;
		}
		if (Map.class.isAssignableFrom(raw)) {
			Class<?> value = raw(argument(type, 1));
			return Map.of("type", "object", "additionalProperties",
					(value == Object.class) ? Map.of() : type(argument(type, 1), null, definitions));
		}
		if (raw.isRecord()) {
			String name = raw.getSimpleName();
			if (!definitions.containsKey(name)) {
				definitions.put(name, Map.of()); // taken before its keys, which may refer to it
				definitions.put(name, object(raw, definitions));
			}
			Map<String, Object> reference = Map.of("$ref", "#/$defs/" + name);
			return fromText(raw) ? Map.of("anyOf", List.of(Map.of("type", "string"), reference)) : reference;
		}
		throw new IllegalStateException("no JSON Schema for " + type + " of a job file");
	}

	/** A number with the bounds its validation annotations give. */
	private static Map<String, Object> bounded(String type, AnnotatedElement field) {
		Map<String, Object> schema = new LinkedHashMap<>();
		schema.put("type", type);
		if (field == null) {
			return schema;
		}
		if (field.getAnnotation(DecimalMin.class) != null) {
			schema.put("minimum", number(field.getAnnotation(DecimalMin.class).value()));
		}
		if (field.getAnnotation(Min.class) != null) {
			schema.put("minimum", field.getAnnotation(Min.class).value());
		}
		if (field.getAnnotation(Positive.class) != null) {
			schema.put("exclusiveMinimum", 0);
		}
		if (field.getAnnotation(DecimalMax.class) != null) {
			schema.put("maximum", number(field.getAnnotation(DecimalMax.class).value()));
		}
		if (field.getAnnotation(Max.class) != null) {
			schema.put("maximum", field.getAnnotation(Max.class).value());
		}
		return schema;
	}

	private static Number number(String value) {
		BigDecimal number = new BigDecimal(value);
		return (number.scale() <= 0) ? number.intValueExact() : number;
	}

	/** Whether a record is also read from its text alone (a runner as its URL): a static delegating creator. */
	private static boolean fromText(Class<?> record) {
		for (Method method : record.getDeclaredMethods()) {
			JsonCreator creator = method.getAnnotation(JsonCreator.class);
			if (creator != null && creator.mode() == JsonCreator.Mode.DELEGATING && Modifier.isStatic(method.getModifiers())
					&& method.getParameterCount() == 1 && method.getParameterTypes()[0] == String.class) {
				return true;
			}
		}
		return false;
	}

	/** A component's key, as Jackson reads it. */
	private static String key(AnnotatedElement field, RecordComponent component) {
		JsonProperty renamed = field.getAnnotation(JsonProperty.class);
		return (renamed != null && !renamed.value().isEmpty()) ? renamed.value() : component.getName();
	}

	/** The record's field of a component: where Jackson's and the validation's annotations are. */
	private static AnnotatedElement field(Class<?> record, RecordComponent component) {
		try {
			return record.getDeclaredField(component.getName());
		}
		catch (NoSuchFieldException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static Class<?> raw(Type type) {
		return (type instanceof ParameterizedType parameterized) ? (Class<?>) parameterized.getRawType() : (Class<?>) type;
	}

	private static Type argument(Type type, int index) {
		return ((ParameterizedType) type).getActualTypeArguments()[index];
	}

}
