package dev.dmrbatch.plugin.api;

/**
 * A step that is not a model call: a transformation of the item between steps, such as a lookup or a cleanup. A job
 * file uses it as a step with {@code type: <name>} and {@code options: {...}} (no prompt); later steps see its output
 * as {@code ${steps.<step name>}}, and the exports show it as the step's answer.
 */
public interface StepType {

	/**
	 * The step type's name, as {@code type:} gives it.
	 * @return the name, unique among all step types
	 */
	String name();

	/**
	 * Checks a step's options when the job file is read, before anything is sent. Nothing by default.
	 * @param options the step's {@code options}
	 * @throws PluginException naming the option and the problem
	 */
	default void validate(Options options) {
	}

	/**
	 * Computes the step's output for one item. Called on the run's worker threads, several at once: keep no state
	 * between calls.
	 * @param item the item, with the answers of the steps before this one
	 * @param options the step's {@code options}
	 * @return the output, as later steps see it
	 * @throws PluginException when the item cannot be handled: the item fails with the message, as a model error would
	 * fail it
	 */
	String apply(Item item, Options options);

}
