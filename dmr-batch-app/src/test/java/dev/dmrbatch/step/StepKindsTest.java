package dev.dmrbatch.step;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.dmrbatch.plugin.PluginLoadException;
import dev.dmrbatch.support.Kinds;
import dev.dmrbatch.support.TestProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The step types: the built-in ones in their order, a plugin's asked for only by a name that is not built in. */
class StepKindsTest {

	@TempDir
	Path home;

	private StepKinds kinds() {
		return Kinds.stepKinds(Kinds.plugins(TestProperties.home(this.home)));
	}

	@Test
	void aStepWithoutTypeIsAChatStep() {
		StepKinds kinds = kinds();
		assertThat(kinds.names()).containsExactly("chat", "complete", "embed");
		assertThat(kinds.kind(Kinds.step("{ name: a, prompt: x }")).name()).isEqualTo("chat");
		assertThat(kinds.kind(Kinds.step("{ name: a, type: embed, prompt: x }")).name()).isEqualTo("embed");
		assertThat(kinds.kind(Kinds.step("{ name: a, type: embedd }"))).isNull();
		List<String> problems = new ArrayList<>();
		kinds.check(Kinds.step("{ name: a, type: embedd }"), "steps[1]", problems);
		assertThat(problems).containsExactly("steps[1].type 'embedd' is not one of chat, complete, embed");
	}

	@Test
	void thePluginsAreLoadedOnlyForATypeThatIsNotBuiltIn() throws IOException {
		Files.createDirectories(this.home.resolve("plugins"));
		Files.writeString(this.home.resolve("plugins/broken.jar"), "not a jar");
		StepKinds kinds = kinds();
		assertThat(kinds.kind(Kinds.step("{ name: a, type: complete, prompt: x }")).name()).isEqualTo("complete");
		assertThat(kinds.keys(false)).containsOnlyKeys("chat", "complete", "embed");
		assertThatExceptionOfType(PluginLoadException.class)
			.isThrownBy(() -> kinds.kind(Kinds.step("{ name: a, type: tidy }")))
			.withMessageStartingWith("plugin jar plugins/broken.jar cannot be read as a jar");
	}

}
