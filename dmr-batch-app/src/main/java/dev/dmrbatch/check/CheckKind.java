package dev.dmrbatch.check;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.conversation.Verdict;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.plugin.Kind;
import dev.dmrbatch.plugin.api.CheckType;
import dev.dmrbatch.prompt.PromptTemplates;
import jakarta.validation.Validator;

/**
 * A type of check, as a check's {@code type:} names it: the job file's keys it takes, the rules its checks must follow
 * and what evaluates them. Each built-in type is one class, a bean ({@link CheckKinds} orders them by their
 * {@code @Order}); a plugin's check type is adapted into one.
 */
public interface CheckKind extends Kind {

	@Override
	default Class<?> api() {
		return CheckType.class;
	}

	/**
	 * The keys a check of this type takes beside {@code name}, {@code type} and {@code min-pass-rate}, in the order
	 * messages list them; a check that gives another is refused.
	 */
	List<String> keys();

	/** What a message about a key it does not take says it takes. */
	default String takes() {
		return "it takes " + String.join(", ", keys());
	}

	/**
	 * Tells what would keep a check of this type from being evaluated: a value it lacks, a pattern that does not
	 * compile. Asked once its keys are known to be its own.
	 */
	void validate(JobDefinition.Check check, Rules rules);

	/**
	 * A check of this type compiled for a run: its pattern, path or templates compiled once.
	 * @throws dev.dmrbatch.prompt.PromptException for a template that does not compile, naming it
	 */
	Evaluator compile(JobDefinition.Check check, Compiling compiling);

	/**
	 * What a check's rules are told.
	 * @param answersJson whether the check's step asks for JSON
	 * @param validator what checks a judge's model settings
	 * @param problems where each problem goes, one sentence
	 */
	record Rules(boolean answersJson, Validator validator, Consumer<String> problems) {

		public void problem(String problem) {
			this.problems.accept(problem);
		}

	}

	/**
	 * What a check is compiled with.
	 * @param key {@code <step>.<check>}, which its verdicts carry
	 * @param where how messages name its templates, such as {@code classify.yaml steps.label.checks.label}
	 * @param graders a judge's model settings as given in the job file, to the settings it is asked with
	 * @param callIndex the step index a judge's grader calls are stored under: after the job's steps, one per check
	 */
	record Compiling(String key, String where, PromptTemplates templates, Function<ModelSettings, ModelSettings> graders,
			int callIndex) {

		public Verdict verdict(boolean pass, String reason) {
			return new Verdict(this.key, pass, reason);
		}

	}

}
