package dev.dmrbatch.export;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.StoreFolder;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code results.jsonl}: one line per item and model, {@code id}, {@code status}, {@code error}, {@code model},
 * {@code messages} [{role, content}], {@code steps} (each step's answer by name) and {@code usage}; with
 * {@code repeat=N}, one line per answer, {@code repeat} saying which (from 1).
 */
final class JsonlExporter implements Exporter {

	static final String FILE = "results.jsonl";

	private final BufferedWriter out;

	private final JsonGenerator json;

	private boolean empty = true;

	/** Whether the run asked each item more than once: each line then says which answer it is. */
	private final boolean repeats;

	JsonlExporter(Path folder, JsonMapper mapper, boolean repeats) throws IOException {
		this.repeats = repeats;
		this.out = Files.newBufferedWriter(StoreFolder.privateFile(folder.resolve(FILE)), StandardCharsets.UTF_8);
		// one generator for the file; a new line between root values instead of Jackson's space
		this.json = mapper.writer().withRootValueSeparator("\n").createGenerator(this.out);
	}

	@Override
	public void write(Conversation conversation) {
		ConversationData.write(this.json, conversation, this.repeats);
		this.empty = false;
	}

	@Override
	public void finish() throws IOException {
		this.json.flush();
		// every line ends with a new line; a run with no item is an empty file
		if (!this.empty) {
			this.out.write('\n');
		}
	}

	@Override
	public void close() throws IOException {
		this.json.close();
	}

	/** The export {@code jsonl}. */
	@Component
	@Order(10)
	static final class Format implements ExportKind {

		@Override
		public String name() {
			return "jsonl";
		}

		@Override
		public List<String> files() {
			return List.of(FILE);
		}

		@Override
		public Exporter open(ExportTarget target) throws IOException {
			return new JsonlExporter(target.folder(), target.json(), target.facts().repeats());
		}

	}

}
