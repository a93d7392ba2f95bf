package dev.dmrbatch.chat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.config.LaunchSettings;
import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.input.ImageFiles;
import dev.dmrbatch.input.InputItem;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.jobfile.JobFiles;
import dev.dmrbatch.model.ChatImage;
import dev.dmrbatch.model.ChatService;
import dev.dmrbatch.model.ModelReply;
import dev.dmrbatch.model.StreamListener;
import dev.dmrbatch.model.StreamStop;
import dev.dmrbatch.prompt.PromptTemplates;
import dev.dmrbatch.prompt.Prompts;
import dev.dmrbatch.run.pipeline.ConversationProcessor;
import dev.dmrbatch.run.plan.RunException;

import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The chat, whatever its screen (the terminal's line editor and a pipe, {@link Chat}; the browser,
 * {@link BrowserChat}): it opens a session (new, resumed, or continuing a run's stored conversation) with the settings
 * its turns are sent with, and takes every turn the same way: the prompt rendered as a run's are ({@code /template}:
 * a job file's system prompt and first step, or a template of {@code templates/}, locked down, with the variables a
 * run's prompt sees), sent to the runner with the answer streamed to the screen, recorded in the session and stored
 * ({@link SessionStore}).
 */
@Component
class ChatTurns {

	private static final JsonMapper JSON = JsonMapper.shared();

	private final ChatService chat;

	private final SessionStore sessions;

	private final JobFiles jobFiles;

	private final PromptTemplates templates;

	private final DmrProperties properties;

	private final LaunchSettings launch;

	/** One turn at a time per session: two at once would each add to the turns they loaded, and one would be lost. */
	private final Map<String, Object> locks = new ConcurrentHashMap<>();

	ChatTurns(ChatService chat, SessionStore sessions, JobFiles jobFiles, PromptTemplates templates,
			DmrProperties properties, LaunchSettings launch) {
		this.chat = chat;
		this.sessions = sessions;
		this.jobFiles = jobFiles;
		this.templates = templates;
		this.properties = properties;
		this.launch = launch;
	}

	SessionStore sessions() {
		return this.sessions;
	}

	/** The settings a chat starts with for a model, {@code null} for the profile's default model. */
	ModelSettings settingsFor(String model) {
		return ChatSettings.startingWith(this.properties, this.launch,
				(model != null) ? model : this.properties.defaultModel());
	}

	/**
	 * The settings a chat starts with for a model, with request parameters set as {@code /set} sets them.
	 * @param given parameters by their job file names ({@code temperature}, {@code max_tokens} ...); a blank value is
	 * left out
	 * @throws RunException naming the parameter, when a value does not fit it
	 */
	ModelSettings settingsWith(String model, Map<String, String> given) {
		ModelSettings defaults = settingsFor(model);
		ModelSettings settings = defaults;
		for (Map.Entry<String, String> setting : given.entrySet()) {
			if (setting.getValue() == null || setting.getValue().isBlank()) {
				continue;
			}
			try {
				settings = ChatSettings.set(settings, defaults, setting.getKey(), setting.getValue());
			}
			catch (IllegalArgumentException ex) {
				throw new RunException(ex.getMessage());
			}
		}
		return settings;
	}

	/**
	 * A session as {@code job=chat} opens it: {@code continueFrom} a run's conversation, in a new session named
	 * {@code name} (or a new name); else the stored session {@code name}, resumed; else a new session of that name.
	 * @param model the model asked for, {@code null} for the session's own (resumed or continued) or the settings'
	 * @throws RunException when the conversation to continue is not there, or {@code name} is taken for it
	 */
	ChatSession open(String name, String continueFrom, String model, ModelSettings settings) {
		if (continueFrom != null) {
			if (name != null && this.sessions.find(name).isPresent()) {
				throw new RunException("session=" + name + " exists already: continue= starts a new session, give "
						+ "another name");
			}
			return continueFrom(continueFrom, name, settings, model);
		}
		Optional<ChatSession> resumed = (name != null) ? resume(name, settings, model != null) : Optional.empty();
		return resumed.orElseGet(() -> new ChatSession((name != null) ? name : this.sessions.newName(), settings));
	}

	/**
	 * A stored session, going on with the settings given and with its own model (its last call's) unless one is
	 * asked for.
	 * @throws RunException when the name cannot be a session's
	 */
	Optional<ChatSession> resume(String name, ModelSettings settings, boolean modelGiven) {
		return this.sessions.find(SessionStore.checkName(name)).map((run) -> {
			ChatSession session = this.sessions.load(run, settings);
			if (modelGiven) {
				session.settings(settings);
			}
			return session;
		});
	}

	/**
	 * A new session, not stored yet, that goes on with a run's stored conversation.
	 * @param reference {@code <run id or label>:<item id>}
	 * @param name its name, {@code null} for a new one
	 * @param model the model to go on with, {@code null} for the conversation's own
	 * @throws RunException when there is no such run or item
	 */
	ChatSession continueFrom(String reference, String name, ModelSettings settings, String model) {
		return this.sessions.continueFrom(reference, (name != null) ? name : this.sessions.newName(), settings, model);
	}

	/** A new session, with a new name. */
	ChatSession fresh(ModelSettings settings) {
		return new ChatSession(this.sessions.newName(), settings);
	}

	/**
	 * Sends a prompt with the session's conversation before it and its settings, streams the answer to the listener
	 * and records the turn in the session; {@link #save} stores it.
	 * @throws dev.dmrbatch.model.ModelCallException when the runner did not answer: the session is as it was
	 */
	ModelReply ask(ChatSession session, String prompt, StreamListener listener, StreamStop stop) {
		return ask(session, prompt, List.of(), listener, stop, (note) -> {
		});
	}

	/**
	 * Sends a prompt with images after it, as {@link #ask(ChatSession, String, StreamListener, StreamStop)} does; the
	 * earlier turns' images are sent again, read from their files ({@link #earlier}), and the turn is stored with the
	 * reference of each image, never its bytes.
	 * @param notes hears, in one sentence each, an earlier image that is sent no more
	 */
	ModelReply ask(ChatSession session, String prompt, List<ImageFiles.Prepared> images, StreamListener listener,
			StreamStop stop, Consumer<String> notes) {
		ModelSettings settings = session.settings();
		List<ChatImage> sent = images.stream().map((image) -> new ChatImage(image.mediaType(), image.sent())).toList();
		ModelReply reply = this.chat.stream(settings,
				session.messagesWith(prompt, sent, (turn) -> earlier(turn, notes).stream()
					.map((image) -> new ChatImage(image.mediaType(), image.sent()))
					.toList()),
				this.properties.retry(), listener, stop);
		session.add(prompt, images.isEmpty() ? null
				: JSON.writeValueAsString(images.stream().map(ImageFiles.Prepared::reference).toList()), reply,
				settings.name(), SessionStore.settingsJson(settings.withName(null)));
		return reply;
	}

	/**
	 * An image a chat turn sends: a file relative to the working folder, or absolute, made ready as a step's images are
	 * ({@link ImageFiles#prepare}, no side longer than the profile's {@code dmr.max-image-side}, 1024 by default). Its
	 * reference names it relative to the working folder when it is inside it, so that later turns read it again from
	 * there.
	 * @throws IllegalArgumentException naming the file, when it is not there or not an image that reads
	 */
	ImageFiles.Prepared image(String path) {
		Path file = this.properties.resolve(path);
		String name = this.properties.relative(file).toString();
		if (!Files.isRegularFile(file)) {
			throw new IllegalArgumentException("there is no image file " + name
					+ " (/image takes a file relative to the working folder, or absolute)");
		}
		try {
			return ImageFiles.prepare(file, name, this.properties.maxImageSideOrDefault());
		}
		catch (ImageFiles.ImageException ex) {
			throw new IllegalArgumentException(ex.getMessage());
		}
		catch (IOException ex) {
			throw new IllegalArgumentException(name + " cannot be read: " + ex.getClass().getSimpleName());
		}
	}

	/** The most bytes an image the browser sends may have. */
	static final int MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

	/**
	 * An image the browser sent with a prompt, checked as {@link #image} checks a file. With a session, it is kept in
	 * the session's folder, {@code output/chat/<session>/images/<first 12 of its SHA-256>/<name>}, which its reference
	 * names, so that later turns send it again; without one ({@code null}) it is only checked.
	 * @param name the file name the browser gave: what is not a letter, digit, {@code .}, {@code _} or {@code -}
	 * becomes {@code _}
	 * @throws RunException naming it, when it is too large or not an image that reads
	 */
	ImageFiles.Prepared upload(ChatSession session, String name, byte[] bytes) {
		String safe = uploadName(name);
		if (bytes.length > MAX_UPLOAD_BYTES) {
			throw new RunException("image " + safe + " is larger than " + (MAX_UPLOAD_BYTES / (1024 * 1024))
					+ " MB (" + bytes.length + " bytes)");
		}
		Path written = null;
		try {
			written = Files.createTempFile("dmr-chat-image-", "-" + safe);
			Files.write(written, bytes);
			ImageFiles.Prepared image = ImageFiles.prepare(written, safe, this.properties.maxImageSideOrDefault());
			if (session == null) {
				return image;
			}
			Path folder = Path.of(this.sessions.outputDir(session.name())).resolve("images")
				.resolve(image.sha256().substring(0, 12));
			Path kept = folder.resolve(safe);
			Files.createDirectories(folder);
			if (!Files.isRegularFile(kept)) {
				Files.move(written, kept);
			}
			return new ImageFiles.Prepared(this.properties.relative(kept).toString(), image.mediaType(),
					image.sent(), image.size(), image.sha256(), image.width(), image.height(), image.sentWidth(),
					image.sentHeight());
		}
		catch (ImageFiles.ImageException ex) {
			throw new RunException(ex.getMessage());
		}
		catch (IOException ex) {
			throw new RunException("image " + safe + " could not be kept: " + ex.getClass().getSimpleName());
		}
		finally {
			if (written != null) {
				try {
					Files.deleteIfExists(written);
				}
				catch (IOException ex) {
					// a temporary file the system clears
				}
			}
		}
	}

	private static String uploadName(String name) {
		String base = (name != null) ? name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1)
				: "";
		base = base.replaceAll("[^A-Za-z0-9._-]", "_");
		return (base.isEmpty() || base.chars().allMatch((c) -> c == '.')) ? "image" : base;
	}

	/**
	 * The images an earlier user turn sent, read again from their files by its stored references: one whose file is
	 * gone, no longer reads, or whose SHA-256 differs from the stored one is left out, and {@code notes} hears it in
	 * one sentence.
	 */
	List<ImageFiles.Prepared> earlier(Conversation.Turn turn, Consumer<String> notes) {
		List<ImageFiles.Prepared> images = new ArrayList<>();
		for (Map<String, Object> reference : references(turn)) {
			String name = String.valueOf(reference.get("file"));
			String at = "image " + name + ((turn.step() != null) ? " of " + turn.step() : "");
			Path file = this.properties.resolve(name);
			if (!Files.isRegularFile(file)) {
				notes.accept(at + " is gone; the turns are sent without it");
				continue;
			}
			try {
				ImageFiles.Prepared image = ImageFiles.prepare(file, name, this.properties.maxImageSideOrDefault());
				if (image.sha256().equals(reference.get("sha256"))) {
					images.add(image);
					continue;
				}
			}
			catch (IOException | ImageFiles.ImageException ex) {
				// changed into something that does not read: said as a change
			}
			notes.accept(at + " changed since it was sent (its SHA-256 differs); the turns are sent without it");
		}
		return images;
	}

	/** What identifies the images a stored user turn sent ({@link Conversation.Turn#images()}), none for none. */
	static List<Map<String, Object>> references(Conversation.Turn turn) {
		return (turn.images() != null) ? JSON.readValue(turn.images(), new TypeReference<List<Map<String, Object>>>() {
		}) : List.of();
	}

	/** Stores the session as it stands, creating it in the store the first time. */
	void save(ChatSession session) {
		this.sessions.save(session);
	}

	/**
	 * Does a turn's work on a stored session (or a new one, {@code session} {@code null}) while no other turn does:
	 * from loading it to storing it.
	 */
	<T> T oneAtATime(String session, Supplier<T> turn) {
		if (session == null) {
			return turn.get();
		}
		synchronized (this.locks.computeIfAbsent(session, (name) -> new Object())) {
			return turn.get();
		}
	}

	/** What {@code /template} renders: the system prompt ({@code null} for none) and the prompt. */
	record Rendered(String system, String prompt) {
	}

	/**
	 * Renders a job file's system prompt and first step, or a template of {@code templates/}, with the variables
	 * given (and a job file's own {@code vars:} under them), as a run's prompt sees them: the session is the item, its
	 * name the record's id.
	 * @throws IllegalArgumentException when there is no such job file or template
	 */
	Rendered template(String name, Map<String, Object> given, ChatSession session) {
		InputItem item = new InputItem(1, session.name(), given, null, false);
		if (this.jobFiles.available().contains(name)) {
			JobDefinition job = this.jobFiles.load(name);
			Prompts prompts = this.templates.compile(job);
			Map<String, Object> vars = new LinkedHashMap<>(job.varsOrEmpty());
			vars.putAll(given);
			Map<String, Object> model = ConversationProcessor.model(item, vars, Map.of());
			return new Rendered(prompts.hasSystem() ? prompts.renderSystem(model) : null, prompts.renderStep(0, model));
		}
		Path folder = this.properties.resolve("templates");
		String file = Files.isRegularFile(folder.resolve(name)) ? name : name + ".ftl";
		if (!Files.isRegularFile(folder.resolve(file)) || !folder.resolve(file).normalize().startsWith(folder)) {
			throw new IllegalArgumentException("no job file or template named '" + name + "' (jobs/" + name
					+ ".yaml, templates/" + name + ")");
		}
		// the job path's own templates, locked down as for a run: data is only ever a value
		return new Rendered(null,
				this.templates.template(file).render(ConversationProcessor.model(item, given, Map.of())));
	}

}
