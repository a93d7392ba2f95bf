package dev.dmrbatch.config;

import java.nio.file.Path;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.StringUtils;

/**
 * {@code --dmr.home=<folder>} (or {@code DMR_HOME}) names the working folder, so its {@code config/} is read too:
 * {@code application.yaml}, {@code application-<profile>.yaml} and their JSON twins, over those of the folder the
 * command was started in. It must be known before the configuration files are read, so it comes from what is there
 * then: the command line, the Java system properties and the environment; a {@code dmr.home} written in a
 * configuration file moves the other folders but cannot bring more configuration.
 */
public class HomeConfigLocation implements EnvironmentPostProcessor, Ordered {

	static final String ADDITIONAL_LOCATION = "spring.config.additional-location";

	/** The property source that carries the home's configuration folder, as Spring names it. */
	public static final String SOURCE = "dmrHomeConfig";

	@Override
	public int getOrder() {
		// before the configuration files are read
		return ConfigDataEnvironmentPostProcessor.ORDER - 1;
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		String location = location(environment.getProperty("dmr.home"), Path.of("").toAbsolutePath());
		if (location == null) {
			return;
		}
		String given = environment.getProperty(ADDITIONAL_LOCATION);
		String locations = StringUtils.hasText(given) ? given + "," + location : location;
		environment.getPropertySources().addFirst(new MapPropertySource(SOURCE, Map.of(ADDITIONAL_LOCATION, locations)));
	}

	/**
	 * The home's configuration folder as an optional config location, or {@code null} when there is no home or it is
	 * the working folder, whose {@code config/} Spring Boot reads anyway.
	 */
	static String location(String home, Path workingFolder) {
		if (!StringUtils.hasText(home)) {
			return null;
		}
		Path folder = workingFolder.resolve(home).toAbsolutePath().normalize();
		if (folder.equals(workingFolder.toAbsolutePath().normalize())) {
			return null;
		}
		return "optional:file:" + folder.resolve("config") + "/";
	}

}
