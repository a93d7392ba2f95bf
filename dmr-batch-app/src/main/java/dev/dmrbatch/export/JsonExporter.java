package dev.dmrbatch.export;

import java.io.IOException;
import java.io.OutputStream;
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
 * {@code results.json}: {@code {"run": {facts}, "items": [conversations as in results.jsonl]}}, written as it goes
 * by a streaming generator, never built as a tree.
 */
final class JsonExporter implements Exporter {

	static final String FILE = "results.json";

	private final OutputStream out;

	private final JsonGenerator json;

	private final boolean repeats;

	JsonExporter(Path folder, JsonMapper mapper, ExportRun run) throws IOException {
		this.repeats = run.repeats();
		this.out = Files.newOutputStream(StoreFolder.privateFile(folder.resolve(FILE)));
		this.json = mapper.createGenerator(this.out);
		this.json.writeStartObject();
		this.json.writeName("run");
		this.json.writePOJO(run.facts(mapper));
		this.json.writeArrayPropertyStart("items");
	}

	@Override
	public void write(Conversation conversation) {
		ConversationData.write(this.json, conversation, this.repeats);
	}

	@Override
	public void finish() {
		this.json.writeEndArray();
		this.json.writeEndObject();
	}

	@Override
	public void close() throws IOException {
		this.json.close();
		this.out.close();
	}

	/** The export {@code json}. */
	@Component
	@Order(20)
	static final class Format implements ExportKind {

		@Override
		public String name() {
			return "json";
		}

		@Override
		public List<String> files() {
			return List.of(FILE);
		}

		@Override
		public Exporter open(ExportTarget target) throws IOException {
			return new JsonExporter(target.folder(), target.json(), target.facts());
		}

	}

}
