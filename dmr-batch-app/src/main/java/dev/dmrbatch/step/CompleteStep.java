package dev.dmrbatch.step;

import java.util.List;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.model.ChatService;
import dev.dmrbatch.model.ModelReply;
import dev.dmrbatch.prompt.StepAnswer;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code type: complete}: the step's rendered prompt sent, raw, to the legacy completions endpoint; the text that
 * follows it is the step's answer, checked like a chat step's. It does not join the conversation.
 */
@Component
@Order(2)
class CompleteStep implements StepKind {

	@Override
	public String name() {
		return "complete";
	}

	@Override
	public List<String> keys() {
		return StepKinds.keysBut("schema", "schema_file", "options", "images", "max-image-side");
	}

	@Override
	public void validate(JobDefinition.Step step, String at, List<String> problems) {
		StepRules.prompted(step, at, problems);
		StepRules.apart(step, at, problems);
	}

	@Override
	public ChatService.Preview preview(int index, JobDefinition.Step step, Exchange exchange) {
		return exchange.sending().chat().previewCompletion(exchange.settings(index), exchange.prompt(index, step));
	}

	@Override
	public String run(int index, JobDefinition.Step step, Exchange exchange) {
		String prompt = exchange.prompt(index, step);
		exchange.turns().add(new Conversation.Turn("user", step.name(), prompt));
		Sending sending = exchange.sending();
		ModelReply reply = sending.chat()
			.completeText(exchange.settings(index), prompt, sending.retry(), sending.gate());
		exchange.calls().add(reply.call(index, step.name())
			.requestModel(exchange.servedBy(reply))
			.logprobs(reply.logprobs())
			.build());
		exchange.turns().add(new Conversation.Turn("assistant", step.name(), reply.content()));
		exchange.answer(step.name(), new StepAnswer(reply.content(), null, null, false));
		return null;
	}

}
