package dev.dmrbatch.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.config.LaunchSettings;
import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.jobfile.JobFiles;
import dev.dmrbatch.progress.ProgressProperties;

import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.PropertySourceOrigin;
import org.springframework.boot.origin.SystemEnvironmentOrigin;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.stereotype.Component;

/**
 * {@code config [profile=…] [job=<name>] [model=…]}: the effective settings and where each value came from — the
 * built-in default, a profile file (with its line), an environment variable, the command line, or the job file —
 * as Spring's own property sources and origins tell it. The API key is masked.
 */
@Component
@Order(50)
class ConfigCommand implements Command {

	/** The settings under {@code dmr}, in the order config/application.yaml lists them. */
	private static final List<String> KEYS = List.of("base-url", "api-key", "default-model", "max-tokens",
			"temperature", "top-p", "seed", "stop", "presence-penalty", "frequency-penalty", "stream", "concurrency",
			"rate", "tokens-rate", "base-urls", "timeout.connect", "timeout.request", "retry.attempts", "retry.backoff",
			"retry.max-backoff", "progress.mode", "progress.every", "export.font-folder", "plugins.path");

	private final ConfigurableEnvironment environment;

	private final DmrProperties properties;

	private final JobFiles jobFiles;

	private final ProgressProperties progress;

	private final LaunchSettings launch;

	ConfigCommand(ConfigurableEnvironment environment, DmrProperties properties, JobFiles jobFiles,
			ProgressProperties progress, LaunchSettings launch) {
		this.launch = launch;
		this.progress = progress;
		this.environment = environment;
		this.properties = properties;
		this.jobFiles = jobFiles;
	}

	@Override
	public String name() {
		return "config";
	}

	@Override
	public String usage() {
		return """
				config [profile=<name>] [job=<name>] [model=<a,b>] [concurrency=<n|auto>]
				    [max_tokens=<n>] [temperature=<t>] ... (as a job run takes them)""";
	}

	@Override
	public boolean usesStore() {
		return false;
	}

	@Override
	public Set<String> arguments() {
		Set<String> keys = new java.util.HashSet<>(Set.of("of", "model", "concurrency"));
		keys.addAll(LaunchSettings.KEYS.keySet());
		return keys;
	}

	@Override
	public int run(Arguments arguments) {
		List<String[]> rows = new ArrayList<>();
		for (String key : KEYS) {
			String name = "dmr." + key;
			// the bound value, so built-in defaults show too
			Object bound = bound(key);
			String value = (bound != null) ? String.valueOf(bound) : null;
			if (key.equals("api-key")) {
				value = "****";
			}
			rows.add(new String[] { name, Objects.requireNonNullElse(value, "-"), source(name) });
		}
		String[] profiles = this.environment.getActiveProfiles();
		StringBuilder text = new StringBuilder("profiles: ")
			.append((profiles.length == 0) ? "(none: config/application.yaml only)" : String.join(", ", profiles))
			.append('\n');
		text.append("home: ").append(this.properties.home().toAbsolutePath().normalize()).append('\n');
		List<String> files = files();
		text.append("files: ").append(files.isEmpty() ? "(none)" : String.join(", ", files)).append('\n');
		table(text, rows);
		String job = arguments.get("of");
		if (job != null) {
			JobDefinition definition = this.jobFiles.load(job);
			String file = "job file " + this.jobFiles.display(definition.source());
			List<String> models = (arguments.get("model") != null) ? Arrays.asList(arguments.get("model").split(","))
					: (definition.models() != null) ? definition.models()
					: List.of((definition.model() != null && definition.model().name() != null)
							? definition.model().name() : this.properties.defaultModel());
			for (String model : models) {
				for (JobDefinition.Step step : definition.steps()) {
					text.append("\njob ").append(job).append(", model ").append(model.strip()).append(", step ")
						.append(step.name()).append(":\n");
					table(text, stepRows(definition, step, file, model.strip(), arguments));
				}
			}
			text.append("\njob ").append(job).append(":\n");
			table(text, List.<String[]>of(concurrencyRow(definition, file, arguments)));
		}
		Console.out(text.toString().stripTrailing());
		return 0;
	}

