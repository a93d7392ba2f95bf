package dev.dmrbatch.chat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.input.ImageFiles;
import dev.dmrbatch.model.ChatMessage;
import dev.dmrbatch.model.ModelReply;
import dev.dmrbatch.model.StreamListener;
import dev.dmrbatch.model.StreamStop;
import dev.dmrbatch.run.plan.NotFoundException;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.text.SafeText;

import org.springframework.stereotype.Component;

/**
 * The chat as the web app offers it, a screen over {@link ChatTurns} as {@code job=chat} is: the same sessions, each
 * answer streamed and the session stored after it, the parameters checked as {@code /set} checks them.
 */
@Component
public class BrowserChat {

	private final ChatTurns turns;

	private final SessionStore sessions;

	BrowserChat(ChatTurns turns) {
		this.turns = turns;
		this.sessions = turns.sessions();
	}

	/**
	 * One turn asked of the chat.
	 * @param session the stored session to go on with, or {@code null} for a new one
	 * @param continueFrom {@code <run id or label>:<item id>}: a new session going on with a run's conversation
	 * @param model the model, {@code null} for the profile's default
	 * @param messages the conversation; its last message is the prompt and, for a new session, those before it
	 * (system, user, assistant) its first turns
	 * @param settings request parameters by their job file names ({@code temperature}, {@code max_tokens} ...)
	 */
	public record Request(String session, String continueFrom, String model, List<ChatMessage> messages,
			Map<String, String> settings, Upload image) {
	}

	/**
	 * An image sent with the prompt: its file name as the browser gives it and its bytes, checked as {@code /image}
	 * checks a file and kept with the session ({@link ChatTurns#upload}).
	 */
	public record Upload(String name, byte[] bytes) {
	}

	/** The most bytes an image sent with a prompt may have. */
	public static int maxImageBytes() {
		return ChatTurns.MAX_UPLOAD_BYTES;
	}

	/** The answer and the session it was stored in. */
	public record Answer(String session, long id, ModelReply reply) {
	}

	/** The parameters a chat takes, as {@code /set} names them. */
	public static List<String> parameters() {
		return ChatSettings.PARAMETERS;
	}

	/** The sessions, most recently changed first: name, id, updated, answers, model, continues. */
	public List<Map<String, Object>> sessions() {
		List<Map<String, Object>> list = new ArrayList<>();
		for (SessionStore.Summary s : this.sessions.sessions()) {
			Map<String, Object> row = new LinkedHashMap<>();
			row.put("name", s.name());
			row.put("id", s.id());
			row.put("updated", s.updated());
			row.put("answers", s.answers());
			row.put("model", s.model());
			row.put("continues", s.continues());
			list.add(row);
		}
		return list;
	}

	/** A stored session's turns, oldest first: role, step, content, reasoning. */
	public Optional<List<Conversation.Turn>> turns(String name) {
		return this.sessions.find(name).map((run) -> this.sessions.load(run, this.turns.settingsFor(null)).turns());
	}

	/**
	 * A turn of a stored session as the browser shows it.
	 * @param finishReason why its answer ended (an assistant turn's: {@code stopped} when it was stopped, {@code
	 * truncated} when the runner cut it), else {@code null}
	 * @param images the images a user turn sent, as {@link #shownImage} shows them
	 */
	public record ShownTurn(String role, String content, String reasoning, String finishReason, List<String> images) {
	}

	/** A stored session's turns, oldest first, each answer with why it ended. */
	public Optional<List<ShownTurn>> transcript(String name) {
		return this.sessions.find(name).map((run) -> shown(this.sessions.load(run, this.turns.settingsFor(null))));
	}

	/** A run's conversation a new session would go on with: its model and its turns. */
	public record Continued(String model, List<ShownTurn> turns) {
	}

	/**
	 * What {@code continue=<run>:<item>} would go on with, without starting anything.
	 * @throws RunException when there is no such run or item
	 */
	public Continued continued(String reference) {
		ChatSession session = this.sessions.continueFrom(reference, "-", this.turns.settingsFor(null), null);
		return new Continued(session.conversationModel(), shown(session));
	}

