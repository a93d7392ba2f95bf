package dev.dmrbatch.plugin.api;

/**
 * A type of check on a step's answer: {@code checks: [{name: <check>, type: <name>, options: {...}}]} on a step. Its
 * verdicts count like the built-in checks' (results, report, quality gate).
 */
public interface CheckType {

	/**
	 * The check type's name, as {@code type:} gives it.
	 * @return the name, unique among all check types
	 */
	String name();

	/**
	 * Checks a check's options when the job file is read, before anything is sent. Nothing by default.
	 * @param options the check's {@code options}
	 * @throws PluginException naming the option and the problem
	 */
	default void validate(Options options) {
	}

	/**
	 * Judges one answer. Called on the run's worker threads, several at once: keep no state between calls.
	 * @param answer the step's answer
	 * @param item the item, with the answers of every step
	 * @param options the check's {@code options}
	 * @return the verdict
	 * @throws PluginException when the answer cannot be judged: the check fails with the message as its reason
	 */
	CheckResult check(String answer, Item item, Options options);

}
