package dev.dmrbatch.run.plan;

import java.util.List;
import java.util.Set;
import java.util.function.Function;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.input.InputItem;
import dev.dmrbatch.model.LoadGate;

/**
 * A job that comes with dmr-batch instead of a job file: {@code job=<name>} plans it, and it says what each item
 * becomes. Registered as a bean; its name is its Spring Batch job name, the restart identity, so it never changes.
 */
public interface BuiltInJob {

	/** The name {@code job=} gives, which no job file can take. */
	String name();

	/**
	 * The run's plan, checked before anything is sent.
	 * @param planner the checks every run shares: label, output folder, concurrency, runners, retry
	 */
	RunPlan plan(RunRequest request, RunPlanner planner);

	/** What the pipeline does with each item on a runner whose requests in flight the gate holds. */
	Function<InputItem, List<Conversation>> processor(RunPlan plan, LoadGate gate);

	/**
	 * The {@code key=value} arguments it uses besides {@code job=} and {@code profile=}; the command line refuses any
	 * other.
	 */
	default Set<String> arguments() {
		return Set.of("input", "output", "model", "run", "concurrency", "base-url", "rate", "tokens-rate");
	}

	/** Every model the run sends to, for the checks before it starts. */
	List<String> modelsUsed(RunPlan plan);

}
