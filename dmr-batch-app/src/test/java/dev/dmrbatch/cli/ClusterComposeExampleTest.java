package dev.dmrbatch.cli;

import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.config.DmrProperties;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compose file of the cluster's example (examples/cluster/compose.yaml) is YAML Compose reads, with a broker, a
 * database, a worker and a manager; the variables it gives the app are settings the app binds (the app ignores a
 * {@code DMR_*} variable it does not know: here it fails), its passwords come from the environment, and its commands
 * are the app's.
 */
class ClusterComposeExampleTest {

	private static final Path COMPOSE = Path.of("examples/cluster/compose.yaml");

	@SuppressWarnings("unchecked")
	private static Map<String, Object> compose() throws Exception {
		try (Reader reader = Files.newBufferedReader(COMPOSE)) {
			return (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
		}
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> service(Map<String, Object> compose, String name) {
		return (Map<String, Object>) ((Map<String, Object>) compose.get("services")).get(name);
	}

	@SuppressWarnings("unchecked")
	private static Map<String, String> environment(Map<String, Object> service) {
		Map<String, String> environment = new LinkedHashMap<>();
		((Map<String, Object>) service.get("environment")).forEach((k, v) -> environment.put(k, String.valueOf(v)));
		return environment;
	}

	/**
	 * The variables alone, mapped to settings as the app maps its environment's ({@code DMR_CLUSTER_BROKER} to
	 * {@code dmr.cluster.broker}), Compose's own {@code ${VARIABLE:?message}} given a value as Compose gives it.
	 */
	private static DmrProperties bind(Map<String, String> environment) {
		StandardEnvironment spring = new StandardEnvironment();
		spring.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
		spring.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
		Map<String, Object> given = new LinkedHashMap<>();
		environment.forEach((k, v) -> given.put(k, v.replaceAll("\\$\\{[^}]*}", "secret")));
		spring.getPropertySources().addFirst(new SystemEnvironmentPropertySource(
				"compose-" + StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, given));
		ConfigurationPropertySources.attach(spring);
		return Binder.get(spring).bindOrCreate("dmr", DmrProperties.class);
	}

	@Test
	void itHasABrokerADatabaseAWorkerAndAManagerRunOnDemand() throws Exception {
		Map<String, Object> compose = compose();

		assertThat((Map<String, Object>) compose.get("services")).containsOnlyKeys("rabbitmq", "postgres", "worker",
				"manager");
		assertThat(service(compose, "manager").get("profiles")).isEqualTo(List.of("manager"));
		assertThat(service(compose, "worker").get("stop_grace_period")).isEqualTo("2m");
		for (String app : List.of("worker", "manager")) {
			assertThat(service(compose, app).get("entrypoint"))
				.isEqualTo(List.of("java", "-jar", "/opt/dmr-batch/dmr-batch.jar"));
			assertThat((Map<String, Object>) service(compose, app).get("depends_on")).containsOnlyKeys("rabbitmq",
					"postgres");
		}
		assertThat(Path.of("examples/cluster/rabbitmq.conf")).content().contains("consumer_timeout = 86400000");
	}

	@Test
	void theVariablesItGivesTheAppAreSettingsTheAppBinds() throws Exception {
		Map<String, String> environment = environment(service(compose(), "worker"));
		assertThat(environment(service(compose(), "manager"))).isEqualTo(environment);

		// every DMR_* variable changes a dmr.* setting (the app itself ignores one it does not know)
		DmrProperties defaults = bind(Map.of());
		environment.forEach((name, value) -> {
			if (name.startsWith("DMR_")) {
				assertThat(bind(Map.of(name, value))).as(name + " is a setting").isNotEqualTo(defaults);
			}
		});
		assertThat(bind(Map.of("DMR_CLUSTER_BROKR", "amqp://rabbitmq:5672/"))).as("a misspelt one")
			.isEqualTo(defaults);
		DmrProperties properties = bind(environment);

		assertThat(properties.cluster().broker()).isEqualTo(URI.create("amqp://rabbitmq:5672/"));
		assertThat(properties.cluster().username()).isEqualTo("dmr");
		assertThat(properties.baseUrl().toString())
			.isEqualTo("http://model-runner.docker.internal/engines/llama.cpp/v1");
		assertThat(environment.keySet().stream().filter((k) -> !k.startsWith("DMR_")))
			.containsExactlyInAnyOrder("SPRING_DATASOURCE_URL", "SPRING_DATASOURCE_USERNAME",
					"SPRING_DATASOURCE_PASSWORD");
		// the passwords from the environment, never in the file
		assertThat(environment.get("DMR_CLUSTER_PASSWORD")).startsWith("${DMR_CLUSTER_PASSWORD:?");
		assertThat(environment.get("SPRING_DATASOURCE_PASSWORD")).startsWith("${POSTGRES_PASSWORD:?");
	}

	@Test
	@SuppressWarnings("unchecked")
	void itsCommandsAreTheApps() throws Exception {
		Map<String, Object> compose = compose();
		String usage = new ClassPathResource("dev/dmrbatch/cli/usage-lines.txt")
			.getContentAsString(StandardCharsets.UTF_8);

		assertThat(service(compose, "worker").get("command")).isEqualTo(List.of("worker"));
		assertThat(usage).contains("java -jar dmr-batch.jar worker ");
		List<String> manager = (List<String>) service(compose, "manager").get("command");
		assertThat(manager).contains("cluster=on");
		assertThat(manager).allSatisfy((arg) -> assertThat(Arguments.KEYS).contains(arg.substring(0, arg.indexOf('='))));
	}

}
