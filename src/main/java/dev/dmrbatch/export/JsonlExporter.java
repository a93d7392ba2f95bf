package dev.dmrbatch.export;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.dmrbatch.conversation.Conversation;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code results.jsonl}: one line per item and model, {@code id}, {@code status}, {@code error}, {@code model},
 * {@code messages} [{role, content}], {@code usage}, and {@code steps} (each step's answer by name).
 */
final class JsonlExporter implements Exporter {

	static final String FILE = "results.jsonl";

	private final BufferedWriter out;

	private final JsonMapper json;

	JsonlExporter(Path folder, JsonMapper json) throws IOException {
		this.out = Files.newBufferedWriter(folder.resolve(FILE), StandardCharsets.UTF_8);
		this.json = json;
	}

	@Override
	public void write(Conversation c) throws IOException {
		try (JsonGenerator g = this.json.createGenerator(new NonClosingWriter(this.out))) {
			g.writeStartObject();
			g.writeStringProperty("id", c.itemId());
			g.writeStringProperty("status", c.status());
			g.writeStringProperty("error", c.error());
			g.writeStringProperty("model", c.model());
			g.writeArrayPropertyStart("messages");
			for (Conversation.Turn turn : c.turns()) {
				g.writeStartObject();
				g.writeStringProperty("role", turn.role());
				g.writeStringProperty("content", turn.content());
				g.writeEndObject();
			}
			g.writeEndArray();
			g.writeObjectPropertyStart("steps");
			for (Conversation.Turn turn : c.turns()) {
				if (turn.role().equals("assistant")) {
					g.writeStringProperty(turn.step(), turn.content());
				}
			}
			g.writeEndObject();
			g.writeObjectPropertyStart("usage");
			g.writeNumberProperty("prompt_tokens", c.promptTokens());
			g.writeNumberProperty("completion_tokens", c.completionTokens());
			g.writeNumberProperty("total_tokens", c.promptTokens() + c.completionTokens());
			g.writeEndObject();
			g.writeEndObject();
		}
		this.out.write('\n');
	}

	@Override
	public void close() throws IOException {
		this.out.close();
	}

	/** Lets a generator per line flush into the shared writer without closing it. */
	private static final class NonClosingWriter extends java.io.FilterWriter {

		NonClosingWriter(java.io.Writer out) {
			super(out);
		}

		@Override
		public void close() {
		}

	}

}
