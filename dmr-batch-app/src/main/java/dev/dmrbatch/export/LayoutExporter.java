package dev.dmrbatch.export;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.StoreFolder;
import dev.dmrbatch.prompt.PromptException;
import dev.dmrbatch.text.SafeText;
import freemarker.core.InvalidReferenceException;
import freemarker.template.Configuration;
import freemarker.template.Template;
import freemarker.template.TemplateException;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code results.md} and {@code results.txt}: written through a FreeMarker layout that users can copy into
 * {@code templates/export/} and change. The layout defines macros {@code header}, {@code item} and {@code footer};
 * each is called as the export streams through the run, so no list of all items is ever handed to FreeMarker.
 */
final class LayoutExporter implements Exporter {

	private final BufferedWriter out;

	private final Template item;

	private final Template footer;

	private final Map<String, Object> run;

	private final boolean severalModels;

	LayoutExporter(Path file, Configuration freemarker, String layout, Map<String, Object> run) throws IOException {
		this.out = Files.newBufferedWriter(StoreFolder.privateFile(file), StandardCharsets.UTF_8);
		this.run = run;
		this.severalModels = run.get("models") instanceof List<?> models && models.size() > 1;
		this.item = call(freemarker, layout, "item", "c");
		this.footer = call(freemarker, layout, "footer", "run");
		render(call(freemarker, layout, "header", "run"), Map.of("run", run));
	}

	private static Template call(Configuration freemarker, String layout, String macro, String argument)
			throws IOException {
		String source = "<#import \"/" + layout + "\" as layout><@layout." + macro + " " + argument + "=" + argument
				+ "/>";
		return new Template(layout + "#" + macro, new StringReader(source), freemarker);
	}

	private long lastSeq = -1;

	@Override
	public void write(Conversation conversation) throws IOException {
		Map<String, Object> data = ConversationData.model(conversation);
		data.put("first_of_item", conversation.itemSeq() != this.lastSeq);
		data.put("several_models", this.severalModels);
		this.lastSeq = conversation.itemSeq();
		render(this.item, Map.of("c", data));
	}

	@Override
	public void finish() throws IOException {
		render(this.footer, Map.of("run", this.run));
	}

	private void render(Template template, Map<String, Object> model) throws IOException {
		try {
			// a text export is read in a terminal or an editor: control characters are shown, not obeyed
			StringWriter text = new StringWriter();
			template.process(model, text);
			this.out.write(SafeText.document(text.toString()));
		}
		catch (TemplateException ex) {
			// FreeMarker's own first line ("The following has evaluated to null or missing:") names nothing
			String reason = (ex instanceof InvalidReferenceException && ex.getBlamedExpressionString() != null)
					? SafeText.firstLine(ex.getBlamedExpressionString()) + " is null or missing"
					: SafeText.firstLine(ex.getMessageWithoutStackTop());
			throw new PromptException(
					"export layout " + ex.getTemplateSourceName() + " line " + ex.getLineNumber() + ": " + reason);
		}
	}

	@Override
	public void close() throws IOException {
		this.out.close();
	}

	/** An export written through a layout: the file, and the layout unless the job names its own. */
	abstract static class Format implements ExportKind {

		private final String name;

		private final String file;

		private final String alias;

		private final String layout;

		Format(String name, String file, String alias, String layout) {
			this.name = name;
			this.file = file;
			this.alias = alias;
			this.layout = layout;
		}

		@Override
		public String name() {
			return this.name;
		}

		@Override
		public List<String> files() {
			return List.of(this.file);
		}

		@Override
		public List<String> aliases() {
			return List.of(this.alias);
		}

		@Override
		public String layout() {
			return this.layout;
		}

		@Override
		public Exporter open(ExportTarget target) throws IOException {
			return new LayoutExporter(target.file(this.file), target.layouts(), target.layout(this), target.factsData());
		}

	}

	/** The export {@code markdown}, {@code results.md}. */
	@Component
	@Order(30)
	static final class Markdown extends Format {

		Markdown() {
			super("markdown", "results.md", "md", "export/results.md.ftl");
		}

	}

	/** The export {@code text}, {@code results.txt}. */
	@Component
	@Order(40)
	static final class Text extends Format {

		Text() {
			super("text", "results.txt", "txt", "export/results.txt.ftl");
		}

	}

}
