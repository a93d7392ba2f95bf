package dev.dmrbatch.run;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.input.InputItem;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.model.ChatMessage;
import dev.dmrbatch.model.ChatService;
import dev.dmrbatch.model.LoadGate;
import dev.dmrbatch.model.ModelCallException;
import dev.dmrbatch.model.ModelReply;
import dev.dmrbatch.model.ModelSettings;
import dev.dmrbatch.prompt.PromptException;
import dev.dmrbatch.prompt.Prompts;

import org.springframework.batch.infrastructure.item.ItemProcessor;

/**
 * Holds one item's conversation: renders each step's prompt, sends the conversation so far, and keeps the reply,
 * so step two sees step one's exchange. An item that cannot be answered becomes a failed conversation with the
 * reason. Only a runner that stays unreachable is an exception: it fails the job, whose uncommitted items are sent
 * again when the run resumes. Runs on the step's worker threads; keeps no state.
 */
class ConversationProcessor implements ItemProcessor<InputItem, Conversation> {

	private final RunPlan plan;

	private final ChatService chat;

	private final LoadGate gate;

	ConversationProcessor(RunPlan plan, ChatService chat, LoadGate gate) {
		this.plan = plan;
		this.chat = chat;
		this.gate = gate;
	}

	@Override
	public Conversation process(InputItem item) {
		if (item.isBlank()) {
			return null; // a blank line: nothing to ask
		}
		ModelSettings settings = this.plan.settings();
		List<Conversation.Turn> turns = new ArrayList<>();
		List<Conversation.Call> calls = new ArrayList<>();
		if (item.error() != null) {
			return failed(item, settings, turns, calls, item.error());
		}
		Map<String, Object> answers = new LinkedHashMap<>();
		Map<String, Object> model = model(item, answers);
		Prompts prompts = this.plan.prompts();
		List<ChatMessage> messages = new ArrayList<>();
		try {
			if (prompts.hasSystem()) {
				String system = prompts.renderSystem(model);
				messages.add(ChatMessage.system(system));
				turns.add(new Conversation.Turn("system", null, system));
			}
			List<JobDefinition.Step> steps = this.plan.job().steps();
			for (int i = 0; i < steps.size(); i++) {
				String step = steps.get(i).name();
				String prompt = prompts.renderStep(i, model);
				messages.add(ChatMessage.user(prompt));
				turns.add(new Conversation.Turn("user", step, prompt));
				ModelReply reply;
				try {
					reply = this.chat.complete(settings, messages, this.plan.retry(), this.gate);
				}
				catch (ModelCallException ex) {
					if (ex.status() == 0) {
						// no answer at all, after the retries: the runner is gone, not this item's fault
						throw new RunnerUnavailableException(ex.getMessage(), ex);
					}
					calls.add(new Conversation.Call(i, step, null, 0, 0, 0, 0, null, null, ex.getMessage()));
					return failed(item, settings, turns, calls, "step " + step + ": " + ex.getMessage());
				}
				calls.add(new Conversation.Call(i, step, reply.finishReason(), reply.promptTokens(),
						reply.completionTokens(), reply.latencyMillis(), reply.attempts(), reply.timings(),
						reply.systemFingerprint(), null));
				messages.add(ChatMessage.assistant(reply.content()));
				turns.add(new Conversation.Turn("assistant", step, reply.content()));
				answers.put(step, reply.content());
			}
		}
		catch (PromptException ex) {
			return failed(item, settings, turns, calls, ex.getMessage());
		}
		return new Conversation(item.seq(), item.id(), settings.name(), Conversation.OK, null, turns, calls);
	}

	/**
	 * The variables a prompt sees: the item's fields, {@code item} (its id and fields), {@code vars} and
	 * {@code steps} (the answers so far).
	 */
	private Map<String, Object> model(InputItem item, Map<String, Object> answers) {
		Map<String, Object> model = new HashMap<>(item.fields());
		Map<String, Object> itemModel = new LinkedHashMap<>(item.fields());
		itemModel.put("id", item.id());
		itemModel.put("seq", item.seq());
		model.put("item", itemModel);
		model.put("vars", this.plan.vars());
		model.put("steps", answers);
		return model;
	}

	private static Conversation failed(InputItem item, ModelSettings settings, List<Conversation.Turn> turns,
			List<Conversation.Call> calls, String error) {
		return new Conversation(item.seq(), item.id(), settings.name(), Conversation.FAILED, error, turns, calls);
	}

}
