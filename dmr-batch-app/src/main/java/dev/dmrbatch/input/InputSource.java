package dev.dmrbatch.input;

import java.nio.file.Path;

import dev.dmrbatch.plugin.api.Options;

/**
 * Where a run's items come from.
 *
 * @param format the format that reads it, built in or a plugin's ({@link InputFormats})
 * @param path the file, or the folder for a format that reads folders
 * @param idField the field that identifies an item, or {@code null} for the record number (file name for text)
 * @param display how to name the input in messages
 * @param options the job file's {@code input.options}, for a format that takes them
 */
public record InputSource(InputFormatKind format, Path path, String idField, String display, Options options) {

	public InputSource(InputFormatKind format, Path path, String idField, String display) {
		this(format, path, idField, display, Options.none());
	}

}
