package dev.dmrbatch.input;

import dev.dmrbatch.plugin.api.InputFormat;
import dev.dmrbatch.plugin.api.Options;

/**
 * An input format a plugin provides, with the job file's options for it.
 *
 * @param format the plugin's format
 * @param jar the plugin's jar, as messages name it
 * @param options the job file's {@code input.options}
 */
public record PluginInput(InputFormat format, String jar, Options options) {

	/** How messages name it: {@code input format <name> (<jar>)}. */
	String describe() {
		return "input format " + this.format.name() + " (" + this.jar + ")";
	}

}
