package dev.dmrbatch.plugin;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The kinds of one sort, by name: the built-in ones, in their order, and the plugins', each adapted to the same
 * interface. The plugins are asked for only when a name is not built in, or for the whole list.
 *
 * @param <K> what the built-in ones implement, such as {@code step.StepKind}
 * @param <P> the plugin API's interface for the same sort, such as {@link dev.dmrbatch.plugin.api.StepType}
 */
public final class KindRegistry<K extends Kind, P> {

	private final Map<String, K> builtIn = new LinkedHashMap<>();

	private final Supplier<Map<String, Provided<P>>> plugins;

	private final Function<Provided<P>, K> adapter;

	/**
	 * @param builtIn the built-in ones, in the order they are listed
	 * @param plugins what the plugins provide by name (loading them the first time)
	 * @param adapter a plugin's made one of the kind
	 */
	public KindRegistry(List<? extends K> builtIn, Supplier<Map<String, Provided<P>>> plugins,
			Function<Provided<P>, K> adapter) {
		builtIn.forEach((kind) -> this.builtIn.put(kind.name(), kind));
		this.plugins = plugins;
		this.adapter = adapter;
	}

	/**
	 * The kind of that name: the built-in one, else a plugin's (which loads the plugins), else {@code null}.
	 * @throws PluginLoadException naming a plugin jar that cannot be used
	 */
	public K get(String name) {
		K kind = this.builtIn.get(name);
		if (kind != null) {
			return kind;
		}
		Provided<P> plugin = this.plugins.get().get(name);
		return (plugin != null) ? this.adapter.apply(plugin) : null;
	}

	/** The built-in ones, in their order. */
	public Collection<K> builtIn() {
		return Collections.unmodifiableCollection(this.builtIn.values());
	}

	/**
	 * Every one: the built-in ones in their order, then the plugins' by name (which loads them).
	 * @throws PluginLoadException naming a plugin jar that cannot be used
	 */
	public List<K> all() {
		List<K> all = new ArrayList<>(this.builtIn.values());
		this.plugins.get()
			.entrySet()
			.stream()
			.sorted(Map.Entry.comparingByKey())
			.forEach((plugin) -> all.add(this.adapter.apply(plugin.getValue())));
		return all;
	}

	/**
	 * Each one's name and what {@code describe} tells of it, in the order of {@link #builtIn()} or, when
	 * {@code withPlugins}, of {@link #all()}.
	 */
	public <T> Map<String, T> describe(boolean withPlugins, Function<K, T> describe) {
		Map<String, T> described = new LinkedHashMap<>();
		(withPlugins ? all() : builtIn()).forEach((kind) -> described.put(kind.name(), describe.apply(kind)));
		return described;
	}

}
