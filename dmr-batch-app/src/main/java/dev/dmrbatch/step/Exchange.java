package dev.dmrbatch.step;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.input.InputItem;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.model.ChatMessage;
import dev.dmrbatch.model.ModelCallException;
import dev.dmrbatch.model.ModelReply;
import dev.dmrbatch.prompt.StepAnswer;

/**
 * One item's conversation with one model as its steps run, in order: what a step's kind reads (the item, the variables
 * its prompts see, its request settings) and what it adds to (the turns, the calls, the steps' answers, the messages
 * the next chat step sends). Made for each item and model on a worker thread, and used by that thread alone.
 */
public final class Exchange {

	private final Sending sending;

	private final InputItem item;

	private final ModelSettings settings;

	private final List<ModelSettings> stepSettings;

	private final Map<String, Object> model;

	private final Map<String, Object> answers;

	private final List<Conversation.Turn> turns = new ArrayList<>();

	private final List<Conversation.Call> calls = new ArrayList<>();

	private List<ChatMessage> messages = new ArrayList<>();

	private final int repetition;

	private ChatMessage system;

	/** Whether, in a dry run, the conversation so far holds a turn whose answer is not there. */
	private boolean unanswered;

	/** The answer its chat step takes instead of sending, another choice of a request already sent; or {@code null}. */
	private ModelReply given;

	/** How many choices its chat step's request gave (0 while none was sent), the others kept in {@link #others}. */
	private int choices;

	private final List<ModelReply> others = new ArrayList<>();

	/**
	 * @param settings the conversation's model
	 * @param stepSettings per step, the settings its requests carry
	 * @param model the variables a prompt sees, {@code steps} being {@code answers}
	 * @param answers each step's {@link StepAnswer} by step name, as the steps answer
	 */
	public Exchange(Sending sending, InputItem item, ModelSettings settings, List<ModelSettings> stepSettings,
			Map<String, Object> model, Map<String, Object> answers) {
		this(sending, item, settings, stepSettings, model, answers, 1);
	}

	/**
	 * An exchange that is one of the item's repeated answers by the model ({@code repeat=N}).
	 * @param repetition which of them, from 1
	 */
	public Exchange(Sending sending, InputItem item, ModelSettings settings, List<ModelSettings> stepSettings,
			Map<String, Object> model, Map<String, Object> answers, int repetition) {
		this.repetition = repetition;
		this.sending = sending;
		this.item = item;
		this.settings = settings;
		this.stepSettings = stepSettings;
		this.model = model;
		this.answers = answers;
	}

	/**
	 * This exchange with its chat step answered by {@code reply}, another choice of a request already sent (an item's
	 * repeated answers asked in one request, {@code n}), instead of a request of its own.
	 */
	public Exchange given(ModelReply reply) {
		this.given = reply;
		return this;
	}

	ModelReply given() {
		return this.given;
	}

	/** Keeps what its chat step's request gave: the choices past the first answer the item's other repetitions. */
	void answered(ModelReply reply) {
		this.choices = reply.choices();
		this.others.addAll(reply.others());
	}

	/** How many choices its chat step's request gave: 0 when none was sent (answered by a given one, or not sent). */
	public int choices() {
		return this.choices;
	}

	/** The choices past the first that its chat step's request gave, in order. */
	public List<ModelReply> others() {
		return this.others;
	}

	/** Opens the conversation with the system prompt, which a step's new conversation keeps. */
	public void system(String content) {
		this.system = ChatMessage.system(content);
		this.messages.add(this.system);
		this.turns.add(new Conversation.Turn("system", null, content));
	}

	/** Step {@code index}, skipped by its {@code when:}: its record among the calls, and a skipped answer. */
	public void skipped(int index, String step) {
		this.calls.add(Conversation.Call.skipped(index, step));
		this.answers.put(step, StepAnswer.skippedStep());
	}

	/** Step {@code index}'s model call, which the runner refused: its record among the calls, with the error. */
	public void refused(int index, String step, ModelCallException ex) {
		this.calls.add(Conversation.Call.failed(index, step, ex.getMessage(), stepModel(index)));
	}

	public List<Conversation.Turn> turns() {
		return this.turns;
	}

	public List<Conversation.Call> calls() {
		return this.calls;
	}

	Sending sending() {
		return this.sending;
	}

	/** Which of the item's answers by the model this is, from 1 ({@code repeat=N}). */
	int repetition() {
		return this.repetition;
	}

	InputItem item() {
		return this.item;
	}

	/** The conversation's model. */
	ModelSettings settings() {
		return this.settings;
	}

	/** The settings step {@code index}'s requests carry. */
	ModelSettings settings(int index) {
		return this.stepSettings.get(index);
	}

	/** The variables a prompt sees. */
	Map<String, Object> model() {
		return this.model;
	}

	/** Keeps a step's answer, which later steps, the checks and the exports see. */
	void answer(String step, StepAnswer answer) {
		this.answers.put(step, answer);
	}

	/** The messages the next chat step sends after its own. */
	List<ChatMessage> messages() {
		return this.messages;
	}

	/**
	 * Step {@code index}'s prompt, rendered; a step with {@code conversation: new} first starts a fresh conversation
	 * (the system prompt alone), which the chat steps after it carry on.
	 */
	String prompt(int index, JobDefinition.Step step) {
		if (step.startsNewConversation()) {
			this.messages = new ArrayList<>();
			this.unanswered = false;
			if (this.system != null) {
				this.messages.add(this.system);
			}
		}
		return this.sending.prompts().renderStep(index, this.model);
	}

	/** Whether, in a dry run, the conversation so far holds a turn whose answer is not there. */
	boolean unanswered() {
		return this.unanswered;
	}

	void unanswered(boolean unanswered) {
		this.unanswered = unanswered;
	}

	/** The model step {@code index} names when it is not the conversation's own, else {@code null}. */
	String stepModel(int index) {
		String name = settings(index).name();
		return name.equals(this.settings.name()) ? null : name;
	}

	/** The model the runner says answered, kept when it is not the conversation's own (a step's own model). */
	String servedBy(ModelReply reply) {
		String name = reply.model();
		return (name == null || name.equals(this.settings.name())) ? null : name;
	}

}
