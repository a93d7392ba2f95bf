package dev.dmrbatch.run.pipeline;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.cache.CachedCalls;
import dev.dmrbatch.check.Grader;
import dev.dmrbatch.check.JobChecks;
import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.input.InputItem;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.model.ChatMessage;
import dev.dmrbatch.model.ChatService;
import dev.dmrbatch.model.LoadGate;
import dev.dmrbatch.model.ModelCallException;
import dev.dmrbatch.model.ModelReply;
import dev.dmrbatch.plugin.PluginItems;
import dev.dmrbatch.plugin.Plugins;
import dev.dmrbatch.plugin.Provided;
import dev.dmrbatch.plugin.api.Options;
import dev.dmrbatch.plugin.api.StepType;
import dev.dmrbatch.prompt.PromptException;
import dev.dmrbatch.prompt.Prompts;

import dev.dmrbatch.model.StructuredOutput;
import dev.dmrbatch.prompt.StepAnswer;
import dev.dmrbatch.run.plan.RunPlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Holds one item's conversations, one per model: renders each step's prompt, sends the conversation so far, and keeps
 * the reply, so step two sees step one's exchange. A step may be skipped by its {@code when:}, start a fresh
 * conversation, use its own model settings, and ask for JSON, which is parsed and validated (and asked for again
 * when it does not hold). An item that cannot be answered becomes a failed conversation with the reason. Only a
 * runner that stays unreachable is an exception: it fails the job, whose uncommitted items are sent again when the
 * run resumes. With the response cache on, each call is first looked up ({@link CachedCalls}) and each answer
 * that holds is stored as it arrives. Runs on the worker threads; keeps no state.
 */
public class ConversationProcessor {

	private static final Logger log = LoggerFactory.getLogger(ConversationProcessor.class);

	private static final JsonMapper JSON = JsonMapper.shared();

	private final RunPlan plan;

	private final ChatService chat;

	private final LoadGate gate;

	/** The run's response cache, or {@code null} when it is off: then nothing is fingerprinted or looked up. */
	private final CachedCalls cache;

	private final Grader grader;

	private final Map<Integer, Provided<StepType>> pluginSteps;

	public ConversationProcessor(RunPlan plan, ChatService chat, LoadGate gate) {
		this(plan, chat, gate, null);
	}

	public ConversationProcessor(RunPlan plan, ChatService chat, LoadGate gate, CachedCalls cache) {
		this(plan, chat, gate, cache, Map.of());
	}

	/**
	 * @param pluginSteps the step types of plugins, by the index of the step that has one; empty when no step has
	 */
	public ConversationProcessor(RunPlan plan, ChatService chat, LoadGate gate, CachedCalls cache,
			Map<Integer, Provided<StepType>> pluginSteps) {
		this.pluginSteps = pluginSteps;
		this.plan = plan;
		this.chat = chat;
		this.gate = gate;
		this.cache = cache;
		this.grader = new Grader(chat, gate, plan.retry());
	}

	/** The item's conversations, one per model in the plan's order; {@code null} for a blank line. */
	public List<Conversation> process(InputItem item) {
		if (item.isBlank()) {
			return null; // a blank line: nothing to ask
		}
		List<ModelSettings> models = this.plan.models();
		List<Conversation> conversations = new ArrayList<>(models.size());
		for (int i = 0; i < models.size(); i++) {
			conversations.add(converse(item, models.get(i), this.plan.stepSettings().get(i)));
		}
		return conversations;
	}

