package dev.dmrbatch.config;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.text.SafeText;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.env.OriginTrackedMapPropertySource;
import org.springframework.boot.env.PropertySourceLoader;
import org.springframework.boot.origin.OriginTrackedValue;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.Resource;

/**
 * Reads {@code application.json} and {@code application-<profile>.json} exactly as Spring Boot reads their YAML
 * twins: nested objects become dotted keys, arrays {@code [0]}, {@code [1]}…, a key in brackets
 * ({@code "[ai/qwen3]"}) is kept whole, and every value remembers its file, line and column, so {@code config}
 * and error messages name where a setting came from. A key given twice in one object is refused.
 */
public final class JsonPropertySourceLoader implements PropertySourceLoader {

	/** Made the first time a JSON file is read: most working folders have none. */
	private static final class Json {

		static final JsonMapper MAPPER = JsonMapper.builder()
			.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
			.build();

	}

	private static final java.util.regex.Pattern DUPLICATE = java.util.regex.Pattern
		.compile("Duplicate (?:Object )?(?:property|field) \"(.*)\"");

	@Override
	public String[] getFileExtensions() {
		return new String[] { "json" };
	}

	@Override
	public List<PropertySource<?>> load(String name, Resource resource) throws IOException {
		Map<String, Object> properties = new LinkedHashMap<>();
		try (InputStream in = resource.getInputStream(); JsonParser parser = Json.MAPPER.createParser(in)) {
			JsonToken first = parser.nextToken();
			if (first == null) {
				return List.of();
			}
			if (first != JsonToken.START_OBJECT) {
				throw new ConfigFileException(resource, parser.currentTokenLocation().getLineNr(),
						"a JSON configuration file holds one object");
			}
			flatten(parser, resource, "", properties);
		}
		catch (JacksonException ex) {
			TokenStreamLocation at = ex.getLocation();
			String problem = SafeText.firstLine(ex.getOriginalMessage());
			java.util.regex.Matcher duplicate = DUPLICATE.matcher(problem);
			throw new ConfigFileException(resource, (at != null) ? at.getLineNr() : 0, duplicate.matches()
					? "key '" + SafeText.excerpt(duplicate.group(1), 60) + "' is given twice (the second would "
							+ "replace the first)"
					: "not valid JSON (" + SafeText.excerpt(problem, 120) + ")");
		}
		return properties.isEmpty() ? List.of() : List.of(new OriginTrackedMapPropertySource(name, properties, true));
	}

	/** Reads the object or array the parser is at the start of into {@code properties}, under {@code path}. */
	private static void flatten(JsonParser parser, Resource resource, String path, Map<String, Object> properties) {
		boolean object = parser.currentToken() == JsonToken.START_OBJECT;
		int index = 0;
		boolean empty = true;
		for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT && token != JsonToken.END_ARRAY;
				token = parser.nextToken()) {
			String key;
			if (object) {
				String name = parser.currentName();
				token = parser.nextToken();
				key = path.isEmpty() ? name : name.startsWith("[") ? path + name : path + "." + name;
			}
			else {
				key = path + "[" + index++ + "]";
			}
			empty = false;
			if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
				flatten(parser, resource, key, properties);
			}
			else {
				TokenStreamLocation at = parser.currentTokenLocation();
				Object value = switch (token) {
					case VALUE_NULL -> "";
					case VALUE_TRUE, VALUE_FALSE -> parser.getBooleanValue();
					default -> parser.getString();
				};
				properties.put(key, OriginTrackedValue.of(value,
						new TextResourceOrigin(resource, new TextResourceOrigin.Location(at.getLineNr() - 1,
								at.getColumnNr() - 1))));
			}
		}
		if (empty && !path.isEmpty()) {
			properties.put(path, "");
		}
	}

}
