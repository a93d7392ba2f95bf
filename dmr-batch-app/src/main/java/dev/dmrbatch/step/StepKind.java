package dev.dmrbatch.step;

import java.util.List;

import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.model.ChatService;
import dev.dmrbatch.model.ModelCallException;
import dev.dmrbatch.plugin.Kind;
import dev.dmrbatch.plugin.api.StepType;

/**
 * A type of step, as a step's {@code type:} names it: which of the job file's keys a step of this type takes, the
 * rules its steps must follow, and how it runs one step of an item (what it renders, what it sends, what it keeps).
 * Each built-in type is one class, a bean ({@link StepKinds} orders them by their {@code @Order}); a plugin's step type
 * is adapted into one.
 */
public interface StepKind extends Kind {

	@Override
	default Class<?> api() {
		return StepType.class;
	}

	/** The job file's keys a step of this type takes, in the order of {@link JobDefinition.Step}. */
	List<String> keys();

	/**
	 * Adds the problems of a step of this type, each one sentence that starts with {@code at}: a key it does not take,
	 * a prompt it lacks, options its plugin refuses.
	 * @param at how messages name the step, such as {@code steps[2]}
	 */
	void validate(JobDefinition.Step step, String at, List<String> problems);

	/**
	 * Runs step {@code index} of an item: adds its turns and calls to the exchange and its answer to the answers later
	 * steps see.
	 * @return why the item fails, or {@code null}
	 * @throws ModelCallException when its model call is refused (the item fails, the call kept with the error) or not
	 * answered at all (the run cannot go on)
	 * @throws dev.dmrbatch.prompt.PromptException when its prompt cannot be rendered
	 */
	String run(int index, JobDefinition.Step step, Exchange exchange);

	/**
	 * What step {@code index} of an item would send, rendered as {@link #run} renders it but not sent: the request as
	 * the model client writes it, for a dry run; {@code null} for a type that sends nothing to a model.
	 * @throws dev.dmrbatch.prompt.StepAnswer.NotYetAnswered when the request holds an earlier step's answer (its prompt
	 * or the conversation it carries on), which a dry run does not have
	 * @throws dev.dmrbatch.prompt.PromptException when its prompt cannot be rendered
	 */
	default ChatService.Preview preview(int index, JobDefinition.Step step, Exchange exchange) {
		return null;
	}

}
