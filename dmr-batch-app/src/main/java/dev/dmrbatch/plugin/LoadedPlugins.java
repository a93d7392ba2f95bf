package dev.dmrbatch.plugin;

import java.util.List;
import java.util.Map;

import dev.dmrbatch.plugin.api.CheckType;
import dev.dmrbatch.plugin.api.Export;
import dev.dmrbatch.plugin.api.InputFormat;
import dev.dmrbatch.plugin.api.StepType;

/**
 * What the plugins of a working folder provide, by name, each with its jar.
 *
 * @param jars the plugin jars, in the order they were loaded
 */
public record LoadedPlugins(List<PluginJar> jars, Map<String, Provided<InputFormat>> inputFormats,
		Map<String, Provided<Export>> exports, Map<String, Provided<CheckType>> checkTypes,
		Map<String, Provided<StepType>> stepTypes) {

	/** No plugins: the working folder has none. */
	public static final LoadedPlugins NONE = new LoadedPlugins(List.of(), Map.of(), Map.of(), Map.of(), Map.of());

	public boolean isEmpty() {
		return this.jars.isEmpty();
	}

	/** The input format of that name, or {@code null}. */
	public Provided<InputFormat> inputFormat(String name) {
		return this.inputFormats.get(name);
	}

	/** The export of that name, or {@code null}. */
	public Provided<Export> export(String name) {
		return this.exports.get(name);
	}

	/** The check type of that name, or {@code null}. */
	public Provided<CheckType> checkType(String name) {
		return this.checkTypes.get(name);
	}

	/** The step type of that name, or {@code null}. */
	public Provided<StepType> stepType(String name) {
		return this.stepTypes.get(name);
	}

}
