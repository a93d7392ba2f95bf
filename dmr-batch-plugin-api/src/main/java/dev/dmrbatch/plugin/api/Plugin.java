package dev.dmrbatch.plugin.api;

import java.util.List;

/**
 * The entry point of a plugin jar, found with {@link java.util.ServiceLoader}: name the implementing class in
 * {@code META-INF/services/dev.dmrbatch.plugin.api.Plugin}. It needs a public constructor without arguments.
 * <p>
 * dmr-batch creates it once per run, when the working folder has plugins, and asks it what it provides. A plugin that
 * throws there stops dmr-batch before anything is sent, with a message naming its jar. Every name a plugin provides
 * (input format, export, check type, step type) must be unique among the built-in ones and other plugins'.
 */
public interface Plugin {

	/**
	 * The plugin's name, as {@code job=plugins} lists it.
	 * @return a short name, such as {@code xlsx}
	 */
	String name();

	/**
	 * The plugin's version, as {@code job=plugins} lists it.
	 * @return a version, such as {@code 1.0.0}
	 */
	String version();

	/**
	 * The input formats this plugin adds ({@code input.format: <name>} in a job file).
	 * @return the formats, none by default
	 */
	default List<InputFormat> inputFormats() {
		return List.of();
	}

	/**
	 * The exports this plugin adds ({@code export: [<name>]} in a job file, {@code export=<name>} for
	 * {@code job=export}).
	 * @return the exports, none by default
	 */
	default List<Export> exports() {
		return List.of();
	}

	/**
	 * The check types this plugin adds ({@code checks: [{name: ..., type: <name>, options: {...}}]} on a step).
	 * @return the check types, none by default
	 */
	default List<CheckType> checkTypes() {
		return List.of();
	}

	/**
	 * The step types this plugin adds ({@code type: <name>} on a step, with {@code options:}).
	 * @return the step types, none by default
	 */
	default List<StepType> stepTypes() {
		return List.of();
	}

}
