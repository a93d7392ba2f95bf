package dev.dmrbatch.step;

import java.util.List;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.plugin.PluginItems;
import dev.dmrbatch.plugin.Plugins;
import dev.dmrbatch.plugin.Provided;
import dev.dmrbatch.plugin.api.Options;
import dev.dmrbatch.plugin.api.StepType;
import dev.dmrbatch.prompt.StepAnswer;

/**
 * A step type a plugin provides: no prompt and no model call; the plugin's output is the step's answer, which later
 * steps and the exports see. It does not join the conversation. What the plugin throws fails the item, as a model
 * error would.
 */
final class PluginStep implements StepKind {

	private final Provided<StepType> plugin;

	PluginStep(Provided<StepType> plugin) {
		this.plugin = plugin;
	}

	@Override
	public String name() {
		return this.plugin.extension().name();
	}

	@Override
	public List<String> keys() {
		return StepKinds.keysBut("prompt", "template", "response_format", "schema", "schema_file", "images",
				"max-image-side");
	}

	@Override
	public void validate(JobDefinition.Step step, String at, List<String> problems) {
		if (step.prompt() != null || step.template() != null || step.responseFormat() != null) {
			problems.add(at + " has type " + step.type() + " (a plugin's step, no model call): it takes options, not "
					+ "a prompt, template or response_format");
		}
		StepRules.sendsNoImages(step, at, problems);
		String problem = Plugins.problemOf(at + ".options (step type " + step.type() + " from " + this.plugin.jar()
				+ ")", () -> this.plugin.extension().validate(Options.of(step.options())));
		if (problem != null) {
			problems.add(problem);
		}
	}

	@Override
	public String run(int index, JobDefinition.Step step, Exchange exchange) {
		String output;
		long started = System.nanoTime();
		try {
			output = this.plugin.extension().apply(PluginItems.of(exchange.model()), Options.of(step.options()));
		}
		catch (Throwable ex) {
			Plugins.rethrowFatal(ex);
			String error = Plugins.describe("step type " + step.type() + " (" + this.plugin.jar() + ")", ex);
			exchange.calls().add(Conversation.Call.failed(index, step.name(), error, null));
			return error;
		}
		// the step's record among the calls, no request made (0 attempts), so the exports know the step
		exchange.calls().add(Conversation.Call.answered(index, step.name())
			.latency((System.nanoTime() - started) / 1_000_000)
			.build());
		String answer = (output != null) ? output : "";
		exchange.turns().add(new Conversation.Turn(Conversation.Turn.PLUGIN, step.name(), answer));
		exchange.answer(step.name(), new StepAnswer(answer, null, null, false));
		return null;
	}

}
