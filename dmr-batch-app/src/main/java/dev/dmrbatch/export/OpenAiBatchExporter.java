package dev.dmrbatch.export;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.StoreFolder;
import dev.dmrbatch.openaibatch.OpenAiBatch;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * The results of an {@code openai-batch} run in OpenAI's own formats, so tools written for OpenAI's Batch API read
 * them: {@code output.jsonl} holds every request that got a successful answer, {@code errors.jsonl} every other one
 * (a line that could not be sent, or an error status), so each custom_id appears exactly once across the two.
 */
final class OpenAiBatchExporter implements Exporter {

	static final String OUTPUT = "output.jsonl";

	static final String ERRORS = "errors.jsonl";

	private static final JsonMapper JSON = JsonMapper.shared();

	private final long runId;

	private final OutputStream outputFile;

	private final OutputStream errorsFile;

	private final JsonGenerator output;

	private final JsonGenerator errors;

	private boolean wroteOutput;

	private boolean wroteErrors;

	OpenAiBatchExporter(Path folder, long runId) throws IOException {
		this.runId = runId;
		this.outputFile = Files.newOutputStream(StoreFolder.privateFile(folder.resolve(OUTPUT)));
		this.errorsFile = Files.newOutputStream(StoreFolder.privateFile(folder.resolve(ERRORS)));
		// one generator a file, a new line between root values instead of Jackson's space
		this.output = JSON.writer().withRootValueSeparator("\n").createGenerator(this.outputFile);
		this.errors = JSON.writer().withRootValueSeparator("\n").createGenerator(this.errorsFile);
	}

	@Override
	public void write(Conversation c) throws IOException {
		String request = c.turns().isEmpty() ? "" : c.turns().get(0).content();
		String answer = (c.turns().size() > 1) ? c.turns().get(1).content() : null;
		Conversation.Call call = c.calls().isEmpty() ? null : c.calls().get(0);
		JsonGenerator g = c.isOk() ? this.output : this.errors;
		g.writeStartObject();
		g.writeStringProperty("id", "batch_req_" + this.runId + "_" + c.itemSeq());
		g.writeStringProperty("custom_id", OpenAiBatch.customId(request));
		if (call != null && call.httpStatus() != null) {
			g.writeObjectPropertyStart("response");
			g.writeNumberProperty("status_code", call.httpStatus());
			g.writeStringProperty("request_id", call.requestId());
			g.writeName("body");
			writeBody(g, answer);
			g.writeEndObject();
		}
		else {
			g.writeNullProperty("response");
		}
		if (c.isOk()) {
			g.writeNullProperty("error");
		}
		else {
			g.writeObjectPropertyStart("error");
			g.writeStringProperty("code", (call != null && call.error() != null) ? call.error() : "failed");
			g.writeStringProperty("message", c.error());
			g.writeEndObject();
		}
		g.writeEndObject();
		if (c.isOk()) {
			this.wroteOutput = true;
		}
		else {
			this.wroteErrors = true;
		}
	}

	@Override
	public void finish() throws IOException {
		this.output.flush();
		this.errors.flush();
		if (this.wroteOutput) {
			this.outputFile.write('\n');
		}
		if (this.wroteErrors) {
			this.errorsFile.write('\n');
		}
	}

	/** The runner's body as JSON where it is JSON, else as a string. */
	private static void writeBody(JsonGenerator g, String body) {
		if (body == null) {
			g.writeNull();
			return;
		}
		try {
			g.writeTree(JSON.readTree(body));
		}
		catch (JacksonException ex) {
			g.writeString(body);
		}
	}

	@Override
	public void close() throws IOException {
		try (this.outputFile; this.errorsFile) {
			this.output.close();
			this.errors.close();
		}
	}

	/** The export {@code openai-batch}. */
	@Component
	@Order(80)
	static final class Format implements ExportKind {

		@Override
		public String name() {
			return OpenAiBatch.EXPORT;
		}

		@Override
		public List<String> files() {
			return List.of(OUTPUT, ERRORS);
		}

		/** The files of an {@code openai-batch} run only. */
		@Override
		public boolean everyRun() {
			return false;
		}

		@Override
		public Exporter open(ExportTarget target) throws IOException {
			return new OpenAiBatchExporter(target.folder(), target.facts().run().id());
		}

	}

}
