package dev.dmrbatch.export;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

import dev.dmrbatch.conversation.ConversationStore;
import freemarker.template.Configuration;
import tools.jackson.databind.json.JsonMapper;

/**
 * What an exporter is opened with: where to write and what is known about the run.
 *
 * @param folder the run's output folder, which exists
 * @param facts the facts every export shows about the run
 * @param factsData the same as plain data, for JSON and layouts
 * @param store the store, for what an export reads beside the conversations (the HTML report's measures)
 * @param layouts the FreeMarker configuration of the layouts: the working folder's {@code templates/}, then the
 * built-in ones
 * @param jobLayouts the job's own layouts, by export name
 * @param fontFolder the folder of further fonts for the PDF, or {@code null}
 * @param options the job file's {@code export-options}, by export name
 * @param imageFolder the folder the run's stored image references name their files relative to (its input's
 * folder), or {@code null}
 */
record ExportTarget(Path folder, ExportRun facts, Map<String, Object> factsData, JsonMapper json,
		ConversationStore store, Configuration layouts, Map<String, String> jobLayouts, Path fontFolder,
		Function<String, Map<String, Object>> options, Path imageFolder) {

	ExportTarget(Path folder, ExportRun facts, Map<String, Object> factsData, JsonMapper json, ConversationStore store,
			Configuration layouts, Map<String, String> jobLayouts, Path fontFolder,
			Function<String, Map<String, Object>> options) {
		this(folder, facts, factsData, json, store, layouts, jobLayouts, fontFolder, options, null);
	}

	/** The layout an export is written with: the job's own for it, else its kind's. */
	String layout(ExportKind kind) {
		return this.jobLayouts.getOrDefault(kind.name(), kind.layout());
	}

	/** A file of the output folder. */
	Path file(String name) {
		return this.folder.resolve(name);
	}

}
