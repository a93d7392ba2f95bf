package dev.dmrbatch.export;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.plugin.Plugins;
import dev.dmrbatch.plugin.Provided;
import dev.dmrbatch.plugin.api.Export;
import dev.dmrbatch.plugin.api.Options;
import dev.dmrbatch.plugin.api.RunInfo;

/**
 * An export a plugin provides, adapted into the registry of exports: its exporter is a {@link PluginExporter}, its
 * options the job file's {@code export-options.<name>}, checked by the plugin.
 */
final class PluginExportKind implements ExportKind {

	private final String name;

	private final Provided<Export> provided;

	PluginExportKind(String name, Provided<Export> provided) {
		this.name = name;
		this.provided = provided;
	}

	@Override
	public String name() {
		return this.name;
	}

	/** Its files are the ones it says it wrote as it finishes. */
	@Override
	public List<String> files() {
		return List.of();
	}

	@Override
	public Map<String, Object> optionsSchema() {
		return Map.of("type", "object");
	}

	@Override
	public String optionsProblem(String key, Map<String, Object> options) {
		return Plugins.problemOf(key + " (export from " + this.provided.jar() + ")",
				() -> this.provided.extension().check(Options.of(options)));
	}

	@Override
	public Exporter open(ExportTarget target) throws IOException {
		var run = target.facts().run();
		return new PluginExporter(this.provided, target.folder(), new RunInfo(run.jobName(),
				(run.label() != null) ? run.label() : String.valueOf(run.id()), run.input(), target.facts().steps()),
				Options.of(target.options().apply(this.name)));
	}

}
