package dev.dmrbatch.check;

import java.util.List;
import java.util.Map;

import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.Verdict;
import dev.dmrbatch.prompt.StepAnswer;

/** One check of a job, compiled: its verdict on an answer. Thread-safe. */
public interface Evaluator {

	/**
	 * The verdict on a step's answer.
	 * @param model the variables the item's prompts saw
	 * @param grader who asks a judge's grader
	 * @param calls where a judge adds its grader's calls
	 * @throws dev.dmrbatch.model.ModelCallException when a grader's runner did not answer at all, after the retries
	 */
	Verdict evaluate(StepAnswer answer, Map<String, Object> model, Grader grader, List<Conversation.Call> calls);

	/**
	 * The verdict on a step's answer and the stored facts of the step's calls (what a {@code latency} or
	 * {@code tokens} check reads); a check of the answer alone ignores them.
	 * @param stepCalls the step's calls as they are stored: its duration, its tokens
	 */
	default Verdict evaluate(StepAnswer answer, List<Conversation.Call> stepCalls, Map<String, Object> model,
			Grader grader, List<Conversation.Call> calls) {
		return evaluate(answer, model, grader, calls);
	}

	/** A judge's grader: its model and settings; {@code null} for a check that asks no model. */
	default ModelSettings grader() {
		return null;
	}

}
