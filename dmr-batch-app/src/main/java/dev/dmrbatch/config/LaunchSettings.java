package dev.dmrbatch.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
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

	/**
	 * The request fields that can be set at launch, by their job file name, with their {@code dmr.*} key: every
	 * field of {@link ModelSettings#FIELDS} but the model (which {@code model=} names) and {@code extra} (a map,
	 * {@code dmr.extra.*}), its key the name with dashes ({@code max_tokens}, {@code dmr.max-tokens}).
	 */
	public static final Map<String, String> KEYS;

	static {
		Map<String, String> keys = new LinkedHashMap<>();
		for (String field : ModelSettings.FIELDS) {
			if (!field.equals("model") && !field.equals("extra")) {
				keys.put(field, field.replace('_', '-'));
			}
		}
		KEYS = Collections.unmodifiableMap(keys);
	}

	/** The advanced request fields among {@link #KEYS}: shown by {@code config} only where something sets them. */
	public static final Set<String> ADVANCED = Set.of("logprobs", "top_logprobs", "n");

	/** The property sources that are given at launch, strongest first. */
	private static final List<String> LAUNCH_SOURCES = List.of(CommandLinePropertySource.COMMAND_LINE_PROPERTY_SOURCE_NAME,
			StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME,
			StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);

	private static final String ENV_EXTRA = "DMR_EXTRA_";

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
		Map<String, Object> extra = launchExtra(environment);
		if (!extra.isEmpty()) {
			sources.put("extra", String.join(", ", extra.keySet().stream()
				.map((key) -> extraSource(key, environment))
				.toList()));
		}
		this.sources = Collections.unmodifiableMap(sources);
		// the bound value of each field given at launch, which is the launch's, since it wins
		ModelSettings bound = properties.profileDefaults();
		ModelSettings given = ModelSettings.NONE;
		for (String field : KEYS.keySet()) {
			if (sources.containsKey(field)) {
				given = given.with(field, bound.value(field));
			}
		}
		this.settings = extra.isEmpty() ? given : given.with("extra", extra);
	}

	/**
	 * The {@code dmr.extra.*} fields given at launch, each value read as JSON where it is JSON ({@code true},
	 * {@code 3}, {@code {"team": "docs"}}), else as text: the command line and the environment give only text.
	 * @throws IllegalArgumentException for an environment variable that names a field with an underscore, which
	 * relaxed binding would read as a nested field ({@code DMR_EXTRA_TOP_K} as {@code top.k})
	 */
	static Map<String, Object> launchExtra(ConfigurableEnvironment environment) {
		org.springframework.core.env.PropertySource<?> env = environment.getPropertySources()
			.get(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
		if (env instanceof org.springframework.core.env.EnumerablePropertySource<?> names) {
			for (String name : names.getPropertyNames()) {
				if (name.startsWith(ENV_EXTRA) && name.indexOf('_', ENV_EXTRA.length()) > 0) {
					throw new IllegalArgumentException("environment variable " + name + " names an extra field with "
							+ "an underscore, which the environment cannot carry: give it on the command line, "
							+ "--dmr.extra." + name.substring(ENV_EXTRA.length()).toLowerCase(java.util.Locale.ROOT)
							+ "=<value>");
				}
			}
		}
		Map<String, Object> extra = new LinkedHashMap<>();
		List<String> weakestFirst = new ArrayList<>(LAUNCH_SOURCES);
		Collections.reverse(weakestFirst);
		for (String sourceName : weakestFirst) {
			org.springframework.core.env.PropertySource<?> source = environment.getPropertySources().get(sourceName);
			if (source == null) {
				continue;
			}
			new Binder(ConfigurationPropertySources.from(source))
				.bind("dmr.extra", Bindable.mapOf(String.class, Object.class))
				.ifBound((given) -> given.forEach((key, value) -> extra.put(key, fromText(value))));
		}
		return extra;
	}

	/** Where an extra field given at launch comes from, named as it was written. */
	private static String extraSource(String key, ConfigurableEnvironment environment) {
		String name = extraName(key);
		String source = launchSource(name, environment);
		return (source != null) ? source.replace(name, "dmr.extra." + key) : "the command line";
	}

	/** The property name of an extra field: {@code dmr.extra.store}, or {@code dmr.extra[top_k]}. */
	public static String extraName(String key) {
		String dotted = "dmr.extra." + key;
		return ConfigurationPropertyName.isValid(dotted) ? dotted : "dmr.extra[" + key + "]";
	}

	/** A launch value as JSON where it is JSON, nested maps field by field; anything else as it is. */
	private static Object fromText(Object value) {
		if (value instanceof Map<?, ?> map) {
			Map<String, Object> read = new LinkedHashMap<>();
			map.forEach((key, inner) -> read.put(String.valueOf(key), fromText(inner)));
			return read;
		}
		if (value instanceof String text) {
			try {
				return JsonMapper.shared().readValue(text, Object.class);
			}
			catch (JacksonException ex) {
				return text;
			}
		}
		return value;
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
		if (settings.extra() != null) {
			sources.put("extra", "command line (--dmr.extra)");
		}
		KEYS.forEach((field, key) -> {
			if (settings.value(field) != null) {
				sources.put(field, "command line (--dmr." + key + ")");
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
