package dev.dmrbatch.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.DefaultApplicationArguments;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.support.SystemEnvironmentPropertySourceEnvironmentPostProcessor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The advanced request fields ({@code logprobs}, {@code top_logprobs}, {@code n}, {@code extra}) given at launch, as
 * the other settings are: the command line over the environment, both over every file, and through the merge over a
 * step, the job file and the per-model block.
 */
class LaunchSettingsTest {

	/** An environment as Spring Boot lays it out: command line, then the environment variables, then a file. */
	private static StandardEnvironment environment(String[] args, Map<String, Object> env, Map<String, Object> file) {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
		environment.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
		environment.getPropertySources().addFirst(new MapPropertySource("Config resource 'file [config/application.yaml]'",
				file));
		environment.getPropertySources().addFirst(
				new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, env));
		environment.getPropertySources().addFirst(new SimpleCommandLinePropertySource(args));
		// Boot's own environment variables, which know the variable each value came from
		new SystemEnvironmentPropertySourceEnvironmentPostProcessor().postProcessEnvironment(environment,
				new SpringApplication());
		return environment;
	}

	private static LaunchSettings launch(StandardEnvironment environment, String... args) {
		DmrProperties properties = Binder.get(environment).bindOrCreate("dmr", DmrProperties.class);
		return new LaunchSettings(environment, properties, new DefaultApplicationArguments(args));
	}

	@Test
	void theAdvancedFieldsGivenAtLaunchAreLaunchSettingsTheCommandLineOverTheEnvironment() {
		String[] args = { "--dmr.top-logprobs=3", "--dmr.n=1" };
		StandardEnvironment environment = environment(args,
				Map.of("DMR_TOP_LOGPROBS", "5", "DMR_LOGPROBS", "true"), Map.of("dmr.top-logprobs", 4));
		LaunchSettings launch = launch(environment, args);
		assertThat(launch.settings().topLogprobs()).isEqualTo(3);
		assertThat(launch.settings().logprobs()).isTrue();
		assertThat(launch.settings().n()).isEqualTo(1);
		assertThat(launch.source("top_logprobs")).isEqualTo("command line (--dmr.top-logprobs)");
		assertThat(launch.source("logprobs")).isEqualTo("environment variable DMR_LOGPROBS");
		assertThat(launch.source("n")).isEqualTo("command line (--dmr.n)");
	}

	@Test
	void aValueInAFileIsNotALaunchSetting() {
		StandardEnvironment environment = environment(new String[0], Map.of(),
				Map.of("dmr.top-logprobs", 4, "dmr.logprobs", true, "dmr.extra.store", false));
		LaunchSettings launch = launch(environment);
		assertThat(launch.settings().topLogprobs()).isNull();
		assertThat(launch.settings().logprobs()).isNull();
		assertThat(launch.settings().extra()).isNull();
		assertThat(launch.source("top_logprobs")).isNull();
		assertThat(launch.source("extra")).isNull();
	}

	@Test
	void extraFieldsAtLaunchAreReadAsJsonWhereTheyAreJsonAndNamedWithTheirSource() {
		String[] args = { "--dmr.extra.store=true", "--dmr.extra.metadata={\"team\": \"docs\"}",
				"--dmr.extra.top_k=40", "--dmr.extra.note=2024-01-01" };
		StandardEnvironment environment = environment(args, Map.of("DMR_EXTRA_STORE", "false", "DMR_EXTRA_USER",
				"alice"), Map.of("dmr.extra.vendor", "on"));
		LaunchSettings launch = launch(environment, args);
		Map<String, Object> expected = new LinkedHashMap<>();
		expected.put("store", true);
		expected.put("user", "alice");
		expected.put("metadata", Map.of("team", "docs"));
		expected.put("top_k", 40);
		expected.put("note", "2024-01-01");
		assertThat(launch.settings().extra()).containsExactlyInAnyOrderEntriesOf(expected);
		assertThat(launch.source("extra")).contains("command line (--dmr.extra.store)")
			.contains("environment variable DMR_EXTRA_USER")
			.doesNotContain("vendor");
	}

	@Test
	void launchSettingsBeatTheStepTheJobFileThePerModelBlockAndTheProfileExtraKeyByKey() {
		String[] args = { "--dmr.top-logprobs=2", "--dmr.extra.store=true" };
		Map<String, Object> file = Map.of("dmr.top-logprobs", 9, "dmr.models.[ai/x].top-logprobs", 8,
				"dmr.models.[ai/x].extra.top_k", 5, "dmr.extra.vendor", "on");
		StandardEnvironment environment = environment(args, Map.of("DMR_LOGPROBS", "true"), file);
		DmrProperties properties = Binder.get(environment).bindOrCreate("dmr", DmrProperties.class);
		LaunchSettings launch = new LaunchSettings(environment, properties, new DefaultApplicationArguments(args));
		ModelSettings job = new ModelSettings(null, null, null, null, null, null, null, null, null, false, 7, null,
				Map.of("store", false, "metadata", Map.of("team", "docs")));
		ModelSettings step = new ModelSettings(null, null, null, null, null, null, null, null, null, null, 6, null,
				Map.of("top_k", 1));

		// as a run merges them: the profile's settings for the model, the job file, the step, the launch
		ModelSettings merged = properties.settingsFor("ai/x").overriddenBy(job).overriddenBy(step)
			.overriddenBy(launch.settings());

		assertThat(merged.topLogprobs()).isEqualTo(2);
		assertThat(merged.logprobs()).isTrue();
		assertThat(merged.extra()).containsEntry("store", true)
			.containsEntry("top_k", 1)
			.containsEntry("metadata", Map.of("team", "docs"))
			.containsEntry("vendor", "on");

		// without them the step, then the job file, then the per-model block, then the profile
		properties = Binder.get(environment(new String[0], Map.of(), file)).bindOrCreate("dmr", DmrProperties.class);
		assertThat(properties.settingsFor("ai/x").overriddenBy(job).overriddenBy(step).topLogprobs()).isEqualTo(6);
		assertThat(properties.settingsFor("ai/x").overriddenBy(job).topLogprobs()).isEqualTo(7);
		assertThat(properties.settingsFor("ai/x").topLogprobs()).isEqualTo(8);
		assertThat(properties.settingsFor("ai/y").topLogprobs()).isEqualTo(9);
	}

	@Test
	void anEnvironmentVariableForAnExtraFieldWithAnUnderscoreIsRefusedNamingIt() {
		StandardEnvironment environment = environment(new String[0], Map.of("DMR_EXTRA_TOP_K", "40"), Map.of());
		assertThatIllegalArgumentException().isThrownBy(() -> launch(environment))
			.withMessage("environment variable DMR_EXTRA_TOP_K names an extra field with an underscore, which the "
					+ "environment cannot carry: give it on the command line, --dmr.extra.top_k=<value>");
	}

	@Test
	void theAdvancedFieldsAreLaunchKeysByTheirJobFileNames() {
		assertThat(LaunchSettings.KEYS).containsEntry("logprobs", "logprobs")
			.containsEntry("top_logprobs", "top-logprobs")
			.containsEntry("n", "n");
		assertThat(List.copyOf(LaunchSettings.ADVANCED)).containsExactlyInAnyOrder("logprobs", "top_logprobs", "n");
	}

}