	private static List<ShownTurn> shown(ChatSession session) {
		Map<String, String> finished = new LinkedHashMap<>();
		session.calls().forEach((sent) -> finished.put(sent.call().step(), sent.call().finishReason()));
		List<ShownTurn> shown = new ArrayList<>();
		for (Conversation.Turn turn : session.turns()) {
			shown.add(new ShownTurn(turn.role(), turn.content(), turn.reasoning(),
					"assistant".equals(turn.role()) ? finished.get(turn.step()) : null, ChatTurns.references(turn)
						.stream()
						.map((image) -> shownImage(String.valueOf(image.get("file")), image.get("bytes")))
						.toList()));
		}
		return shown;
	}

	/**
	 * Checks a request as {@link #send} would take it, before anything is sent: its messages, its parameters, the
	 * session it goes on with or the conversation it continues.
	 * @throws RunException naming what is wrong ({@link NotFoundException} for a session or run that is not there)
	 */
	public void check(Request request) {
		prompt(request);
		if (request.image() != null) {
			this.turns.upload(null, request.image().name(), request.image().bytes());
		}
		ModelSettings settings = this.turns.settingsWith(given(request.model()),
				(request.settings() != null) ? request.settings() : Map.of());
		if (given(request.session()) != null) {
			if (this.sessions.find(SessionStore.checkName(request.session())).isEmpty()) {
				throw new NotFoundException("there is no session named '" + request.session() + "'");
			}
		}
		else if (given(request.continueFrom()) != null) {
			this.sessions.continueFrom(request.continueFrom(), "-", settings, given(request.model()));
		}
	}

	/** The prompt: the last message, the user's. */
	private static String prompt(Request request) {
		List<ChatMessage> messages = (request.messages() != null) ? request.messages() : List.of();
		if (messages.isEmpty() || !"user".equals(messages.get(messages.size() - 1).role())
				|| messages.get(messages.size() - 1).content() == null
				|| messages.get(messages.size() - 1).content().isBlank()) {
			throw new RunException("messages must end with the user's prompt ({\"role\": \"user\", \"content\": \"...\"})");
		}
		return messages.get(messages.size() - 1).content();
	}

	/**
	 * Streams the answer to the request's last message to the listener, then stores the turn in its session (a
	 * stopped answer too, marked {@code stopped}); {@code opened} hears the session's name before the answer streams,
	 * {@code notes} an earlier image that is sent no more ({@link ChatTurns#earlier}).
	 * @throws RunException naming the session, item or parameter when the request cannot be asked
	 * @throws dev.dmrbatch.model.ModelCallException when the runner did not answer
	 */
	public Answer send(Request request, java.util.function.Consumer<String> opened, StreamListener listener,
			StreamStop stop, java.util.function.Consumer<String> notes) {
		return this.turns.oneAtATime(given(request.session()), () -> ask(request, opened, listener, stop, notes));
	}

	private Answer ask(Request request, java.util.function.Consumer<String> opened, StreamListener listener,
			StreamStop stop, java.util.function.Consumer<String> notes) {
		List<ChatMessage> messages = request.messages();
		String prompt = prompt(request);
		String model = given(request.model());
		ModelSettings settings = this.turns.settingsWith(model,
				(request.settings() != null) ? request.settings() : Map.of());
		ChatSession session;
		if (given(request.session()) != null) {
			// the session goes on with its own model unless another is asked for
			session = this.turns.resume(request.session(), settings, model != null)
				.orElseThrow(() -> new NotFoundException("there is no session named '" + request.session() + "'"));
		}
		else if (given(request.continueFrom()) != null) {
			session = this.turns.continueFrom(request.continueFrom(), null, settings, model);
		}
		else {
			session = this.turns.fresh(settings);
			// as given, a system prompt where it stands
			for (ChatMessage earlier : messages.subList(0, messages.size() - 1)) {
				session.turns().add(new Conversation.Turn(earlier.role(), null, earlier.content()));
			}
		}
		opened.accept(session.name());
		List<ImageFiles.Prepared> images = (request.image() != null)
				? List.of(this.turns.upload(session, request.image().name(), request.image().bytes())) : List.of();
		ModelReply reply = this.turns.ask(session, prompt, images, listener, stop, notes);
		this.turns.save(session);
		return new Answer(session.name(), session.runId(), reply);
	}

	/** An image as the transcript shows it: {@code image <file name> (<size> bytes)}. */
	public static String shownImage(String file, Object bytes) {
		return "image " + SafeText.firstLine(Path.of(file).getFileName().toString()) + " (" + bytes + " bytes)";
	}

	private static String given(String value) {
		return (value != null && !value.isBlank()) ? value : null;
	}

}
