package dev.dmrbatch.chat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import dev.dmrbatch.cli.Arguments;
import dev.dmrbatch.cli.Command;
import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.config.LaunchSettings;
import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.export.Exports;
import dev.dmrbatch.jobfile.JobFiles;
import dev.dmrbatch.model.ChatService;
import dev.dmrbatch.model.ModelCatalog;
import dev.dmrbatch.prompt.PromptTemplates;
import dev.dmrbatch.run.job.OutputFolders;
import dev.dmrbatch.run.plan.RunException;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code job=chat} (or {@code chat}): talk to a model, on a terminal with a line editor, or through a pipe one line
 * (or {@code """} block) a turn. Every turn is stored as it happens; {@code session=} resumes a session and
 * {@code continue=<run>:<item>} goes on with a run's stored conversation as a new session. The terminal's classes
 * are loaded only here, so the other commands start as fast as before. What a chat uses of the store is made when it
 * runs, not with the command, so that the store server is looked for meanwhile.
 */
@Component
@Order(5)
class ChatCommand implements Command {

	/** The exit code of a piped chat in which a prompt found no answer, as for a failed run. */
	static final int FAILED = 5;

	private final ChatService chat;

	private final ModelCatalog catalog;

	private final ObjectProvider<SessionStore> sessions;

	private final ObjectProvider<Exports> exports;

	private final ObjectProvider<OutputFolders> folders;

	private final JobFiles jobFiles;

	private final PromptTemplates templates;

	private final DmrProperties properties;

	private final LaunchSettings launch;

	ChatCommand(ChatService chat, ModelCatalog catalog, ObjectProvider<SessionStore> sessions,
			ObjectProvider<Exports> exports, ObjectProvider<OutputFolders> folders, JobFiles jobFiles,
			PromptTemplates templates, DmrProperties properties, LaunchSettings launch) {
		this.chat = chat;
		this.catalog = catalog;
		this.sessions = sessions;
		this.exports = exports;
		this.folders = folders;
		this.jobFiles = jobFiles;
		this.templates = templates;
		this.properties = properties;
		this.launch = launch;
	}

	@Override
	public String name() {
		return "chat";
	}

	@Override
	public String usage() {
		return "job=chat [model=<name>] [session=<name>] [continue=<run>:<item-id>] [system=<text>]\n"
				+ "           [var.<key>=<value> ...] [max_tokens=<n> ...] [--lines]\n"
				+ "           (piped stdin: one prompt; --lines: a turn a line; request settings as for a run)";
	}

	/**
	 * The arguments it uses besides {@code job=} and {@code profile=}; {@code var.} for {@code var.<key>=}; and the
	 * request settings a run takes at launch, which beat the profile's as they do in a run.
	 */
	public Set<String> arguments() {
		Set<String> arguments = new HashSet<>(Set.of("model", "session", "continue", "system", "var."));
		arguments.addAll(LaunchSettings.KEYS.keySet());
		return arguments;
	}

	@Override
	public int run(Arguments arguments) throws IOException {
		Chat.Services services = new Chat.Services(this.chat, this.catalog, this.sessions.getObject(),
				this.exports.getObject(), this.folders.getObject(), this.jobFiles, this.templates, this.properties,
				this.launch);
		SessionStore sessions = services.sessions();
		DmrProperties properties = services.properties();
		String model = arguments.get("model");
		ModelSettings settings = services.settingsFor((model != null) ? model : properties.defaultModel());
		String name = (arguments.get("session") != null) ? SessionStore.checkName(arguments.get("session")) : null;
		ChatSession session;
		boolean resumed = false;
		if (arguments.get("continue") != null) {
			if (name != null && sessions.find(name).isPresent()) {
				throw new RunException("session=" + name + " exists already: continue= starts a new session, give "
						+ "another name");
			}
			session = sessions.continueFrom(arguments.get("continue"), (name != null) ? name : sessions.newName(),
					settings, model);
			resumed = true;
		}
		else {
			RunRecord stored = (name != null) ? sessions.find(name).orElse(null) : null;
			if (stored != null) {
				session = sessions.load(stored, settings);
				if (model != null) {
					session.settings(services.settingsFor(model));
				}
				resumed = true;
			}
			else {
				session = new ChatSession((name != null) ? name : sessions.newName(), settings);
			}
		}
		if (arguments.get("system") != null) {
			session.system(arguments.get("system"));
		}
		String modelFrom = (model != null) ? "model=" + model
				: (session.sourceRunId() != null) ? "the model of the conversation continued"
						: resumed ? "the model of the session's last turn" : "dmr.default-model";
		Map<String, Object> vars = new LinkedHashMap<>(arguments.vars());
		try (ChatScreen screen = screen(properties, arguments.option("lines"))) {
			Chat chat = new Chat(services, screen, session, vars);
			if (!screen.interactive()) {
				chat.checkModel(modelFrom); // a piped chat stops here when the runner lacks the model
			}
			if (session.sourceRunId() != null && session.runId() == null) {
				sessions.save(session); // a continued conversation is a session from the start
			}
			if (resumed) {
				screen.show(Chat.transcript(session));
			}
			screen.say("session " + session.name() + ((session.sourceRunId() != null) ? " (continues run "
					+ session.sourceRunId() + " item " + session.sourceItemId() + ")" : "") + ", model "
					+ session.model() + (screen.interactive() ? "; /help lists the commands, Ctrl-D leaves" : ""));
			if (screen.interactive()) {
				chat.checkModel(modelFrom);
			}
			chat.run();
			ChatSession last = chat.session();
			if (last.runId() != null) {
				screen.say("session " + last.name() + " saved (" + last.answers() + " answers); session="
						+ last.name() + " resumes it");
			}
			return (!screen.interactive() && chat.failures() > 0) ? FAILED : 0;
		}
	}

	/** A terminal when stdin and stdout are one; plain streams otherwise. */
	private static ChatScreen screen(DmrProperties properties, boolean lines) throws IOException {
		if (System.console() == null) {
			return new PlainScreen(System.in, System.out, System.err, lines);
		}
		Path data = properties.resolve("data");
		Files.createDirectories(data);
		return new TerminalScreen(data.resolve("chat-history"));
	}

}
