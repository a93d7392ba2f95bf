package dev.dmrbatch.step;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.input.InputItem;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.plugin.Provided;
import dev.dmrbatch.plugin.api.Item;
import dev.dmrbatch.plugin.api.Options;
import dev.dmrbatch.plugin.api.PluginException;
import dev.dmrbatch.plugin.api.StepType;
import dev.dmrbatch.prompt.StepAnswer;
import dev.dmrbatch.run.pipeline.ConversationProcessor;
import dev.dmrbatch.support.Kinds;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A plugin's step type: options instead of a prompt, its output the step's answer, what it throws the item's error. */
class PluginStepTest {

	/** Upper-cases the item's text; knows no option {@code bad}; has nothing to say about an empty text. */
	static final StepType UPPER = new StepType() {

		@Override
		public String name() {
			return "upper";
		}

		@Override
		public void validate(Options options) {
			if (options.has("bad")) {
				throw new PluginException("option 'bad' is not known");
			}
		}

		@Override
		public String apply(Item item, Options options) {
			String text = String.valueOf(item.fields().get("text"));
			if (text.isEmpty()) {
				throw new PluginException("item " + item.id() + " has no text");
			}
			return text.toUpperCase() + options.text("suffix", "");
		}

	};

	final PluginStep kind = new PluginStep(new Provided<>(UPPER, "plugins/upper.jar"));

	final Map<String, Object> answers = new LinkedHashMap<>();

	private Exchange exchange(String text) {
		InputItem item = new InputItem(3, "r3", Map.of("text", text), null, false);
		return new Exchange(null, item, null, List.of(), ConversationProcessor.model(item, Map.of(), this.answers),
				this.answers);
	}

	@Test
	void itTakesOptionsWhichThePluginChecksNotAPrompt() {
		List<String> problems = new ArrayList<>();
		this.kind.validate(Kinds.step("{ name: a, type: upper, prompt: x, options: { bad: 1 } }"), "steps[0]",
				problems);
		assertThat(problems).containsExactly(
				"steps[0] has type upper (a plugin's step, no model call): it takes options, not a prompt, template or "
						+ "response_format",
				"steps[0].options (step type upper from plugins/upper.jar): option 'bad' is not known");
		assertThat(this.kind.keys()).contains("options", "when", "checks")
			.doesNotContain("prompt", "template", "response_format");
	}

	@Test
	void itsOutputIsTheStepsAnswerWithoutARequest() {
		JobDefinition.Step step = Kinds.step("{ name: loud, type: upper, options: { suffix: '!' } }");
		Exchange exchange = exchange("hello");
		assertThat(this.kind.run(1, step, exchange)).isNull();
		assertThat(exchange.turns()).containsExactly(new Conversation.Turn(Conversation.Turn.PLUGIN, "loud", "HELLO!"));
		assertThat(exchange.calls()).singleElement().satisfies((call) -> {
			assertThat(call.stepIndex()).isEqualTo(1);
			assertThat(call.attempts()).isZero();
			assertThat(call.error()).isNull();
		});
		assertThat(this.answers).containsEntry("loud", new StepAnswer("HELLO!", null, null, false));
	}

	@Test
	void whatItThrowsFailsTheItem() {
		Exchange exchange = exchange("");
		String error = this.kind.run(0, Kinds.step("{ name: loud, type: upper }"), exchange);
		assertThat(error).isEqualTo("step type upper (plugins/upper.jar): item r3 has no text");
		assertThat(exchange.calls()).singleElement().extracting(Conversation.Call::error).isEqualTo(error);
		assertThat(exchange.turns()).isEmpty();
		assertThat(this.answers).isEmpty();
	}

}
