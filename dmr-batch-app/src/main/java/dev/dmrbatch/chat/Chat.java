package dev.dmrbatch.chat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.export.ExportKind;
import dev.dmrbatch.export.Exports;
import dev.dmrbatch.input.ImageFiles;
import dev.dmrbatch.jobfile.JobFileException;
import dev.dmrbatch.model.ChatService;
import dev.dmrbatch.model.ModelCallException;
import dev.dmrbatch.model.ModelCatalog;
import dev.dmrbatch.model.ModelReply;
import dev.dmrbatch.model.StreamStop;
import dev.dmrbatch.prompt.PromptException;
import dev.dmrbatch.run.job.OutputFolderTakenException;
import dev.dmrbatch.run.job.OutputFolders;
import dev.dmrbatch.run.plan.NotFoundException;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.text.SafeText;

/**
 * One chat: reads prompts and commands from its screen, streams each answer to it, and stores the session after
 * every turn. A runner that is down, a model that is missing or a command that cannot be done is one line on the
 * screen; the chat goes on.
 */
final class Chat {

	static final String HELP = """
			/help                        this list
			/models                      the runner's models
			/model <name>                switch model; later turns use it
			/system <text>               the system prompt (/system alone removes it)
			/set <parameter> <value>     temperature, top_p, max_tokens, seed, stop (a|b), presence_penalty,
			                             frequency_penalty; 'default' goes back to the profile's value
			/params                      the settings the next turn is sent with
			/think on|off                show the model's reasoning
			/image <file>|off            an image sent with the next prompt (/image alone shows what is attached)
			/new                         a new session
			/retry                       ask the last prompt again
			/undo                        take back the last prompt and its answer
			/save [name]                 name the session (every turn is saved as it happens)
			/load <name>|<run>:<item>    open a session, or continue a run's stored conversation
			/sessions                    the stored sessions
			/export json|md|txt|pdf [file]   the session's export (also jsonl, csv, html)
			/template <name> [var=value ...] start from a job file's system prompt and first step, or a
			                             template in templates/
			/stats                       tokens, time, time to first token and tokens/s
			/quit                        leave (Ctrl-D too); Ctrl-C stops an answer being written
			\"\"\"                          a prompt of several lines, up to a line that ends with \"\"\"""";

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT)
		.withZone(ZoneId.systemDefault());

	private final Services services;

	private final ChatScreen screen;

	private final Map<String, Object> vars;

	private ChatSession session;

	private ModelReply last;

	/** A prompt that found no answer, for {@code /retry}. */
	private String unanswered;

	private int failures;

	/** The images the next prompt sends ({@code /image}): kept when its turn fails, for {@code /retry}. */
	private List<ImageFiles.Prepared> attached = new ArrayList<>();

	Chat(Services services, ChatScreen screen, ChatSession session, Map<String, Object> vars) {
		this.services = services;
		this.screen = screen;
		this.session = session;
		this.vars = vars;
	}

	/** What the chat uses of the application: its core, {@link ChatTurns}, and what its commands ask. */
	record Services(ChatTurns turns, ModelCatalog catalog, Exports exports, OutputFolders folders,
			DmrProperties properties) {

		SessionStore sessions() {
			return this.turns.sessions();
		}

		/** The settings a chat starts with for a model ({@link ChatTurns#settingsFor}). */
		ModelSettings settingsFor(String model) {
			return this.turns.settingsFor(model);
		}

	}

	ChatSession session() {
		return this.session;
	}

	/** How many prompts found no answer. */
	int failures() {
		return this.failures;
	}

	/**
	 * Checks that the runner has the session's model. On a terminal a model it lacks is one line and the chat goes on
	 * ({@code /model} picks another); a piped chat has no one to pick one, so it stops before it sends anything. A
	 * runner that does not answer is one line either way: each turn says it again.
	 * @param from where the model comes from, as the message names it: {@code model=}, {@code dmr.default-model} ...
	 * @throws RunException in a piped chat, when the runner answers and lacks the model
	 */
	void checkModel(String from) {
		try {
			this.services.catalog().require(this.session.model());
		}
		catch (ModelCallException ex) {
			if (!this.screen.interactive() && runnerAnswers()) {
				throw new RunException(from + ": " + ex.getMessage() + "; nothing was sent");
			}
			this.screen.error(ex.getMessage());
		}
	}

	/** Whether the runner answers with its list of models, so that what it lacks is the model. */
	private boolean runnerAnswers() {
		try {
			this.services.catalog().modelNames();
			return true;
		}
		catch (ModelCallException ex) {
			return false;
		}
	}

	/** Reads and answers until the user leaves. */
	void run() throws IOException {
		while (true) {
			ChatInput.Entry entry = this.screen.read(this.session.model());
			if (entry == null) {
				return;
			}
			if (entry instanceof ChatInput.Prompt prompt) {
				if (!prompt.text().isBlank()) {
					send(prompt.text());
				}
				continue;
			}
			ChatInput.Slash command = (ChatInput.Slash) entry;
			if (command.name().equals("quit") || command.name().equals("exit")) {
				return;
			}
			try {
				command(command);
			}
			catch (RunException | PromptException | JobFileException | IllegalArgumentException
					| ModelCallException | UncheckedIOException ex) {
				this.screen.error(ex.getMessage());
			}
		}
	}

	/** Sends a prompt, streams its answer and stores the turn. */
	void send(String prompt) {
		StreamStop stop = new StreamStop();
		ModelReply reply;
		this.screen.answerStarts(stop);
		try {
			reply = this.services.turns().ask(this.session, prompt, this.attached, this.screen, stop, this.screen::say);
		}
		catch (ModelCallException ex) {
			this.screen.answerEnds(null);
			this.screen.error(ex.getMessage());
			this.unanswered = prompt;
			this.failures++;
			return;
		}
		this.screen.answerEnds(reply);
		if (ChatService.TRUNCATED.equals(reply.finishReason())) {
			this.failures++; // kept, but not whole: piped, the chat ends as when a turn failed
		}
		this.last = reply;
		this.unanswered = null;
		this.attached = new ArrayList<>();
		save();
	}

	private void save() {
		try {
			this.services.turns().save(this.session);
		}
		catch (RuntimeException ex) {
			this.screen.error("session " + this.session.name() + " could not be saved: " + SafeText.reason(ex));
		}
	}

	private void command(ChatInput.Slash command) {
		String argument = command.argument();
		switch (command.name()) {
			case "help", "?" -> this.screen.show(HELP);
			case "models" -> models();
			case "model" -> model(argument);
			case "system" -> {
				this.session.system(argument);
				if (!this.session.turns().isEmpty() || this.session.runId() != null) {
					save();
				}
				String now = this.session.system();
				this.screen.say(!argument.isBlank() ? "system prompt set for the turns to come"
						: (now == null) ? "system prompt removed"
								: "system prompt removed; the one before stays: " + SafeText.excerpt(now, 60));
			}
			case "set" -> set(command.words());
			case "params" -> params();
			case "think" -> think(argument);
			case "image" -> image(argument);
			case "new" -> {
				ChatSession fresh = this.services.turns().fresh(this.session.settings());
				fresh.system(this.session.system());
				this.session = fresh;
				this.last = null;
				this.screen.say("new session " + fresh.name());
			}
			case "retry" -> retry();
			case "undo" -> {
				if (this.session.undo() == null) {
					this.screen.say("nothing to undo");
				}
				else {
					save();
					this.screen.say("took back the last prompt and answer (" + this.session.answers() + " answers left)");
				}
			}
			case "save" -> {
				if (!argument.isEmpty()) {
					this.services.sessions().rename(this.session, argument);
				}
				else {
					save();
				}
				this.screen.say("session " + this.session.name() + " saved (" + this.session.answers()
						+ " answers); session=" + this.session.name() + " resumes it");
			}
			case "load" -> load(argument);
			case "sessions" -> sessions();
			case "export" -> export(command.words());
			case "template" -> template(command.words());
			case "stats" -> stats();
			default -> this.screen.error("unknown command /" + command.name() + " (/help lists them)");
		}
	}

	private void models() {
		List<String> names = this.services.catalog().modelNames();
		StringBuilder text = new StringBuilder();
		for (String name : names) {
			text.append(ModelCatalog.sameModel(name, this.session.model()) ? "* " : "  ").append(name).append('\n');
		}
		this.screen.show(names.isEmpty() ? "the runner has no models" : text.toString().stripTrailing());
	}

	private void model(String name) {
		if (name.isEmpty()) {
			this.screen.say("model: " + this.session.model());
			return;
		}
		this.services.catalog().require(name);
		ModelSettings defaults = this.services.settingsFor(this.session.model());
		ModelSettings settings = this.session.settings();
		// parameters set with /set stay; the rest are the new model's own from the profile
		ModelSettings next = this.services.settingsFor(name);
		for (String field : ModelSettings.FIELDS) {
			if (!field.equals("model") && !Objects.equals(settings.value(field), defaults.value(field))) {
				next = next.with(field, settings.value(field));
			}
		}
		this.session.settings(next.withName(name));
		this.screen.say("model " + name + " for the turns to come");
	}

	private void set(List<String> words) {
		if (words.size() < 2) {
			throw new IllegalArgumentException("/set needs a parameter and a value: /set temperature 0.7 (parameters: "
					+ String.join(", ", ChatSettings.PARAMETERS) + ")");
		}
		String value = String.join(" ", words.subList(1, words.size()));
		this.session.settings(ChatSettings.set(this.session.settings(),
				this.services.settingsFor(this.session.model()), words.get(0), value));
		this.screen.say(words.get(0) + " = " + ChatSettings.shown(this.session.settings())
			.getOrDefault(words.get(0).toLowerCase(Locale.ROOT).replace('-', '_'), value));
	}

	private void params() {
		StringBuilder text = new StringBuilder();
		ChatSettings.shown(this.session.settings())
			.forEach((key, value) -> text.append(String.format(Locale.ROOT, "%-18s %s%n", key, value)));
		text.append(String.format(Locale.ROOT, "%-18s %s%n", "system",
				(this.session.system() != null) ? SafeText.excerpt(this.session.system(), 60) : "-"));
		text.append(String.format(Locale.ROOT, "%-18s %s", "session", this.session.name()));
		this.screen.show(text.toString());
	}

	private void think(String argument) {
		switch (argument.toLowerCase(Locale.ROOT)) {
			case "on" -> this.screen.thinking(true);
			case "off" -> this.screen.thinking(false);
			case "" -> this.screen.thinking(!this.screen.thinking());
			default -> throw new IllegalArgumentException("/think takes on or off, not '" + argument + "'");
		}
		this.screen.say("reasoning " + (this.screen.thinking() ? "shown" : "hidden"));
	}

	/** {@code /image <file>} attaches an image to the next prompt, {@code /image off} drops them, alone it lists them. */
	private void image(String argument) {
		if (argument.equalsIgnoreCase("off")) {
			this.screen.say(this.attached.isEmpty() ? "no image attached"
					: "dropped " + String.join(", ", this.attached.stream().map(ImageFiles.Prepared::file).toList()));
			this.attached = new ArrayList<>();
		}
		else if (!argument.isEmpty()) {
			ImageFiles.Prepared image = this.services.turns().image(argument);
			this.attached.add(image);
			this.screen.say(shown(image) + " goes with the next prompt");
		}
		else if (this.attached.isEmpty()) {
			this.screen.say("no image attached (/image <file> attaches one to the next prompt)");
		}
		else {
			this.screen.say("attached: " + String.join(", ", this.attached.stream().map(Chat::shown).toList()));
		}
	}

	private static String shown(ImageFiles.Prepared image) {
		return SafeText.firstLine(image.file()) + " (" + image.width() + "x" + image.height() + ", " + image.size()
				+ " bytes)";
	}

	private void retry() {
		String prompt = this.unanswered;
		if (prompt == null) {
			// the turn taken back is asked again with the images it sent, read again from their files
			this.session.turns()
				.stream()
				.filter((turn) -> "user".equals(turn.role()))
				.reduce((first, second) -> second)
				.ifPresent((turn) -> this.attached = new ArrayList<>(
						this.services.turns().earlier(turn, this.screen::say)));
			prompt = this.session.undo();
			if (prompt == null || prompt.isEmpty()) {
				this.screen.say("nothing to retry");
				return;
			}
			save();
		}
		send(prompt);
	}

	private void load(String which) {
		if (which.isEmpty()) {
			throw new IllegalArgumentException("/load needs a session name, or <run>:<item id> (/sessions lists them)");
		}
		ChatTurns turns = this.services.turns();
		if (which.contains(":")) {
			ChatSession continued = turns.continueFrom(which, null, this.session.settings(), null);
			turns.save(continued);
			this.session = continued;
			this.screen.say("session " + continued.name() + " continues run " + continued.sourceRunId() + " item "
					+ continued.sourceItemId() + " (" + continued.answers() + " answers)");
		}
		else {
			this.session = turns.resume(which, this.session.settings(), false)
				.orElseThrow(() -> new NotFoundException("there is no session named '" + which + "' (/sessions lists them)"));
			this.screen.say("session " + this.session.name() + " (" + this.session.answers() + " answers, model "
					+ this.session.model() + ")");
		}
		this.last = null;
		this.unanswered = null;
		this.screen.show(transcript(this.session));
	}

	/** The turns so far, as a resumed or continued session shows them. */
	static String transcript(ChatSession session) {
		StringBuilder text = new StringBuilder();
		for (var turn : session.turns()) {
			text.append(switch (turn.role()) {
				case "system" -> "system: ";
				case "user" -> "> ";
				default -> "";
			}).append(turn.content());
			ChatTurns.references(turn)
				.forEach((image) -> text.append(" [image ").append(SafeText.firstLine(String.valueOf(image.get("file"))))
					.append(']'));
			text.append("\n");
		}
		return text.toString().stripTrailing();
	}

	private void sessions() {
		List<SessionStore.Summary> sessions = this.services.sessions().sessions();
		if (sessions.isEmpty()) {
			this.screen.say("no sessions yet");
			return;
		}
		StringBuilder text = new StringBuilder();
		for (SessionStore.Summary summary : sessions) {
			text.append(String.format(Locale.ROOT, "%s %-28s %s  %3d answers  %s%s%n",
					summary.name().equals(this.session.name()) ? "*" : " ", summary.name(),
					TIME.format(summary.updated()), summary.answers(), (summary.model() != null) ? summary.model() : "-",
					(summary.continues() != null) ? "  (continues " + summary.continues() + ")" : ""));
		}
		this.screen.show(text.toString().stripTrailing());
	}

	private void export(List<String> words) {
		Exports exports = this.services.exports();
		ExportKind kind = words.isEmpty() ? null : exports.formats().byNameOrAlias(words.get(0));
		if (kind == null) {
			throw new IllegalArgumentException("/export takes " + exports.formats().everyRunChoice() + " and a file name");
		}
		String format = kind.name();
		save();
		if (this.session.runId() == null) {
			return;
		}
		RunRecord run = this.services.sessions().record(this.session);
		if (words.size() < 2) {
			Path folder = Path.of(run.outputDir());
			this.services.folders().claim(folder, run.id(), run.jobName(), run.label());
			exports.write(run, List.of(format)).forEach((file) -> this.screen.say("exports: " + file));
			return;
		}
		String command = "/export " + words.get(0);
		Path target = exportFile(command, String.join(" ", words.subList(1, words.size())));
		Path temporary = null;
		try {
			Files.createDirectories(this.services.properties().resolve("data"));
			temporary = Files.createTempDirectory(this.services.properties().resolve("data"), "chat-export");
			RunRecord there = new RunRecord(run.id(), run.jobName(), run.label(), run.input(), temporary.toString(),
					run.settings(), run.createdAt());
			List<Path> written = exports.write(there, List.of(format));
			if (target.getParent() != null) {
				Files.createDirectories(target.getParent());
			}
			Files.move(written.get(0), target); // never over a file that came meanwhile
			this.screen.say("exports: " + target);
		}
		catch (FileAlreadyExistsException ex) {
			throw exists(command, target);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("/export could not write " + target + ": " + ex.getMessage(), ex);
		}
		finally {
			delete(temporary);
		}
	}

	/**
	 * The file {@code /export <format> <file>} may write, the name resolved against the working folder as
	 * {@code output=} is: inside the working folder once every link on the way is followed, a file that does not
	 * exist yet, and in no folder that holds a run's exports (the session's own included). Piped input runs
	 * {@code /export} too, so this is all that keeps it from writing over anything.
	 * @throws IllegalArgumentException in one sentence naming the file or folder, when it may not be written
	 */
	private Path exportFile(String command, String given) {
		Path home = this.services.properties().resolve(".").toAbsolutePath();
		Path root = real(command, home);
		Path asked = home.resolve(given);
		// each step as the file system takes it: a link followed, '..' going up from where the steps have led
		Path file = asked.getRoot();
		int count = asked.getNameCount();
		for (int i = 0; i < count; i++) {
			String step = asked.getName(i).toString();
			if (step.equals("..")) {
				file = (file.getParent() != null) ? file.getParent() : file;
			}
			else if (!step.equals(".")) {
				file = file.resolve(step);
				// the file itself is not followed: a link there exists already
				if (i < count - 1 && Files.isSymbolicLink(file)) {
					file = real(command, file);
				}
			}
		}
		if (!file.startsWith(root)) {
			throw new IllegalArgumentException(command + ": " + file + " is outside the working folder " + root
					+ "; give a file inside it");
		}
		if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
			throw new IllegalArgumentException(command + ": " + file + " is a folder; give a file");
		}
		if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
			throw exists(command, file);
		}
		for (Path folder = file.getParent(); folder != null && folder.startsWith(root); folder = folder.getParent()) {
			if (Files.isDirectory(folder)) {
				try {
					this.services.folders().check(folder, null);
				}
				catch (OutputFolderTakenException ex) {
					throw new IllegalArgumentException(command + ": " + folder + " holds the exports of a run; give a "
							+ "file in another folder (" + command + " alone writes the session's own)");
				}
			}
		}
		return file;
	}

	private static IllegalArgumentException exists(String command, Path file) {
		return new IllegalArgumentException(command + ": " + file + " exists already; give a file that does not exist "
				+ "(an export overwrites nothing)");
	}

	/** The path with every link followed. */
	private static Path real(String command, Path path) {
		try {
			return path.toRealPath();
		}
		catch (IOException ex) {
			throw new IllegalArgumentException(command + ": " + path + " cannot be followed ("
					+ SafeText.firstLine(String.valueOf(ex.getMessage())) + "); give another file");
		}
	}

	private static void delete(Path folder) {
		if (folder == null) {
			return;
		}
		try (Stream<Path> files = Files.walk(folder)) {
			for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(file);
			}
		}
		catch (IOException ex) {
			// a temporary folder left behind in data/ harms nothing
		}
	}

	/**
	 * Starts from a job file's system prompt and first step, or from a template of {@code templates/}, with the
	 * chat's variables and those given; the rendered prompt is sent as the next turn.
	 */
	private void template(List<String> words) {
		if (words.isEmpty()) {
			throw new IllegalArgumentException("/template needs a job file or template name: /template <name> [var=value ...]");
		}
		String name = words.get(0);
		Map<String, Object> given = new LinkedHashMap<>(this.vars);
		for (String word : words.subList(1, words.size())) {
			int eq = word.indexOf('=');
			if (eq <= 0) {
				throw new IllegalArgumentException("/template takes var=value after the name, not '" + word + "'");
			}
			given.put(word.substring(0, eq), word.substring(eq + 1));
		}
		ChatTurns.Rendered rendered = this.services.turns().template(name, given, this.session);
		if (rendered.system() != null) {
			this.session.system(rendered.system());
		}
		send(rendered.prompt());
	}

	private void stats() {
		StringBuilder text = new StringBuilder();
		if (this.last != null) {
			text.append("last answer: ").append(this.last.promptTokens()).append(" tokens in, ")
				.append(this.last.completionTokens()).append(" out, ").append(seconds(this.last.latencyMillis()))
				.append(", first token after ")
				.append((this.last.ttftMillis() != null) ? seconds(this.last.ttftMillis()) : "-").append(", ")
				.append(rate(this.last.completionTokens(), this.last.latencyMillis()))
				.append(ChatService.STOPPED.equals(this.last.finishReason()) ? " (stopped)"
						: ChatService.TRUNCATED.equals(this.last.finishReason()) ? " (truncated)" : "")
				.append('\n');
		}
		ChatSession s = this.session;
		text.append("session ").append(s.name()).append(": ").append(s.answers()).append(" answers, ")
			.append(s.promptTokens()).append(" tokens in, ").append(s.completionTokens()).append(" out, ")
			.append(seconds(s.latencyMillis())).append(", ").append(rate(s.completionTokens(), s.latencyMillis()));
		this.screen.show(text.toString());
	}

	static String seconds(long millis) {
		return String.format(Locale.ROOT, "%.2f s", millis / 1000.0);
	}

	static String rate(long tokens, long millis) {
		return (millis > 0) ? String.format(Locale.ROOT, "%.1f tokens/s", tokens * 1000.0 / millis) : "- tokens/s";
	}

}
