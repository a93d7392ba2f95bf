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
 * The extensions of one sort, by name: dmr-batch's own, in their order, and the plugins', each adapted to the same
 * interface. The plugins are asked for only when a name is not built in, or for the whole list.
 *
 * @param <E> what dmr-batch's own implement, such as {@code step.StepKind}
 * @param <P> the plugin API's interface for the same sort, such as {@link dev.dmrbatch.plugin.api.StepType}
 */
public final class Extensions<E extends Extension, P> {

	private final Map<String, E> builtIn = new LinkedHashMap<>();

	private final Supplier<Map<String, Provided<P>>> plugins;

	private final Function<Provided<P>, E> adapter;

	/**
	 * @param builtIn dmr-batch's own, in the order they are listed
	 * @param plugins what the plugins provide by name (loading them the first time)
	 * @param adapter a plugin's extension made one of dmr-batch's
	 */
	public Extensions(List<? extends E> builtIn, Supplier<Map<String, Provided<P>>> plugins,
			Function<Provided<P>, E> adapter) {
		builtIn.forEach((extension) -> this.builtIn.put(extension.name(), extension));
		this.plugins = plugins;
		this.adapter = adapter;
	}

	/**
	 * The extension of that name: dmr-batch's own, else a plugin's (which loads the plugins), else {@code null}.
	 * @throws PluginLoadException naming a plugin jar that cannot be used
	 */
	public E get(String name) {
		E extension = this.builtIn.get(name);
		if (extension != null) {
			return extension;
		}
		Provided<P> plugin = this.plugins.get().get(name);
		return (plugin != null) ? this.adapter.apply(plugin) : null;
	}

	/** dmr-batch's own, in their order. */
	public Collection<E> builtIn() {
		return Collections.unmodifiableCollection(this.builtIn.values());
	}

	/**
	 * Every one: dmr-batch's own in their order, then the plugins' by name (which loads them).
	 * @throws PluginLoadException naming a plugin jar that cannot be used
	 */
	public List<E> all() {
		List<E> all = new ArrayList<>(this.builtIn.values());
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
	public <T> Map<String, T> describe(boolean withPlugins, Function<E, T> describe) {
		Map<String, T> described = new LinkedHashMap<>();
		(withPlugins ? all() : builtIn()).forEach((extension) -> described.put(extension.name(),
				describe.apply(extension)));
		return described;
	}

}
