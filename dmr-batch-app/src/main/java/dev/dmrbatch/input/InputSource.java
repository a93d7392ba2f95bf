package dev.dmrbatch.input;

import java.nio.file.Path;
import java.util.List;

import dev.dmrbatch.plugin.api.Options;

/**
 * Where a run's items come from.
 *
 * @param format the format that reads it, built in or a plugin's ({@link InputFormats})
 * @param path the file, or the folder for a format that reads folders
 * @param idField the field that identifies an item, or {@code null} for the record number (file name for text)
 * @param display how to name the input in messages
 * @param options the job file's {@code input.options}, for a format that takes them
 * @param trial the part of it a trial run takes ({@code limit=}, {@code sample=}), or {@code null} for all of it
 * @param imageFields the steps' {@code images:}: for a file input, the fields that name image files, relative to the
 * input file's folder, which each item brings ({@link InputItem#images()}); for a PDF, {@code page} has its pages
 * without a text layer brought as images ({@link PdfFile})
 */
public record InputSource(InputFormatKind format, Path path, String idField, String display, Options options,
		TrialSelection trial, List<String> imageFields) {

	public InputSource {
		imageFields = (imageFields != null) ? List.copyOf(imageFields) : List.of();
	}

	public InputSource(InputFormatKind format, Path path, String idField, String display, Options options,
			TrialSelection trial) {
		this(format, path, idField, display, options, trial, List.of());
	}

	public InputSource(InputFormatKind format, Path path, String idField, String display, Options options) {
		this(format, path, idField, display, options, null);
	}

	public InputSource(InputFormatKind format, Path path, String idField, String display) {
		this(format, path, idField, display, Options.none());
	}

}
