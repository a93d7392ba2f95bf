package dev.dmrbatch.plugin.api;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An export format: written from the stored conversations of a run, after the run and again with
 * {@code job=export}. A job file asks for it as {@code export: [<name>]}, its options under
 * {@code export-options: {<name>: {...}}}.
 */
public interface Export {

	/**
	 * The export's name, as {@code export:} gives it: letters, digits, {@code -} and {@code _}.
	 * @return the name, unique among all exports
	 */
	String name();

	/**
	 * Checks the options before a run starts. Nothing by default.
	 * @param options the job file's {@code export-options.<name>}
	 * @throws PluginException naming the option and the problem
	 */
	default void check(Options options) {
	}

	/**
	 * Opens the export's file(s) in the run's output folder. dmr-batch then calls
	 * {@link ExportWriter#write} for each stored conversation, in input order, {@link ExportWriter#finish()} once, and
	 * {@link ExportWriter#close()} in all cases.
	 * @param folder the run's output folder, which exists; write only inside it, under fixed file names
	 * @param run what is known about the run
	 * @param options the job file's {@code export-options.<name>}
	 * @return the writer
	 * @throws IOException when a file cannot be created
	 */
	ExportWriter open(Path folder, RunInfo run, Options options) throws IOException;

}
