package dev.dmrbatch.plugin;

/** A plugin jar that cannot be used: one sentence naming the jar (and the other jar of a name clash); exit 2. */
public class PluginLoadException extends RuntimeException {

	public PluginLoadException(String message) {
		super(message);
	}

}
