package dev.dmrbatch.check;

import java.util.List;

import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.plugin.PluginItems;
import dev.dmrbatch.plugin.Plugins;
import dev.dmrbatch.plugin.Provided;
import dev.dmrbatch.plugin.api.CheckResult;
import dev.dmrbatch.plugin.api.CheckType;
import dev.dmrbatch.plugin.api.Options;
import dev.dmrbatch.text.SafeText;

/**
 * A check type a plugin provides: it takes {@code options}, which the plugin checks when the job file is read, and
 * judges each answer itself. What it throws fails the check, with the message as the reason.
 */
final class PluginCheck implements CheckKind {

	private final Provided<CheckType> plugin;

	PluginCheck(Provided<CheckType> plugin) {
		this.plugin = plugin;
	}

	@Override
	public String name() {
		return this.plugin.extension().name();
	}

	@Override
	public List<String> keys() {
		return List.of("options");
	}

	@Override
	public String takes() {
		return "a plugin's check takes options";
	}

	@Override
	public void validate(JobDefinition.Check check, Rules rules) {
		String problem = Plugins.problemOf("options (check type " + check.type() + " from " + this.plugin.jar() + ")",
				() -> this.plugin.extension().validate(Options.of(check.options())));
		if (problem != null) {
			rules.problem(problem);
		}
	}

	@Override
	public Evaluator compile(JobDefinition.Check check, Compiling compiling) {
		Options options = Options.of(check.options());
		String what = "check type " + check.type() + " (" + this.plugin.jar() + ")";
		return (answer, model, grader, calls) -> {
			CheckResult result;
			try {
				result = this.plugin.extension().check(AnswerText.of(answer), PluginItems.of(model), options);
			}
			catch (Throwable ex) {
				Plugins.rethrowFatal(ex);
				return compiling.verdict(false, Plugins.describe(what, ex));
			}
			if (result == null) {
				return compiling.verdict(false, what + " gave no verdict");
			}
			return compiling.verdict(result.pass(), (result.reason() != null)
					? SafeText.excerpt(SafeText.firstLine(result.reason()), 300) : (result.pass() ? "passed" : "failed"));
		};
	}

}
