package dev.dmrbatch.plugin;

/**
 * Something a job file names that plugins can add to, such as a step type or a check type. dmr-batch's own are beans,
 * and no plugin may provide one of the same sort under the same name ({@link Plugins} refuses its jar).
 */
public interface Extension {

	/** The name a job file gives it, such as {@code embed}. */
	String name();

	/**
	 * The plugin API's interface for extensions of this sort, such as {@link dev.dmrbatch.plugin.api.StepType}: a
	 * plugin's extension of that interface may not take this one's name.
	 */
	Class<?> api();

}
