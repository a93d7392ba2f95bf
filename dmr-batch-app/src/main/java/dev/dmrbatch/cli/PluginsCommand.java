package dev.dmrbatch.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.dmrbatch.plugin.LoadedPlugins;
import dev.dmrbatch.plugin.PluginJar;
import dev.dmrbatch.plugin.Plugins;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code plugins}: the plugin jars of the working folder's {@code plugins/} and of {@code dmr.plugins.path}, each with
 * its plugin's name, version and what it provides. Loading them is the check: a jar that cannot be used is named
 * (exit 2).
 */
@Component
@Order(95)
class PluginsCommand implements Command {

	private final Plugins plugins;

	PluginsCommand(Plugins plugins) {
		this.plugins = plugins;
	}

	@Override
	public String name() {
		return "plugins";
	}

	@Override
	public String usage() {
		return "job=plugins";
	}

	@Override
	public boolean usesStore() {
		return false;
	}

	@Override
	public Set<String> arguments() {
		return Set.of();
	}

	@Override
	public int run(Arguments arguments) {
		LoadedPlugins loaded = this.plugins.loaded();
		if (loaded.isEmpty()) {
			Console.out("no plugins: put plugin jars in plugins/ of the working folder, or name folders of them in "
					+ "dmr.plugins.path");
			return 0;
		}
		for (PluginJar jar : loaded.jars()) {
			Console.out(jar.jar() + "  " + jar.name() + " " + jar.version() + "  " + provides(jar));
		}
		return 0;
	}

	private static String provides(PluginJar jar) {
		List<String> parts = new ArrayList<>();
		add(parts, "input formats", jar.inputFormats());
		add(parts, "exports", jar.exports());
		add(parts, "check types", jar.checkTypes());
		add(parts, "step types", jar.stepTypes());
		return parts.isEmpty() ? "provides nothing" : String.join("; ", parts);
	}

	private static void add(List<String> parts, String kind, List<String> names) {
		if (!names.isEmpty()) {
			parts.add(kind + ": " + String.join(", ", names));
		}
	}

}
