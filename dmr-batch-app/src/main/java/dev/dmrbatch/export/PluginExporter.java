package dev.dmrbatch.export;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.conversation.Verdict;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.StoreFolder;
import dev.dmrbatch.plugin.Plugins;
import dev.dmrbatch.plugin.Provided;
import dev.dmrbatch.plugin.api.CheckResult;
import dev.dmrbatch.plugin.api.Export;
import dev.dmrbatch.plugin.api.ExportWriter;
import dev.dmrbatch.plugin.api.Options;
import dev.dmrbatch.plugin.api.RunInfo;
import dev.dmrbatch.plugin.api.StoredConversation;

/**
 * An export a plugin provides, fed like the built-in ones: each stored conversation, read-only, in input order. What
 * the plugin throws becomes one sentence naming the export and its jar; the files it writes must be in the run's
 * output folder, and are made readable by their owner only as the built-in ones are.
 */
final class PluginExporter implements Exporter {

	private final Provided<Export> export;

	private final Path folder;

	private final ExportWriter writer;

	private final List<Path> files = new ArrayList<>();

	PluginExporter(Provided<Export> export, Path folder, RunInfo run, Options options) throws IOException {
		this.export = export;
		this.folder = folder.toAbsolutePath().normalize();
		try {
			this.writer = export.extension().open(folder, run, options);
		}
		catch (Throwable ex) {
			Plugins.rethrowFatal(ex);
			throw failure("opening", ex);
		}
		if (this.writer == null) {
			throw new IOException(describe() + " opened no writer");
		}
	}

	@Override
	public void write(Conversation conversation) throws IOException {
		try {
			this.writer.write(stored(conversation));
		}
		catch (Throwable ex) {
			Plugins.rethrowFatal(ex);
			throw failure("writing item " + conversation.itemId(), ex);
		}
	}

	@Override
	public void finish() throws IOException {
		List<Path> written;
		try {
			written = this.writer.finish();
		}
		catch (Throwable ex) {
			Plugins.rethrowFatal(ex);
			throw failure("finishing", ex);
		}
		for (Path file : (written != null) ? written : List.<Path>of()) {
			Path absolute = this.folder.resolve(file).toAbsolutePath().normalize();
			if (!absolute.startsWith(this.folder)) {
				throw new IOException(describe() + " wrote " + file.getFileName()
						+ " outside the run's output folder");
			}
			// the plugin made it as the umask says: it holds answers, so it is its owner's only like the others
			StoreFolder.privateFile(absolute);
			this.files.add(absolute);
		}
	}

	/** The files written, after {@link #finish()}. */
	@Override
	public List<Path> files() {
		return this.files;
	}

	@Override
	public void close() throws IOException {
		try {
			this.writer.close();
		}
		catch (Throwable ex) {
			Plugins.rethrowFatal(ex);
			throw failure("closing", ex);
		}
	}

	private String describe() {
		return "export " + this.export.extension().name() + " (" + this.export.jar() + ")";
	}

	/**
	 * The plugin's failure as one sentence naming the export, its jar and what it was doing, the item included; not
	 * chained, so that what reports the failure by its cause still shows this sentence.
	 */
	private IOException failure(String doing, Throwable ex) {
		return new IOException(Plugins.describe(describe() + " " + doing, ex));
	}

	/** A stored conversation as a plugin sees it. */
	static StoredConversation stored(Conversation c) {
		List<StoredConversation.Message> messages = new ArrayList<>();
		for (Conversation.Turn turn : c.turns()) {
			if (!turn.isMessage()) {
				continue;
			}
			messages.add(new StoredConversation.Message(turn.role(), turn.step(), turn.content()));
		}
		Map<String, CheckResult> checks = new LinkedHashMap<>();
		for (Verdict verdict : c.verdicts()) {
			checks.put(verdict.checkKey(), new CheckResult(verdict.pass(), verdict.reason()));
		}
		Map<String, String> answers = new LinkedHashMap<>();
		ConversationData.answers(c).forEach((step, answer) -> answers.put(step, (answer != null) ? answer : ""));
		return new StoredConversation(c.itemSeq(), c.itemId(), c.model(), c.isOk(), c.error(), answers, messages,
				checks, c.promptTokens(), c.completionTokens());
	}

}