	private Conversation converse(InputItem item, ModelSettings settings, List<ModelSettings> stepsSettings) {
		List<Conversation.Turn> turns = new ArrayList<>();
		List<Conversation.Call> calls = new ArrayList<>();
		if (item.error() != null) {
			return failed(item, settings, turns, calls, item.error());
		}
		Map<String, Object> answers = new LinkedHashMap<>();
		Map<String, Object> model = model(item, answers);
		Prompts prompts = this.plan.prompts();
		List<ChatMessage> messages = new ArrayList<>();
		ChatMessage system = null;
		try {
			if (prompts.hasSystem()) {
				system = ChatMessage.system(prompts.renderSystem(model));
				messages.add(system);
				turns.add(new Conversation.Turn("system", null, system.content()));
			}
			List<JobDefinition.Step> steps = this.plan.job().steps();
			for (int i = 0; i < steps.size(); i++) {
				JobDefinition.Step step = steps.get(i);
				if (!prompts.shouldRun(i, model)) {
					calls.add(Conversation.Call.skipped(i, step.name()));
					answers.put(step.name(), StepAnswer.skippedStep());
					continue;
				}
				if (step.isPluginStep()) {
					String error = applyPlugin(i, step, model, turns, calls, answers);
					if (error != null) {
						return failed(item, settings, turns, calls, "step " + step.name() + ": " + error);
					}
					continue;
				}
				if (step.startsNewConversation()) {
					messages = new ArrayList<>();
					if (system != null) {
						messages.add(system);
					}
				}
				String prompt = prompts.renderStep(i, model);
				if (step.isComplete() || step.isEmbed()) {
					String error = sendApart(i, step, prompt, stepsSettings.get(i), settings, turns, calls, answers);
					if (error != null) {
						return failed(item, settings, turns, calls, "step " + step.name() + ": " + error);
					}
					continue;
				}
				messages.add(ChatMessage.user(prompt));
				turns.add(new Conversation.Turn("user", step.name(), prompt));
				ModelSettings stepSettings = stepsSettings.get(i);
				String stepModel = stepSettings.name().equals(settings.name()) ? null : stepSettings.name();
				StructuredOutput format = this.plan.formats().get(i);
				int tries = (format != null) ? 1 + step.jsonRetriesOrDefault() : 1;
				for (int attempt = 1;; attempt++) {
					ModelReply reply;
					// not for a second answer to the same request (the stored one broke the schema), nor where the
					// answer's log probabilities are asked for (the cache keeps the answer, not them)
					CachedCalls.Lookup cached = (this.cache != null && !stepSettings.wantsLogprobs())
							? this.cache.lookup(this.chat, stepSettings, messages, format, item.seq(), settings.name(), i)
							: null;
					if (cached != null && attempt > 1) {
						cached = cached.askedAgain();
					}
					try {
						reply = (cached != null && cached.found()) ? cached.reply()
								: this.chat.complete(stepSettings, messages, format, this.plan.retry(), this.gate);
					}
					catch (ModelCallException ex) {
						if (ex.status() == 0) {
							// no answer at all, after the retries: the runner is gone, not this item's fault
							throw new RunnerUnavailableException(ex.getMessage(), ex);
						}
						calls.add(new Conversation.Call(i, step.name(), null, 0, 0, 0, 0, null, null, ex.getMessage(),
								false, stepModel, null, null, null));
						return failed(item, settings, turns, calls, "step " + step.name() + ": " + ex.getMessage());
					}
					JsonNode json = null;
					String invalid = null;
					if (format != null) {
						try {
							json = format.check(reply.content());
						}
						catch (StructuredOutput.InvalidAnswerException ex) {
							invalid = ex.getMessage();
						}
					}
					calls.add(new Conversation.Call(i, step.name(), reply.finishReason(), reply.promptTokens(),
							reply.completionTokens(), reply.latencyMillis(), reply.attempts(), reply.timings(),
							reply.systemFingerprint(), invalid, false, servedBy(reply, settings), reply.ttftMillis(), null,
							null, (cached != null) ? cached.reusedFrom() : null, reply.logprobs(), null));
					if (cached != null && invalid == null) {
						this.cache.keep(cached, item.seq(), item.id(), settings.name(), i, reply);
					}
					if (invalid != null && attempt < tries) {
						log.debug("item {} step {}: {}; asking again ({} of {})", item.id(), step.name(), invalid,
								attempt + 1, tries);
						continue;
					}
					String jsonText = (json != null) ? JSON.writeValueAsString(json) : null;
					messages.add(ChatMessage.assistant(reply.content()));
					turns.add(new Conversation.Turn("assistant", step.name(), reply.content(), reply.reasoning(),
							jsonText));
					if (invalid != null) {
						return failed(item, settings, turns, calls, "step " + step.name() + ": " + invalid
								+ ((tries > 1) ? " (after " + tries + " answers)" : ""));
					}
					answers.put(step.name(), new StepAnswer(reply.content(), reply.reasoning(),
							(json != null) ? JSON.treeToValue(json, Object.class) : null, false));
					break;
				}
			}
		}
		catch (PromptException ex) {
			return failed(item, settings, turns, calls, ex.getMessage());
		}
		Conversation answered = new Conversation(item.seq(), item.id(), settings.name(), Conversation.OK, null, turns,
				calls);
		if (this.plan.checks().isEmpty()) {
			return answered;
		}
		// the checks see what the prompts saw, every step's answer included; a failed check does not fail the item
		JobChecks.Evaluated evaluated = this.plan.checks().evaluate(model, this.grader);
		return answered.withVerdicts(evaluated.verdicts(), evaluated.calls());
	}

