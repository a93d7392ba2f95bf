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
import dev.dmrbatch.export.Exports;
import dev.dmrbatch.model.ModelCatalog;
import dev.dmrbatch.run.job.OutputFolders;

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

	private final ObjectProvider<ChatTurns> turns;

	private final ModelCatalog catalog;

	private final ObjectProvider<Exports> exports;

	private final ObjectProvider<OutputFolders> folders;

	private final DmrProperties properties;

	ChatCommand(ObjectProvider<ChatTurns> turns, ModelCatalog catalog, ObjectProvider<Exports> exports,
			ObjectProvider<OutputFolders> folders, DmrProperties properties) {
		this.turns = turns;
		this.catalog = catalog;
		this.exports = exports;
		this.folders = folders;
		this.properties = properties;
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
		Chat.Services services = new Chat.Services(this.turns.getObject(), this.catalog, this.exports.getObject(),
				this.folders.getObject(), this.properties);
		ChatTurns turns = services.turns();
		DmrProperties properties = services.properties();
		String model = arguments.get("model");
		String name = (arguments.get("session") != null) ? SessionStore.checkName(arguments.get("session")) : null;
		ChatSession session = turns.open(name, arguments.get("continue"), model, turns.settingsFor(model));
		// resumed, or continuing a run's conversation: either way it has turns to show
		boolean resumed = session.runId() != null || session.sourceRunId() != null;
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
				turns.save(session); // a continued conversation is a session from the start
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
