package dev.dmrbatch.step;

import java.util.ArrayList;
import java.util.List;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.model.ChatService;
import dev.dmrbatch.prompt.StepAnswer;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code type: embed}: the step's rendered text sent to the embeddings endpoint; the vector is kept with its call (the
 * {@code embeddings.npy} export reads it there) and is the step's answer, without text. It does not join the
 * conversation, and has nothing to check.
 */
@Component
@Order(3)
class EmbedStep implements StepKind {

	private static final JsonMapper JSON = JsonMapper.shared();

	@Override
	public String name() {
		return "embed";
	}

	@Override
	public List<String> keys() {
		return StepKinds.keysBut("stream", "schema", "schema_file", "logprobs", "top_logprobs", "checks", "options",
				"images", "max-image-side");
	}

	@Override
	public void validate(JobDefinition.Step step, String at, List<String> problems) {
		StepRules.prompted(step, at, problems);
		StepRules.apart(step, at, problems);
		if (step.settings().stream() != null || step.settings().logprobs() != null
				|| step.settings().topLogprobs() != null) {
			problems.add(at + " has type embed: stream, logprobs and top_logprobs are for steps that answer in text");
		}
		if (!step.checksOrEmpty().isEmpty()) {
			problems.add(at + " has type embed: checks are for steps that answer in text (a complete step's text is "
					+ "checked like a chat step's)");
		}
	}

	@Override
	public ChatService.Preview preview(int index, JobDefinition.Step step, Exchange exchange) {
		return exchange.sending().chat().previewEmbedding(exchange.settings(index), exchange.prompt(index, step));
	}

	@Override
	public String run(int index, JobDefinition.Step step, Exchange exchange) {
		String prompt = exchange.prompt(index, step);
		exchange.turns().add(new Conversation.Turn("user", step.name(), prompt));
		Sending sending = exchange.sending();
		ChatService.Embedded embedded = sending.chat()
			.embed(exchange.settings(index), prompt, sending.retry(), sending.gate());
		List<Float> vector = new ArrayList<>(embedded.vector().length);
		for (float value : embedded.vector()) {
			vector.add(value);
		}
		exchange.calls().add(Conversation.Call.answered(index, step.name())
			.tokens(embedded.promptTokens(), 0)
			.latency(embedded.latencyMillis())
			.attempts(embedded.attempts())
			.requestModel(exchange.stepModel(index))
			.embedding(JSON.writeValueAsString(vector))
			.build());
		exchange.answer(step.name(), new StepAnswer("", null, vector, false));
		return null;
	}

}
