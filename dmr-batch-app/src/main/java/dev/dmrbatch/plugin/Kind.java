package dev.dmrbatch.plugin;

/**
 * One of the things a job file names and a plugin may provide too: a step type, a check type. Each built-in one is a
 * bean of its own (a new one is one class), found by its kind's registry; a plugin's is adapted into the same registry
 * when a job file names it. No plugin may take the name of a built-in bean of the same kind.
 */
public interface Kind {

	/** The name a job file gives it, unique in its kind. */
	String name();

	/** The plugin API's interface of this kind ({@code StepType}, {@code CheckType}): whose names it takes. */
	Class<?> api();

}
