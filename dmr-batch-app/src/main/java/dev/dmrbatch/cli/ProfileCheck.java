package dev.dmrbatch.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;

/**
 * {@code profile=a,b}: each name a profile that exists, a {@code config/application-<name>.yaml} (or {@code .yml},
 * {@code .properties}) or a group of {@code spring.profiles.group}; checked once the configuration is read, so a
 * misspelt profile stops the command instead of silently falling back to the defaults.
 */
final class ProfileCheck implements ApplicationListener<ApplicationEnvironmentPreparedEvent> {

	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

	private static final Pattern FILE = Pattern.compile("application-(.+)\\.(yaml|yml|properties|json)");

	/** A profile file as Spring names the configuration it read from it. */
	private static final Pattern SOURCE = Pattern.compile("application-([^/\\\\\\[\\]']+)\\.(yaml|yml|properties|json)");

	private final List<String> names;

	private ProfileCheck(List<String> names) {
		this.names = names;
	}

	/**
	 * The profiles of {@code profile=}, each a well-formed name, and the check that they exist.
	 * @throws ArgumentException naming an empty or malformed name
	 */
	static ProfileCheck of(String value) {
		List<String> names = Arrays.asList(value.split(",", -1));
		for (String name : names) {
			if (name.isBlank()) {
				throw new ArgumentException("profile=" + value + " names an empty profile: give names separated by "
						+ "commas, e.g. profile=prod,custom");
			}
			if (!NAME.matcher(name).matches() || name.contains("..")) {
				throw new ArgumentException("profile '" + name + "' is not a profile name: letters, digits, '-', '_' "
						+ "and '.', as in config/application-<name>.yaml");
			}
		}
		return new ProfileCheck(List.copyOf(names));
	}

	String[] names() {
		return this.names.toArray(String[]::new);
	}

	@Override
	public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
		Set<String> known = known(event.getEnvironment());
		for (String name : this.names) {
			if (!known.contains(name)) {
				throw new ArgumentException("unknown profile '" + name + "': there is no config/application-" + name
						+ ".yaml" + (known.isEmpty() ? "" : " (profiles: " + String.join(", ", known) + ")"));
			}
		}
	}

	/** The profiles with a file in the folders the configuration is read from, and the groups it defines. */
	private static Set<String> known(ConfigurableEnvironment environment) {
		Set<String> known = new TreeSet<>();
		List<Path> folders = new ArrayList<>(List.of(Path.of("config"), Path.of(".")));
		String home = environment.getProperty("dmr.home");
		if (home != null) {
			folders.add(Path.of(home, "config"));
		}
		for (Path folder : folders) {
			if (!Files.isDirectory(folder)) {
				continue;
			}
			try (Stream<Path> files = Files.list(folder)) {
				files.map((file) -> FILE.matcher(file.getFileName().toString()))
					.filter(Matcher::matches)
					.forEach((file) -> known.add(file.group(1)));
			}
			catch (IOException ex) {
				// an unreadable folder has no profiles
			}
		}
		// files read from elsewhere (the classpath, spring.config.location)
		for (PropertySource<?> source : environment.getPropertySources()) {
			Matcher file = SOURCE.matcher(source.getName());
			if (file.find()) {
				known.add(file.group(1));
			}
		}
		Map<String, String[]> groups = Binder.get(environment)
			.bind("spring.profiles.group", Bindable.mapOf(String.class, String[].class))
			.orElse(Map.of());
		known.addAll(groups.keySet());
		return known;
	}

}
