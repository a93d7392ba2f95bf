package dev.dmrbatch.export;

import java.util.List;
import java.util.Locale;

import dev.dmrbatch.plugin.Kind;
import dev.dmrbatch.plugin.KindRegistry;
import dev.dmrbatch.plugin.Plugins;
import dev.dmrbatch.plugin.api.Export;

import org.springframework.stereotype.Component;

/**
 * The exports, by name: the built-in ones (every {@link ExportKind} bean, in their {@code @Order}), then those of
 * plugins, adapted as they are asked for. The plugins are loaded only when a name is not built in.
 */
@Component
public class ExportFormats {

	private final KindRegistry<ExportKind, Export> kinds;

	public ExportFormats(List<ExportKind> builtIn, Plugins plugins) {
		this.kinds = new KindRegistry<>(builtIn, () -> plugins.loaded().exports(),
				(provided) -> new PluginExportKind(provided.extension().name(), provided));
	}

	/** The export of that name, built in or a plugin's (the plugins loaded only then), or {@code null}. */
	public ExportKind find(String name) {
		return this.kinds.get(name);
	}

	/** The built-in export of that name, or {@code null}: the plugins are not loaded. */
	public ExportKind builtIn(String name) {
		return this.kinds.builtIn().stream().filter((kind) -> kind.name().equals(name)).findFirst().orElse(null);
	}

	/** The built-in exports, in order. */
	public List<ExportKind> builtIn() {
		return List.copyOf(this.kinds.builtIn());
	}

	/** Every export's name: the built-in ones in order, then the plugins' sorted (the plugins loaded). */
	public List<String> names() {
		return this.kinds.all().stream().map(ExportKind::name).toList();
	}

	/** The built-in exports any run can be exported to ({@link ExportKind#everyRun()}), in order. */
	public List<ExportKind> everyRun() {
		return this.kinds.builtIn().stream().filter(ExportKind::everyRun).toList();
	}

	/** The built-in export for any run whose name or other name ({@link ExportKind#aliases()}) this is, or {@code null}. */
	public ExportKind byNameOrAlias(String word) {
		String name = word.toLowerCase(Locale.ROOT);
		return everyRun().stream()
			.filter((kind) -> kind.name().equals(name) || kind.aliases().contains(name))
			.findFirst()
			.orElse(null);
	}

	/**
	 * The built-in exports for any run, each by its first other name if it has one ({@code md} for {@code markdown}),
	 * as a sentence lists them.
	 */
	public String everyRunChoice() {
		return Kind.sentence(everyRun().stream()
			.map((kind) -> kind.aliases().isEmpty() ? kind.name() : kind.aliases().get(0))
			.toList(), "or");
	}

	/** The built-in exports written with a layout, which a job file's {@code layouts:} may replace. */
	public List<ExportKind> withLayouts() {
		return this.kinds.builtIn().stream().filter((kind) -> kind.layout() != null).toList();
	}

}
