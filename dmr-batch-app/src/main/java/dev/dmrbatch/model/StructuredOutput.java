package dev.dmrbatch.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.dmrbatch.text.SafeText;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A step that asks for JSON: what is sent as OpenAI's {@code response_format} (the runner constrains the answer with
 * a grammar where it can), and the check of the answer, which is parsed and, for {@code json_schema}, validated
 * against the schema, because not every runner enforces it and a truncated answer never does.
 */
public final class StructuredOutput {

	private static final JsonMapper JSON = JsonMapper.shared();

	/**
	 * Schemas without {@code $schema} are read as the newest draft, as OpenAI's own structured outputs are. In a
	 * holder, so that the validator's classes load only for a job that has a schema: every run touches this class.
	 */
	private static final class Schemas {

		static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

	}

	/** A Markdown code fence around the whole answer, which some models add even when asked for JSON. */
	private static final Pattern FENCE = Pattern.compile("^```(?:json)?\\s*\\n(.*?)\\n?```$", Pattern.DOTALL);

	private final String step;

	private final JsonNode schemaNode;

	private final Schema schema;

	private StructuredOutput(String step, JsonNode schemaNode, Schema schema) {
		this.step = step;
		this.schemaNode = schemaNode;
		this.schema = schema;
	}

	/** Any JSON object ({@code response_format: json}). */
	public static StructuredOutput anyObject(String step) {
		return new StructuredOutput(step, null, null);
	}

	/**
	 * A JSON Schema, inline or from a file.
	 * @throws IllegalArgumentException with one sentence when the schema cannot be read or is not a valid schema
	 */
	public static StructuredOutput schema(String step, Map<String, Object> inline, Path file) {
		JsonNode node;
		if (file != null) {
			try {
				node = JSON.readTree(Files.readString(file));
			}
			catch (IOException ex) {
				throw new IllegalArgumentException("cannot be read: " + ex.getMessage());
			}
			catch (JacksonException ex) {
				throw new IllegalArgumentException("is not valid JSON: " + firstLine(ex.getOriginalMessage()) + " (line "
						+ ex.getLocation().getLineNr() + ")");
			}
		}
		else {
			node = JSON.valueToTree(inline);
		}
		if (node == null || !node.isObject()) {
			throw new IllegalArgumentException("is not a JSON Schema object");
		}
		try {
			Schema schema = Schemas.REGISTRY.getSchema(node);
			schema.initializeValidators();
			return new StructuredOutput(step, node, schema);
		}
		catch (SchemaException | IllegalArgumentException ex) {
			throw new IllegalArgumentException("is not a valid JSON Schema: " + firstLine(ex.getMessage()));
		}
	}

	/** OpenAI's {@code response_format} for this step. */
	public Map<String, Object> responseFormat() {
		if (this.schemaNode == null) {
			return Map.of("type", "json_object");
		}
		Map<String, Object> jsonSchema = new LinkedHashMap<>();
		jsonSchema.put("name", this.step);
		jsonSchema.put("strict", true);
		jsonSchema.put("schema", JSON.treeToValue(this.schemaNode, Object.class));
		return Map.of("type", "json_schema", "json_schema", jsonSchema);
	}

	/** The schema's top-level properties, in the schema's order: the CSV export's columns for this step. */
	public List<String> properties() {
		List<String> names = new ArrayList<>();
		if (this.schemaNode != null && this.schemaNode.path("properties").isObject()) {
			names.addAll(this.schemaNode.path("properties").propertyNames());
		}
		return names;
	}

	/**
	 * The JSON steps of a job and their top-level properties, in step order: the CSV export's data columns.
	 * @param steps the step names
	 * @param formats per step, its structured output or {@code null}
	 */
	public static Map<String, List<String>> columns(List<String> steps, List<StructuredOutput> formats) {
		Map<String, List<String>> columns = new LinkedHashMap<>();
		for (int i = 0; i < steps.size(); i++) {
			if (formats.get(i) != null) {
				columns.put(steps.get(i), formats.get(i).properties());
			}
		}
		return columns;
	}

	/**
	 * Parses and validates an answer.
	 * @return the parsed answer
	 * @throws InvalidAnswerException with what is wrong with it, in one sentence
	 */
	public JsonNode check(String answer) {
		String text = answer.strip();
		Matcher fence = FENCE.matcher(text);
		if (fence.matches()) {
			text = fence.group(1).strip();
		}
		JsonNode parsed;
		try {
			parsed = JSON.readTree(text);
		}
		catch (JacksonException ex) {
			throw new InvalidAnswerException("the answer is not valid JSON: " + firstLine(ex.getOriginalMessage()));
		}
		if (parsed == null || parsed.isMissingNode()) {
			throw new InvalidAnswerException("the answer is empty, not JSON");
		}
		if (this.schema == null) {
			if (!parsed.isObject()) {
				throw new InvalidAnswerException("the answer is JSON but not an object");
			}
			return parsed;
		}
		List<Error> errors = this.schema.validate(parsed);
		if (!errors.isEmpty()) {
			List<String> messages = errors.stream().limit(3).map(Error::getMessage).toList();
			throw new InvalidAnswerException("the answer does not match the schema: " + String.join("; ", messages)
					+ ((errors.size() > 3) ? " (and " + (errors.size() - 3) + " more)" : ""));
		}
		return parsed;
	}

	private static String firstLine(String text) {
		return SafeText.firstLine(text);
	}

	/** An answer that does not parse or does not validate. */
	public static final class InvalidAnswerException extends RuntimeException {

		InvalidAnswerException(String message) {
			super(message);
		}

	}

}