	private Object bound(String key) {
		DmrProperties p = this.properties;
		String field = key.replace('-', '_');
		if (LaunchSettings.KEYS.containsKey(field)) {
			// a request setting: as the profile's defaults hold it
			return p.profileDefaults().value(field);
		}
		return switch (key) {
			case "base-url" -> p.baseUrl();
			case "default-model" -> p.defaultModel();
			case "concurrency" -> p.concurrency();
			case "rate" -> p.rate();
			case "tokens-rate" -> p.tokensRate();
			case "base-urls" -> (p.baseUrls() != null) ? p.baseUrls() : null;
			case "timeout.connect" -> duration(p.timeout().connect());
			case "timeout.request" -> duration(p.timeout().request());
			case "retry.attempts" -> p.retry().attempts();
			case "retry.backoff" -> duration(p.retry().backoff());
			case "retry.max-backoff" -> duration(p.retry().maxBackoff());
			case "progress.mode" -> this.progress.mode().name().toLowerCase(Locale.ROOT);
			case "progress.every" -> this.progress.every();
			case "export.font-folder" -> p.export().fontFolder();
			case "plugins.path" -> p.plugins().path();
			default -> this.environment.getProperty("dmr." + key);
		};
	}

	private static String duration(java.time.Duration value) {
		return (value.toMillis() % 1000 == 0) ? value.toSeconds() + "s" : value.toMillis() + "ms";
	}

	/**
	 * The settings one step's requests carry for one of the job's models, each from its strongest layer: the launch
	 * (command line, environment), the step, the job file, the per-model block, the profile files, the defaults.
	 */
	private List<String[]> stepRows(JobDefinition job, JobDefinition.Step step, String file, String runModel,
			Arguments arguments) {
		ModelSettings fromJob = (job.model() != null) ? job.model() : ModelSettings.NONE;
		String model = (step.model() != null) ? step.model() : runModel;
		String modelSource = (step.model() != null) ? file + " (steps." + step.name() + ".model)"
				: (arguments.get("model") != null) ? "command line (model=)"
				: (job.models() != null) ? file + " (models)"
				: (fromJob.name() != null) ? file + " (model.name)" : source("dmr.default-model");
		List<String[]> rows = new ArrayList<>();
		rows.add(new String[] { "model", model, modelSource });
		ModelSettings own = (this.properties.models() != null) ? this.properties.models().get(model) : null;
		ModelSettings profile = this.properties.profileDefaults();
		for (Map.Entry<String, String> field : LaunchSettings.KEYS.entrySet()) {
			String name = field.getKey();
			if (LaunchSettings.ADVANCED.contains(name)) {
				continue;
			}
			String launchSource = this.launch.source(name);
			Object value;
			String from;
			if (launchSource != null) {
				value = this.launch.settings().value(name);
				from = launchSource;
			}
			else if (step.settings().value(name) != null) {
				value = step.settings().value(name);
				from = file + " (steps." + step.name() + "." + name + ")";
			}
			else if (fromJob.value(name) != null) {
				value = fromJob.value(name);
				from = file + " (model." + name + ")";
			}
			else if (own != null && own.value(name) != null) {
				value = own.value(name);
				from = source("dmr.models[" + model + "]." + field.getValue());
			}
			else {
				value = profile.value(name);
				from = (value != null) ? source("dmr." + field.getValue()) : "not set (the runner's own default)";
			}
			rows.add(new String[] { name, (value != null) ? String.valueOf(value) : "-", from });
		}
		// the advanced request fields, shown where something sets them; extra maps merge key by key
		for (String name : List.of("logprobs", "top_logprobs", "n", "extra")) {
			List<String> from = new ArrayList<>();
			String key = "dmr." + name.replace('_', '-');
			String fileSource = (profile.value(name) == null) ? null
					: name.equals("extra") ? fileExtraSource() : (this.launch.source(name) == null) ? source(key) : null;
			if (fileSource != null) {
				from.add(fileSource);
			}
			if (own != null && own.value(name) != null) {
				from.add(0, "dmr.models[" + model + "]." + name.replace('_', '-'));
			}
			if (fromJob.value(name) != null) {
				from.add(0, file + " (model." + name + ")");
			}
			if (step.settings().value(name) != null) {
				from.add(0, file + " (steps." + step.name() + "." + name + ")");
			}
			if (this.launch.source(name) != null) {
				from.add(0, this.launch.source(name));
			}
			if (from.isEmpty()) {
				continue;
			}
			ModelSettings merged = profile.overriddenBy(own).overriddenBy(fromJob).overriddenBy(step.settings())
				.overriddenBy(this.launch.settings());
			rows.add(new String[] { name, String.valueOf(merged.value(name)),
					name.equals("extra") ? String.join(" over ", from) : from.get(0) });
		}
		return rows;
	}

