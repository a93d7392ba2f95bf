package dev.dmrbatch.check;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;

import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.plugin.KindRegistry;
import dev.dmrbatch.plugin.Plugins;
import dev.dmrbatch.plugin.api.CheckType;
import dev.dmrbatch.prompt.PromptTemplates;
import dev.dmrbatch.text.SafeText;
import jakarta.validation.Validator;

import org.springframework.stereotype.Component;

/**
 * The check types: the built-in ones (every {@link CheckKind} bean, in their {@code @Order}) and the plugins', which are
 * loaded only when a job file names a type that is not built in. Reads a step's {@code checks:} (each check that could
 * not be evaluated is a problem named by step and check, found when the job file is read) and compiles a job's checks
 * for a run.
 */
@Component
public class CheckKinds {

	/** A check's name is half of its key {@code <step>.<check>}: no dot, nothing a column or an id would mangle. */
	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_-]{0,99}");

	private final KindRegistry<CheckKind, CheckType> kinds;

	/**
	 * @param builtIn dmr-batch's own check types, in the order messages list them
	 */
	public CheckKinds(List<CheckKind> builtIn, Plugins plugins) {
		this.kinds = new KindRegistry<>(builtIn, () -> plugins.loaded().checkTypes(), PluginCheck::new);
	}

	/** The built-in check types, in their order: the plugins are not asked. */
	public List<CheckKind> builtIn() {
		return List.copyOf(this.kinds.builtIn());
	}

	/**
	 * Each check type's name and the keys a check of that type takes beside {@code name}, {@code type} and
	 * {@code min-pass-rate}: the built-in ones in their order, then, when {@code withPlugins}, the plugins' by name
	 * (which loads them).
	 */
	public Map<String, List<String>> keys(boolean withPlugins) {
		return this.kinds.describe(withPlugins, CheckKind::keys);
	}

	/**
	 * Adds the problems of one step's checks, each named by step and check.
	 * @param at how messages name a step without a name, such as {@code steps[2]}
	 * @param answersJson whether the step asks for JSON
	 * @param validator what checks a judge's model settings
	 */
	public void checkStep(List<String> problems, String at, JobDefinition.Step step, boolean answersJson,
			Validator validator) {
		List<JobDefinition.Check> checks = step.checksOrEmpty();
		String stepName = (step.name() != null) ? "step " + step.name() : at;
		Set<String> names = new HashSet<>();
		for (int j = 0; j < checks.size(); j++) {
			JobDefinition.Check check = checks.get(j);
			if (check == null) {
				problems.add(stepName + ": checks[" + j + "] is empty");
				continue;
			}
			if (check.name() == null || check.name().isBlank()) {
				problems.add(stepName + ": checks[" + j + "] has no name");
				continue;
			}
			String where = stepName + ", check " + SafeText.excerpt(check.name(), 60);
			Consumer<String> problem = (text) -> problems.add(where + ": " + text);
			if (!NAME.matcher(check.name()).matches()) {
				problem.accept("a check's name must be letters, digits, '_' and '-' (it is used as <step>.<check>)");
				continue;
			}
			if (!names.add(check.name())) {
				problem.accept("the name is used by an earlier check of the step too");
				continue;
			}
			checkOne(check, new CheckKind.Rules(answersJson, validator, problem));
		}
	}

	private void checkOne(JobDefinition.Check check, CheckKind.Rules rules) {
		if (check.minPassRate() != null && (check.minPassRate() < 0 || check.minPassRate() > 1)) {
			rules.problem("min-pass-rate must be a share between 0 and 1, such as 0.9");
		}
		if (check.type() == null) {
			rules.problem("'type' is missing (one of " + String.join(", ", keys(false).keySet()) + ")");
			return;
		}
		CheckKind kind = this.kinds.get(check.type());
		if (kind == null) {
			rules.problem("type '" + SafeText.excerpt(check.type(), 40) + "' is not one of "
					+ String.join(", ", keys(true).keySet()));
			return;
		}
		List<String> stray = check.keysGiven().stream().filter((key) -> !kind.keys().contains(key)).toList();
		if (!stray.isEmpty()) {
			rules.problem("'" + String.join("', '", stray) + "' " + ((stray.size() == 1) ? "does" : "do")
					+ " not apply to a " + check.type() + " check (" + kind.takes() + ")");
			return;
		}
		kind.validate(check, rules);
	}

	/**
	 * Compiles a job's checks for a run; the job file's own check has already refused what cannot be evaluated.
	 * @param graders a judge's model settings as given in the job file, to the settings it is asked with (the
	 * profile's for that model, overridden by the job file's)
	 * @throws dev.dmrbatch.prompt.PromptException for an expected value or a rubric that is not a template, naming
	 * job file, step and check
	 */
	public JobChecks compile(JobDefinition job, PromptTemplates templates,
			Function<ModelSettings, ModelSettings> graders) {
		if (!job.hasChecks()) {
			return JobChecks.NONE;
		}
		String file = (job.source() != null) ? job.source().getFileName().toString() : job.name();
		List<CompiledCheck> checks = new ArrayList<>();
		for (JobDefinition.Step step : job.steps()) {
			for (JobDefinition.Check check : step.checksOrEmpty()) {
				String key = step.name() + "." + check.name();
				CheckKind kind = this.kinds.get(check.type());
				if (kind == null) {
					throw new IllegalStateException("check " + key + ": no check type is named " + check.type());
				}
				CheckKind.Compiling compiling = new CheckKind.Compiling(key,
						file + " steps." + step.name() + ".checks." + check.name(), templates, graders,
						job.steps().size() + checks.size());
				checks.add(new CompiledCheck(key, step.name(), check, kind.compile(check, compiling)));
			}
		}
		return new JobChecks(List.copyOf(checks), (job.gate() != null) ? job.gate().minPassRate() : null);
	}

}
