package dev.dmrbatch.plugin;

import java.util.List;

/**
 * A loaded plugin jar, as {@code job=plugins} lists it.
 *
 * @param jar the jar, as messages name it
 * @param name the plugin's name
 * @param version the plugin's version
 * @param inputFormats the input formats it adds
 * @param exports the exports it adds
 * @param checkTypes the check types it adds
 * @param stepTypes the step types it adds
 */
public record PluginJar(String jar, String name, String version, List<String> inputFormats, List<String> exports,
		List<String> checkTypes, List<String> stepTypes) {
}
