package dev.dmrbatch.step;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.plugin.KindRegistry;
import dev.dmrbatch.plugin.Plugins;
import dev.dmrbatch.plugin.api.StepType;
import dev.dmrbatch.text.SafeText;

import org.springframework.stereotype.Component;

/**
 * The step types: the built-in ones (every {@link StepKind} bean, in their {@code @Order}) and the plugins', which are
 * loaded only when a job file names a type that is not built in. A step without {@code type:} is a chat step.
 */
@Component
public class StepKinds {

	/** Every key a step of a job file can give, whatever its type, in the order of {@link JobDefinition.Step}. */
	public static final List<String> STEP_KEYS = JobDefinition.keys(JobDefinition.Step.class);

	private final KindRegistry<StepKind, StepType> kinds;

	/**
	 * @param builtIn dmr-batch's own step types, in the order messages list them
	 */
	public StepKinds(List<StepKind> builtIn, Plugins plugins) {
		this.kinds = new KindRegistry<>(builtIn, () -> plugins.loaded().stepTypes(), PluginStep::new);
	}

	/**
	 * A step's type: the built-in one of its {@code type:} (chat when it has none), else a plugin's, else {@code null}.
	 * @throws dev.dmrbatch.plugin.PluginLoadException naming a plugin jar that cannot be used
	 */
	public StepKind kind(JobDefinition.Step step) {
		return this.kinds.get((step.type() != null) ? step.type() : ChatStep.NAME);
	}

	/** Adds the problems of a step's type: one that no one provides, or what its type refuses. */
	public void check(JobDefinition.Step step, String at, List<String> problems) {
		StepKind kind = kind(step);
		if (kind == null) {
			problems.add(at + ".type '" + SafeText.excerpt(step.type(), 40) + "' is not one of "
					+ String.join(", ", names()));
			return;
		}
		kind.validate(step, at, problems);
	}

	/** The names of the step types, the built-in ones first, then the plugins' by name (which loads them). */
	public List<String> names() {
		return this.kinds.all().stream().map(StepKind::name).toList();
	}

	/** The built-in step types, in their order: the plugins are not asked. */
	public List<StepKind> builtIn() {
		return List.copyOf(this.kinds.builtIn());
	}

	/**
	 * Each step type's name and the job file's keys a step of that type takes: the built-in ones in their order,
	 * then, when {@code withPlugins}, the plugins' by name (which loads them).
	 */
	public Map<String, List<String>> keys(boolean withPlugins) {
		return this.kinds.describe(withPlugins, StepKind::keys);
	}

	/** The keys of a step, all but those given. */
	static List<String> keysBut(String... refused) {
		List<String> not = Arrays.asList(refused);
		return STEP_KEYS.stream().filter((key) -> !not.contains(key)).toList();
	}

}
