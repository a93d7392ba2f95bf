package dev.dmrbatch.input;

import java.nio.file.Path;

/**
 * Where a run's items come from.
 *
 * @param format {@code csv}, {@code jsonl}, {@code json} or {@code text}, or the name of a plugin's format
 * @param path the file, or the folder for {@code text}
 * @param idField the field that identifies an item, or {@code null} for the record number (file name for text)
 * @param display how to name the input in messages
 * @param plugin the plugin's input format that reads it, or {@code null} for a built-in format
 */
public record InputSource(String format, Path path, String idField, String display, PluginInput plugin) {

	public InputSource(String format, Path path, String idField, String display) {
		this(format, path, idField, display, null);
	}

}
