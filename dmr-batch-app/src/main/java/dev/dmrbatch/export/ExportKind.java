package dev.dmrbatch.export;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.plugin.Kind;
import dev.dmrbatch.plugin.api.Export;

/**
 * An export, a name in a job file's {@code export:} list: the files it writes, its options and its exporter. A
 * built-in export is one {@code @Component} class implementing this (its {@code @Order} places it in the lists
 * messages show and in the default formats); {@link ExportFormats} finds it, and adapts a plugin's {@link Export} into
 * the same shape ({@link PluginExportKind}).
 */
public interface ExportKind extends Kind {

	@Override
	default Class<?> api() {
		return Export.class;
	}

	/**
	 * The files it writes into the run's output folder, fixed names (nothing from the input places a file), in the
	 * order they are listed; empty when they are known only once written (a plugin's, {@link Exporter#files()}).
	 */
	List<String> files();

	/** Other names {@code job=chat}'s {@code /export} takes for it, such as {@code md} for {@code markdown}. */
	default List<String> aliases() {
		return List.of();
	}

	/**
	 * Whether any run can be exported so; {@code false} for the export of one built-in job's runs (the OpenAI Batch
	 * files), which is neither among the formats a run is exported to again by default nor offered by the chat.
	 */
	default boolean everyRun() {
		return true;
	}

	/**
	 * The layout it is written with unless the job file's {@code layouts:} names another for it: a template in
	 * {@code templates/} or built in; {@code null} for an export without a layout.
	 */
	default String layout() {
		return null;
	}

	/**
	 * The JSON Schema of its {@code export-options} in a job file, or {@code null} when it takes none: then a job file
	 * that gives options for it is refused.
	 */
	default Map<String, Object> optionsSchema() {
		return null;
	}

	/**
	 * What is wrong with the job file's options for it, as one sentence starting with {@code key}, or {@code null}.
	 * @param key how the job file names the options, {@code export-options.<name>}
	 */
	default String optionsProblem(String key, Map<String, Object> options) {
		return null;
	}

	/** Opens its exporter, which creates its files. */
	Exporter open(ExportTarget target) throws IOException;

}
