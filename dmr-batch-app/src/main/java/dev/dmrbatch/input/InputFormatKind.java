package dev.dmrbatch.input;

import java.util.List;
import java.util.Map;

import dev.dmrbatch.plugin.Kind;
import dev.dmrbatch.plugin.api.InputFormat;

import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * An input format, {@code input.format} of a job file: its name, the file names that bring it when none is given, its
 * options, its checks and its reader. A built-in format is one {@code @Component} class implementing this (its
 * {@code @Order} places it in the lists messages show); {@link InputFormats} finds it, and adapts a plugin's
 * {@link InputFormat} into the same shape ({@link PluginInputFormat}).
 */
public interface InputFormatKind extends Kind {

	@Override
	default Class<?> api() {
		return InputFormat.class;
	}

	/**
	 * The endings of the file names that bring this format when {@code input.format} is not given, or when
	 * {@code input=} names such a file: lower case, with their dot ({@code .csv}).
	 */
	default List<String> extensions() {
		return List.of();
	}

	/** Whether a folder given as the input brings this format. */
	default boolean readsFolders() {
		return false;
	}

	/**
	 * The JSON Schema of its {@code input.options} in a job file, or {@code null} when it takes none: then a job file
	 * that gives options for it is refused.
	 */
	default Map<String, Object> optionsSchema() {
		return null;
	}

	/**
	 * Checks that the input exists and has the shape this format needs, before a run starts.
	 * @throws InputException naming the input and the problem
	 */
	void check(InputSource source);

	/**
	 * A restartable reader of the input's records, in order, not yet numbered ({@link InputReaders#reader} numbers
	 * them and gives each its id).
	 */
	ItemStreamReader<InputItem> open(InputSource source);

	/** What one record is called in messages: {@code line}, {@code element}, {@code file}, {@code record}. */
	default String unit() {
		return "record";
	}

}
