package dev.dmrbatch.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.ConfigurationPropertyState;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.PropertySourceOrigin;
import org.springframework.boot.origin.SystemEnvironmentOrigin;
import org.springframework.core.env.CommandLinePropertySource;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.stereotype.Component;

/**
 * The request settings given at launch: on the command line ({@code --dmr.max-tokens=64}, or {@code max_tokens=64},
 * which the command line turns into the former), as a Java system property, or in the environment
 * ({@code DMR_MAX_TOKENS}). They apply to every request of the run, over anything written in files: a step's own
 * settings, the job file, the per-model block and the profile files. Which ones were given is what Spring's own
 * property sources tell: the value that wins comes from the command line, the system properties or the environment.
 */
@Component
public class LaunchSettings {

	/** The request fields that can be set at launch, by their job file name, with their {@code dmr.*} key. */
	public static final Map<String, String> KEYS;

	static {
		Map<String, String> keys = new LinkedHashMap<>();
		keys.put("temperature", "temperature");
		keys.put("top_p", "top-p");
		keys.put("max_tokens", "max-tokens");
		keys.put("stop", "stop");
		keys.put("seed", "seed");
		keys.put("presence_penalty", "presence-penalty");
		keys.put("frequency_penalty", "frequency-penalty");
		keys.put("stream", "stream");
		KEYS = Collections.unmodifiableMap(keys);
	}

	private static final LaunchSettings NONE = new LaunchSettings(ModelSettings.NONE, Map.of());

	private final ModelSettings settings;

	private final Map<String, String> sources;

	@Autowired
	LaunchSettings(ConfigurableEnvironment environment, DmrProperties properties, ApplicationArguments arguments) {
		Map<String, String> sources = new LinkedHashMap<>();
		for (Map.Entry<String, String> key : KEYS.entrySet()) {
			String source = launchSource("dmr." + key.getValue(), environment);
			if (source == null) {
				continue;
			}
			String given = key.getKey() + "=";
			if (source.startsWith("command line")
					&& arguments.getNonOptionArgs().stream().anyMatch((arg) -> arg.startsWith(given))) {
				source = "command line (" + given + ")";
			}
			sources.put(key.getKey(), source);
		}
		this.sources = Collections.unmodifiableMap(sources);
		this.settings = new ModelSettings(null, pick("temperature", properties.temperature()),
				pick("top_p", properties.topP()), pick("max_tokens", properties.maxTokens()),
				pick("stop", properties.stop()), pick("seed", properties.seed()),
				pick("presence_penalty", properties.presencePenalty()),
				pick("frequency_penalty", properties.frequencyPenalty()), pick("stream", properties.stream()));
	}

	private LaunchSettings(ModelSettings settings, Map<String, String> sources) {
		this.settings = settings;
		this.sources = sources;
	}

	/** No setting given at launch. */
	public static LaunchSettings none() {
		return NONE;
	}

	/** These settings as given at launch, each from the command line. */
	public static LaunchSettings of(ModelSettings settings) {
		Map<String, String> sources = new LinkedHashMap<>();
		Map<String, Object> values = new LinkedHashMap<>();
		values.put("temperature", settings.temperature());
		values.put("top_p", settings.topP());
		values.put("max_tokens", settings.maxTokens());
		values.put("stop", settings.stop());
		values.put("seed", settings.seed());
		values.put("presence_penalty", settings.presencePenalty());
		values.put("frequency_penalty", settings.frequencyPenalty());
		values.put("stream", settings.stream());
		values.forEach((key, value) -> {
			if (value != null) {
				sources.put(key, "command line (--dmr." + KEYS.get(key) + ")");
			}
		});
		return new LaunchSettings(settings.withName(null), sources);
	}

	/** The settings given at launch, every other field absent; never a model name. */
	public ModelSettings settings() {
		return this.settings;
	}

	/**
	 * Where a request field's launch value came from, such as {@code environment variable DMR_MAX_TOKENS}.
	 * @param field the field by its job file name ({@code max_tokens})
	 * @return {@code null} when it was not given at launch
	 */
	public String source(String field) {
		return this.sources.get(field);
	}

	private <T> T pick(String field, T bound) {
		return this.sources.containsKey(field) ? bound : null;
	}

	/**
	 * The launch source of a setting's value, as Spring resolves it (the first property source that has it), or
	 * {@code null} when the value that wins comes from a file or a default.
	 */
	static String launchSource(String key, ConfigurableEnvironment environment) {
		ConfigurationPropertyName name = ConfigurationPropertyName.of(key);
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
			ConfigurationProperty property = source.getConfigurationProperty(name);
			if (property == null && source.containsDescendantOf(name) != ConfigurationPropertyState.PRESENT) {
				continue;
			}
			Object underlying = source.getUnderlyingSource();
			String sourceName = (underlying instanceof org.springframework.core.env.PropertySource<?> ps) ? ps.getName()
					: String.valueOf(underlying);
			if (CommandLinePropertySource.COMMAND_LINE_PROPERTY_SOURCE_NAME.equals(sourceName)) {
				return "command line (--" + key + ")";
			}
			if (StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME.equals(sourceName)) {
				return "Java system property " + key;
			}
			if (StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME.equals(sourceName)) {
				Origin origin = (property != null) ? property.getOrigin() : null;
				while (origin instanceof PropertySourceOrigin wrapped && wrapped.getOrigin() != null) {
					origin = wrapped.getOrigin();
				}
				return (origin instanceof SystemEnvironmentOrigin env) ? "environment variable " + env.getProperty()
						: "the environment";
			}
			return null;
		}
		return null;
	}

}