	/** Where the profile's {@code dmr.extra} fields that the launch does not give come from; {@code null} if none. */
	private String fileExtraSource() {
		Map<String, Object> launched = (this.launch.settings().extra() != null) ? this.launch.settings().extra()
				: Map.of();
		List<String> from = new ArrayList<>();
		this.properties.extra().forEach((key, value) -> {
			String where = source(LaunchSettings.extraName(key) + ((value instanceof Map<?, ?> map && !map.isEmpty())
					? "." + map.keySet().iterator().next() : ""));
			if (!launched.containsKey(key) && !from.contains(where)) {
				from.add(where);
			}
		});
		return from.isEmpty() ? null : String.join(", ", from);
	}

	private String[] concurrencyRow(JobDefinition job, String file, Arguments arguments) {
		String concurrency = (arguments.get("concurrency") != null) ? arguments.get("concurrency")
				: (job.concurrency() != null) ? job.concurrency() : "auto";
		return new String[] { "concurrency", concurrency + (concurrency.equals("auto")
				? " (the runner's slots, else " + this.properties.concurrency() + " from dmr.concurrency)" : ""),
				(arguments.get("concurrency") != null) ? "command line (concurrency=)"
						: (job.concurrency() != null) ? file + " (concurrency)" : "default" };
	}

	/** The configuration files read, strongest first, as Spring names their property sources. */
	private List<String> files() {
		List<String> files = new ArrayList<>();
		for (org.springframework.core.env.PropertySource<?> source : this.environment.getPropertySources()) {
			String name = source.getName();
			int start = name.indexOf("Config resource '");
			int open = name.indexOf('[', start);
			int close = name.indexOf(']', open + 1);
			if (start >= 0 && open > 0 && close > open) {
				String file = name.substring(open + 1, close);
				if (!file.startsWith("application.") || !name.contains("class path resource")) {
					files.add(file);
				}
			}
		}
		return files;
	}

	/** Where a setting's value comes from: the first property source that has it, as Spring resolves it. */
	String source(String key) {
		ConfigurationPropertyName name = ConfigurationPropertyName.of(key);
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(this.environment)) {
			ConfigurationProperty property = source.getConfigurationProperty(name);
			if (property == null) {
				continue;
			}
			Origin origin = property.getOrigin();
			while (origin instanceof PropertySourceOrigin wrapped && wrapped.getOrigin() != null) {
				origin = wrapped.getOrigin();
			}
			if (origin instanceof SystemEnvironmentOrigin env) {
				return "environment variable " + env.getProperty();
			}
			if (origin instanceof TextResourceOrigin text && text.getResource() != null) {
				String resource = text.getResource().getDescription();
				if (resource.startsWith("URL [file:") || resource.startsWith("file [")) {
					resource = resource.substring(resource.indexOf('[') + 1, resource.length() - 1).replace("file:", "");
				}
				return resource + ((text.getLocation() != null) ? " line " + (text.getLocation().getLine() + 1) : "");
			}
			String sourceName = String.valueOf(source.getUnderlyingSource());
			if (sourceName.contains("commandLineArgs")) {
				return "command line (--" + key + ")";
			}
			return (origin != null) ? origin.toString() : sourceName;
		}
		return "default";
	}

	private static void table(StringBuilder text, List<String[]> rows) {
		int key = rows.stream().mapToInt((r) -> r[0].length()).max().orElse(3);
		int value = Math.min(60, rows.stream().mapToInt((r) -> r[1].length()).max().orElse(5));
		text.append(String.format(Locale.ROOT, "%-" + key + "s  %-" + value + "s  %s%n", "KEY", "VALUE", "SOURCE"));
		for (String[] row : rows) {
			text.append(String.format(Locale.ROOT, "%-" + key + "s  %-" + value + "s  %s%n", row[0], row[1], row[2]));
		}
	}

}
