package dev.dmrbatch.plugin;

/**
 * One thing a plugin provides, with the jar it came from, so that every message about it can name the jar.
 *
 * @param extension the input format, export, check type or step type
 * @param jar the jar, as messages name it (relative to the working folder when it is inside)
 */
public record Provided<T>(T extension, String jar) {
}
