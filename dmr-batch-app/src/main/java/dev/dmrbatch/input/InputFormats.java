package dev.dmrbatch.input;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import dev.dmrbatch.plugin.Kind;
import dev.dmrbatch.plugin.KindRegistry;
import dev.dmrbatch.plugin.Plugins;
import dev.dmrbatch.plugin.api.InputFormat;

import org.springframework.stereotype.Component;

/**
 * The input formats, by name: the built-in ones (every {@link InputFormatKind} bean, in their {@code @Order}), then
 * those of plugins, adapted as they are asked for. The plugins are loaded only when a name is not built in.
 */
@Component
public class InputFormats {

	private final KindRegistry<InputFormatKind, InputFormat> kinds;

	public InputFormats(List<InputFormatKind> builtIn, Plugins plugins) {
		this.kinds = new KindRegistry<>(builtIn, () -> plugins.loaded().inputFormats(),
				(provided) -> new PluginInputFormat(provided.extension().name(), provided));
	}

	/** The format of that name, built in or a plugin's (the plugins loaded only then), or {@code null}. */
	public InputFormatKind find(String name) {
		return this.kinds.get(name);
	}

	/** Whether dmr-batch itself reads this format. */
	public boolean isBuiltIn(String name) {
		return this.kinds.builtIn().stream().anyMatch((format) -> format.name().equals(name));
	}

	/** The built-in formats, in order. */
	public List<InputFormatKind> builtIn() {
		return List.copyOf(this.kinds.builtIn());
	}

	/** Every format's name: the built-in ones in order, then the plugins' sorted (the plugins loaded). */
	public List<String> names() {
		return this.kinds.all().stream().map(InputFormatKind::name).toList();
	}

	/**
	 * The built-in format an input brings by itself, or {@code null}: the one whose file name ending it has, or the
	 * one that reads folders when it is a folder.
	 * @param path the input as it was given
	 * @param resolved where it is
	 */
	public InputFormatKind guess(String path, Path resolved) {
		String lower = path.toLowerCase(Locale.ROOT);
		for (InputFormatKind format : this.kinds.builtIn()) {
			if (format.extensions().stream().anyMatch(lower::endsWith)) {
				return format;
			}
		}
		if (Files.isDirectory(resolved)) {
			return this.kinds.builtIn().stream().filter(InputFormatKind::readsFolders).findFirst().orElse(null);
		}
		return null;
	}

	/** The built-in formats' names as a sentence lists them: {@code csv, jsonl, json or text}. */
	public String builtInChoice() {
		return Kind.sentence(builtIn().stream().map(InputFormatKind::name).toList(), "or");
	}

}
