package dev.dmrbatch.check;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.Verdict;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.prompt.StepAnswer;

/**
 * What the types of check that read the facts of a step's stored calls share ({@code latency}, {@code tokens}): one
 * key, the most a call may have of one figure; every call of the step (a retried JSON answer makes several) is held
 * to it, and the reason names the largest.
 */
abstract class CallCheck implements CheckKind {

	/** The key that holds the maximum, such as {@code max-ms}. */
	abstract String key();

	/** The check's maximum, or {@code null} when it gives none. */
	abstract Integer maximum(JobDefinition.Check check);

	/** A call's figure this check holds to the maximum. */
	abstract long figure(Conversation.Call call);

	/** How a figure is shown, such as {@code 812 ms}. */
	abstract String show(long figure);

	@Override
	public List<String> keys() {
		return List.of(key());
	}

	@Override
	public void validate(JobDefinition.Check check, Rules rules) {
		Integer maximum = maximum(check);
		if (maximum == null) {
			rules.problem("a " + name() + " check needs '" + key() + "'");
		}
		else if (maximum < 0) {
			rules.problem(key() + " must be 0 or more");
		}
	}

	@Override
	public Evaluator compile(JobDefinition.Check check, Compiling compiling) {
		long maximum = maximum(check);
		return new Evaluator() {

			@Override
			public Verdict evaluate(StepAnswer answer, List<Conversation.Call> stepCalls, Map<String, Object> model,
					Grader grader, List<Conversation.Call> calls) {
				Conversation.Call largest = stepCalls.stream().max(Comparator.comparingLong(CallCheck.this::figure))
					.orElse(null);
				if (largest == null) {
					return compiling.verdict(false, "the step has no stored call to check");
				}
				long figure = figure(largest);
				return (figure > maximum) ? compiling.verdict(false, show(figure) + ", more than " + maximum)
						: compiling.verdict(true, show(figure) + ", within " + maximum);
			}

			@Override
			public Verdict evaluate(StepAnswer answer, Map<String, Object> model, Grader grader,
					List<Conversation.Call> calls) {
				return evaluate(answer, List.of(), model, grader, calls);
			}

		};
	}

}
