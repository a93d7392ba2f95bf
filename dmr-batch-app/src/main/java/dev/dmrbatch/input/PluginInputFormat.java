package dev.dmrbatch.input;

import java.nio.file.Files;
import java.util.Map;

import dev.dmrbatch.plugin.Plugins;
import dev.dmrbatch.plugin.Provided;
import dev.dmrbatch.plugin.api.InputFormat;

import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * An input format a plugin provides, adapted into the registry of input formats: its reader is a
 * {@link PluginItemReader}, its options the job file's {@code input.options}, whatever the plugin makes of them.
 */
final class PluginInputFormat implements InputFormatKind {

	private final Provided<InputFormat> provided;

	private final String name;

	PluginInputFormat(String name, Provided<InputFormat> provided) {
		this.name = name;
		this.provided = provided;
	}

	@Override
	public String name() {
		return this.name;
	}

	/** Any options: the plugin checks them as the run starts ({@link InputFormat#check}). */
	@Override
	public Map<String, Object> optionsSchema() {
		return Map.of("type", "object");
	}

	/** The plugin's format. */
	InputFormat format() {
		return this.provided.extension();
	}

	/** How messages name it: {@code input format <name> (<jar>)}. */
	String describe() {
		return "input format " + this.name + " (" + this.provided.jar() + ")";
	}

	@Override
	public void check(InputSource source) {
		if (!Files.exists(source.path())) {
			throw new InputException("input " + source.display() + " does not exist");
		}
		String problem = Plugins.problemOf(describe() + " checking " + source.display(),
				() -> format().check(source.path(), source.options()));
		if (problem != null) {
			throw new InputException(problem);
		}
	}

	@Override
	public ItemStreamReader<InputItem> open(InputSource source) {
		return new PluginItemReader(source, this);
	}

}