	/**
	 * A plugin's step: its output is the step's answer, which later steps and the exports see; it sends nothing and
	 * does not join the conversation. What the plugin throws fails the item, as a model error would.
	 * @return why it failed, or {@code null}
	 */
	private String applyPlugin(int i, JobDefinition.Step step, Map<String, Object> model, List<Conversation.Turn> turns,
			List<Conversation.Call> calls, Map<String, Object> answers) {
		Provided<StepType> plugin = this.pluginSteps.get(i);
		String output;
		long started = System.nanoTime();
		try {
			output = plugin.extension().apply(PluginItems.of(model), Options.of(step.options()));
		}
		catch (Throwable ex) {
			Plugins.rethrowFatal(ex);
			String error = Plugins.describe("step type " + step.type() + " (" + plugin.jar() + ")", ex);
			calls.add(new Conversation.Call(i, step.name(), null, 0, 0, 0, 0, null, null, error, false, null, null, null,
					null));
			return error;
		}
		// the step's record among the calls, no request made (0 attempts), so the exports know the step
		calls.add(new Conversation.Call(i, step.name(), null, 0, 0, (System.nanoTime() - started) / 1_000_000, 0, null,
				null, null, false, null, null, null, null));
		String answer = (output != null) ? output : "";
		turns.add(new Conversation.Turn(Conversation.Turn.PLUGIN, step.name(), answer));
		answers.put(step.name(), new StepAnswer(answer, null, null, false));
		return null;
	}

	/**
	 * A step that does not join the conversation: its rendered prompt sent raw to the completions endpoint (the text
	 * that follows is its answer) or to the embeddings endpoint (the vector is kept with the call).
	 * @return why it failed, or {@code null}
	 */
	private String sendApart(int i, JobDefinition.Step step, String prompt, ModelSettings stepSettings,
			ModelSettings settings, List<Conversation.Turn> turns, List<Conversation.Call> calls,
			Map<String, Object> answers) {
		String stepModel = stepSettings.name().equals(settings.name()) ? null : stepSettings.name();
		turns.add(new Conversation.Turn("user", step.name(), prompt));
		try {
			if (step.isComplete()) {
				ModelReply reply = this.chat.completeText(stepSettings, prompt, this.plan.retry(), this.gate);
				calls.add(new Conversation.Call(i, step.name(), reply.finishReason(), reply.promptTokens(),
						reply.completionTokens(), reply.latencyMillis(), reply.attempts(), reply.timings(),
						reply.systemFingerprint(), null, false, servedBy(reply, settings), null, null, null,
						reply.logprobs(), null));
				turns.add(new Conversation.Turn("assistant", step.name(), reply.content()));
				answers.put(step.name(), new StepAnswer(reply.content(), null, null, false));
			}
			else {
				ChatService.Embedded embedded = this.chat.embed(stepSettings, prompt, this.plan.retry(), this.gate);
				List<Float> vector = new ArrayList<>(embedded.vector().length);
				for (float value : embedded.vector()) {
					vector.add(value);
				}
				calls.add(new Conversation.Call(i, step.name(), null, embedded.promptTokens(), 0,
						embedded.latencyMillis(), embedded.attempts(), null, null, null, false, stepModel, null, null,
						null, null, JSON.writeValueAsString(vector)));
				answers.put(step.name(), new StepAnswer("", null, vector, false));
			}
			return null;
		}
		catch (ModelCallException ex) {
			if (ex.status() == 0) {
				throw new RunnerUnavailableException(ex.getMessage(), ex);
			}
			calls.add(new Conversation.Call(i, step.name(), null, 0, 0, 0, 0, null, null, ex.getMessage(), false,
					stepModel, null, null, null));
			return ex.getMessage();
		}
	}

	/**
	 * The variables a prompt sees: the item's fields, {@code item} (the fields alone, whatever their names),
	 * {@code record} (its {@code number} in the input and its {@code id}), {@code vars} and {@code steps} (the
	 * answers so far). A field named like one of these four is still {@code item.<name>}.
	 */
	private Map<String, Object> model(InputItem item, Map<String, Object> answers) {
		return model(item, this.plan.vars(), answers);
	}

	/**
	 * The variables a prompt sees, as {@link #model(InputItem, Map)} makes them: also what a check's expected value
	 * and a judge's rubric see when a stored run is checked again.
	 * @param answers each step's {@link StepAnswer} by step name
	 */
	public static Map<String, Object> model(InputItem item, Map<String, Object> vars, Map<String, Object> answers) {
		Map<String, Object> model = new HashMap<>(item.fields());
		model.put("item", item.fields());
		model.put("record", Map.of("number", item.seq(), "id", item.id()));
		model.put("vars", vars);
		model.put("steps", answers);
		return model;
	}

	/** The model the runner says answered, kept when it is not the conversation's own (a step's own model). */
	private static String servedBy(ModelReply reply, ModelSettings conversation) {
		String model = reply.model();
		return (model == null || model.equals(conversation.name())) ? null : model;
	}

	private static Conversation failed(InputItem item, ModelSettings settings, List<Conversation.Turn> turns,
			List<Conversation.Call> calls, String error) {
		return new Conversation(item.seq(), item.id(), settings.name(), Conversation.FAILED, error, turns, calls);
	}

}
