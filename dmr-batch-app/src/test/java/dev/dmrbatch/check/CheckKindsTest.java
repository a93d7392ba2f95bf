package dev.dmrbatch.check;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.dmrbatch.plugin.PluginLoadException;
import dev.dmrbatch.support.Kinds;
import dev.dmrbatch.support.TestProperties;
import jakarta.validation.Validation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The check types: the built-in ones in their order, a plugin's asked for only by a name that is not built in. */
class CheckKindsTest {

	@TempDir
	Path home;

	private CheckKinds kinds() {
		return Kinds.checkKinds(Kinds.plugins(TestProperties.home(this.home)));
	}

	private List<String> problems(CheckKinds kinds, String checks) {
		List<String> problems = new ArrayList<>();
		kinds.checkStep(problems, "steps[0]", Kinds.step("{ name: s, prompt: x, checks: " + checks + " }"), false,
				Validation.buildDefaultValidatorFactory().getValidator());
		return problems;
	}

	@Test
	void theBuiltInTypesAndTheKeysEachTakes() {
		assertThat(kinds().keys(false)).containsExactly(
				java.util.Map.entry("contains", List.of("value", "ignore-case")),
				java.util.Map.entry("not-contains", List.of("value", "ignore-case")),
				java.util.Map.entry("equals", List.of("value", "ignore-case", "trim")),
				java.util.Map.entry("one-of", List.of("values", "ignore-case", "trim")),
				java.util.Map.entry("regex", List.of("pattern", "ignore-case")),
				java.util.Map.entry("length", List.of("min", "max", "unit", "trim")),
				java.util.Map.entry("json-path", List.of("path", "equals", "exists", "in", "ignore-case")),
				java.util.Map.entry("expected", List.of("value", "ignore-case", "path")),
				java.util.Map.entry("judge", List.of("rubric", "model", "pass-score")),
				java.util.Map.entry("latency", List.of("max-ms")),
				java.util.Map.entry("tokens", List.of("max")),
				java.util.Map.entry("similar", List.of("value", "min", "model")));
	}

	@Test
	void anExpectedCheckWithAPathNeedsAJsonStepAndAJsonPath() {
		assertThat(problems(kinds(), "[ { name: c, type: expected, path: $.category, value: '${label}' } ]"))
			.containsExactly("step s, check c: the step answers text: an expected check with a 'path' needs "
					+ "response_format json or json_schema");
		assertThat(problems(kinds(), "[ { name: c, type: expected, path: '$[', value: x } ]")).singleElement()
			.asString().startsWith("step s, check c: path '$[' is not a JSONPath");
	}

	@Test
	void thePluginsAreLoadedOnlyForATypeThatIsNotBuiltIn() throws IOException {
		Files.createDirectories(this.home.resolve("plugins"));
		Files.writeString(this.home.resolve("plugins/broken.jar"), "not a jar");
		CheckKinds kinds = kinds();
		assertThat(problems(kinds, "[ { name: c, type: regex, pattern: '\\d' }, { name: d } ]"))
			.containsExactly("step s, check d: 'type' is missing (one of contains, not-contains, equals, one-of, regex, "
					+ "length, json-path, expected, judge, latency, tokens, similar)");
		assertThatExceptionOfType(PluginLoadException.class)
			.isThrownBy(() -> problems(kinds, "[ { name: c, type: words } ]"))
			.withMessageStartingWith("plugin jar plugins/broken.jar cannot be read as a jar");
	}

}
