package dev.dmrbatch.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.ConversationStore.SentCall;
import dev.dmrbatch.model.ChatImage;
import dev.dmrbatch.model.ChatMessage;
import dev.dmrbatch.model.ModelReply;

/**
 * One chat session as it stands: its turns (each system prompt where it was set), the facts of each call with the
 * settings it was sent with, and the settings the next turn is sent with. Stored after every change
 * ({@link SessionStore}), the turns in their order, so a resumed or continued session is sent them as they were.
 */
final class ChatSession {

	/** The step name of a chat turn: {@code turn-1}, {@code turn-2} … */
	static final String TURN = "turn-";

	private Long runId;

	private String name;

	private String conversationModel;

	private ModelSettings settings;

	private final List<Conversation.Turn> turns = new ArrayList<>();

	private final List<SentCall> calls = new ArrayList<>();

	private Long sourceRunId;

	private String sourceItemId;

	ChatSession(String name, ModelSettings settings) {
		this.name = name;
		this.settings = settings;
	}

	Long runId() {
		return this.runId;
	}

	void stored(long id) {
		this.runId = id;
	}

	String name() {
		return this.name;
	}

	void rename(String name) {
		this.name = name;
	}

	/** The model of the stored conversation: the session's first; each call records its own. */
	String conversationModel() {
		return (this.conversationModel != null) ? this.conversationModel : this.settings.name();
	}

	void conversationModel(String model) {
		this.conversationModel = model;
	}

	ModelSettings settings() {
		return this.settings;
	}

	void settings(ModelSettings settings) {
		this.settings = settings;
	}

	String model() {
		return this.settings.name();
	}

	List<Conversation.Turn> turns() {
		return this.turns;
	}

	List<SentCall> calls() {
		return this.calls;
	}

	Long sourceRunId() {
		return this.sourceRunId;
	}

	String sourceItemId() {
		return this.sourceItemId;
	}

	void source(long runId, String itemId) {
		this.sourceRunId = runId;
		this.sourceItemId = itemId;
	}

	/** The system prompt the turns to come are sent with: the last one set, or {@code null}. */
	String system() {
		for (int i = this.turns.size() - 1; i >= 0; i--) {
			if ("system".equals(this.turns.get(i).role())) {
				return this.turns.get(i).content();
			}
		}
		return null;
	}

	/**
	 * Sets the system prompt for the turns to come, where the conversation stands: before the first turn it is the
	 * first message; later it follows the last answer, and the earlier turns keep what they were sent with. One set
	 * since the last answer, sent with nothing yet, is replaced, or removed by an empty one.
	 * @throws IllegalArgumentException for an empty one when the last system prompt was sent already: it stays in
	 * the conversation
	 */
	void system(String text) {
		boolean pending = !this.turns.isEmpty() && "system".equals(this.turns.get(this.turns.size() - 1).role());
		if (text == null || text.isBlank()) {
			if (pending) {
				this.turns.remove(this.turns.size() - 1);
			}
			else if (system() != null) {
				throw new IllegalArgumentException("the system prompt was sent with the turns before and stays in the "
						+ "conversation; /new starts a session (then /system alone removes it there)");
			}
			return;
		}
		Conversation.Turn turn = new Conversation.Turn("system", null, text);
		if (pending) {
			this.turns.set(this.turns.size() - 1, turn);
		}
		else {
			this.turns.add(turn);
		}
	}

	/** The conversation as the model is sent it, without images: the answers without their reasoning. */
	List<ChatMessage> messages() {
		return this.turns.stream().map((turn) -> new ChatMessage(turn.role(), turn.content())).toList();
	}

	/** The messages with a user turn after them. */
	List<ChatMessage> messagesWith(String prompt) {
		return messagesWith(prompt, List.of(), (turn) -> List.of());
	}

	/**
	 * The messages with a user turn and its images after them.
	 * @param earlier the images an earlier user turn that sent some sends again
	 */
	List<ChatMessage> messagesWith(String prompt, List<ChatImage> images,
			Function<Conversation.Turn, List<ChatImage>> earlier) {
		List<ChatMessage> messages = new ArrayList<>();
		for (Conversation.Turn turn : this.turns) {
			messages.add((turn.images() != null) ? ChatMessage.user(turn.content(), earlier.apply(turn))
					: new ChatMessage(turn.role(), turn.content()));
		}
		messages.add(ChatMessage.user(prompt, images));
		return messages;
	}

	/** How many answers the session has. */
	int answers() {
		return (int) this.turns.stream().filter((turn) -> "assistant".equals(turn.role())).count();
	}

	/** Adds a prompt and its answer, and the facts of the call with the settings it was sent with. */
	void add(String prompt, ModelReply reply, String model, String settingsJson) {
		add(prompt, null, reply, model, settingsJson);
	}

	/**
	 * Adds a prompt that sent images and its answer, as {@link #add(String, ModelReply, String, String)} does.
	 * @param images what identifies the images, as {@link Conversation.Turn#images()} keeps it, or {@code null}
	 */
	void add(String prompt, String images, ModelReply reply, String model, String settingsJson) {
		if (this.conversationModel == null) {
			this.conversationModel = model;
		}
		int index = this.calls.stream().mapToInt((c) -> c.call().stepIndex()).max().orElse(-1) + 1;
		String step = TURN + (answers() + 1);
		this.turns.add(new Conversation.Turn("user", step, prompt, null, images));
		this.turns.add(new Conversation.Turn("assistant", step, reply.content(), reply.reasoning(), null));
		this.calls.add(new SentCall(reply.call(index, step).requestModel(model).build(), settingsJson));
	}

	/**
	 * Takes back the last answer and the prompt before it.
	 * @return the prompt, or {@code null} when there is no answer to take back
	 */
	String undo() {
		int answer = -1;
		for (int i = this.turns.size() - 1; i >= 0; i--) {
			if ("assistant".equals(this.turns.get(i).role())) {
				answer = i;
				break;
			}
		}
		if (answer < 0) {
			return null;
		}
		String step = this.turns.get(answer).step();
		String prompt = null;
		// a system prompt set after the answer stays, for the turns to come
		this.turns.remove(answer);
		if (answer > 0 && "user".equals(this.turns.get(answer - 1).role())) {
			prompt = this.turns.remove(answer - 1).content();
		}
		this.calls.removeIf((call) -> step != null && step.equals(call.call().step()));
		return (prompt != null) ? prompt : "";
	}

	long promptTokens() {
		return this.calls.stream().mapToLong((c) -> c.call().promptTokens()).sum();
	}

	long completionTokens() {
		return this.calls.stream().mapToLong((c) -> c.call().completionTokens()).sum();
	}

	long latencyMillis() {
		return this.calls.stream().mapToLong((c) -> c.call().latencyMillis()).sum();
	}

}
