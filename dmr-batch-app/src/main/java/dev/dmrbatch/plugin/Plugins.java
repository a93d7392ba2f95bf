package dev.dmrbatch.plugin;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.plugin.api.CheckType;
import dev.dmrbatch.plugin.api.Export;
import dev.dmrbatch.plugin.api.InputFormat;
import dev.dmrbatch.plugin.api.Plugin;
import dev.dmrbatch.plugin.api.StepType;
import dev.dmrbatch.text.SafeText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The plugin jars of the working folder's {@code plugins/} and of the folders in {@code dmr.plugins.path}, loaded the
 * first time something asks for them (a job file naming a format that is not built in, {@code job=plugins}), never
 * when there are none. Each jar gets a class loader of its own whose parent shows only the plugin API
 * ({@link ApiOnlyClassLoader}); its {@link Plugin}s are found with {@link ServiceLoader}. A jar that cannot be loaded,
 * a plugin that throws while starting and a name already taken stop dmr-batch with one sentence naming the jar(s).
 */
@Component
public class Plugins implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(Plugins.class);

	static final String SERVICE = "META-INF/services/" + Plugin.class.getName();

	/** A name a plugin gives what it provides. */
	public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");

	/** How {@link ServiceLoader} says that a class the services file names is not there. */
	private static final Pattern MISSING = Pattern.compile("Provider (\\S+) not found");

	private static final String BUILT_IN = "dmr-batch itself";

	private final DmrProperties properties;

	private final List<URLClassLoader> loaders = new ArrayList<>();

	/** The built-in kinds, whose names no plugin may take. */
	private final List<Kind> builtIn;

	private LoadedPlugins loaded;

	public Plugins(DmrProperties properties, List<Kind> builtIn) {
		this.properties = properties;
		this.builtIn = List.copyOf(builtIn);
	}

	/**
	 * The plugins, loaded on the first call.
	 * @throws PluginLoadException naming the jar that cannot be used
	 */
	public synchronized LoadedPlugins loaded() {
		if (this.loaded == null) {
			this.loaded = load();
		}
		return this.loaded;
	}

	/**
	 * Calls a plugin, turning what it throws into one sentence: a {@link dev.dmrbatch.plugin.api.PluginException}'s
	 * message as it is, anything else named by its class.
	 * @param what what was asked of it, such as {@code "input format xlsx (plugins/x.jar)"}
	 */
	public static String describe(String what, Throwable ex) {
		if (ex instanceof dev.dmrbatch.plugin.api.PluginException) {
			return what + ": " + SafeText.excerpt(SafeText.firstLine(String.valueOf(ex.getMessage())), 300);
		}
		return what + " failed: " + problem(ex);
	}

	/** A check asked of a plugin, which gives nothing back: of its options, or of an input before a run. */
	@FunctionalInterface
	public interface Check {

		void run() throws Exception;

	}

	/**
	 * Asks a plugin to check something: {@code null} when it did not throw, else what it threw in one sentence
	 * ({@link #describe}); the JVM's own failures go through ({@link #rethrowFatal}).
	 * @param what what was asked of it, such as {@code "options (check type x from plugins/x.jar)"}
	 */
	public static String problemOf(String what, Check check) {
		try {
			check.run();
			return null;
		}
		catch (Throwable ex) {
			rethrowFatal(ex);
			return describe(what, ex);
		}
	}

	/**
	 * Lets the JVM's own failures through (an {@link OutOfMemoryError}, an {@link InternalError}): everything else a
	 * plugin throws, a {@link StackOverflowError} or an {@link AssertionError} included, is the plugin's failure and
	 * fails only what it was asked to do.
	 */
	public static void rethrowFatal(Throwable ex) {
		if (ex instanceof VirtualMachineError fatal && !(ex instanceof StackOverflowError)) {
			throw fatal;
		}
	}

	private LoadedPlugins load() {
		Path home = this.properties.home();
		List<Path> jars = new ArrayList<>();
		List<Path> folders = this.properties.plugins().folders(home);
		for (int i = 0; i < folders.size(); i++) {
			Path folder = folders.get(i);
			if (!Files.isDirectory(folder)) {
				if (i > 0) {
					throw new PluginLoadException("dmr.plugins.path: folder " + display(folder) + " does not exist");
				}
				continue;
			}
			trusted(folder, "plugin folder");
			try (Stream<Path> files = Files.list(folder)) {
				files.filter((file) -> file.getFileName().toString().endsWith(".jar")).sorted().forEach(jars::add);
			}
			catch (IOException ex) {
				throw new PluginLoadException("plugin folder " + display(folder) + " cannot be read: "
						+ SafeText.firstLine(ex.getMessage()));
			}
		}
		if (jars.isEmpty()) {
			return LoadedPlugins.NONE;
		}
		Registry registry = new Registry(this.builtIn);
		ClassLoader parent = new ApiOnlyClassLoader(Plugin.class.getClassLoader());
		jars.forEach((jar) -> trusted(jar, "plugin jar"));
		for (Path jar : jars) {
			registry.add(display(jar), start(jar, display(jar), parent));
		}
		LoadedPlugins plugins = registry.build();
		for (PluginJar jar : plugins.jars()) {
			log.debug("plugin {} {} from {}", jar.name(), jar.version(), jar.jar());
		}
		return plugins;
	}

	/** The jar's plugins, created and asked what they provide. */
	private List<Started> start(Path jar, String name, ClassLoader parent) {
		try (JarFile file = new JarFile(jar.toFile())) {
			if (file.getEntry(SERVICE) == null) {
				throw new PluginLoadException("plugin jar " + name + " has no " + SERVICE
						+ ": it must name its plugin class there");
			}
		}
		catch (IOException ex) {
			throw new PluginLoadException("plugin jar " + name + " cannot be read as a jar ("
					+ SafeText.firstLine(String.valueOf(ex.getMessage())) + ")");
		}
		URLClassLoader loader;
		try {
			loader = new URLClassLoader("plugin " + jar.getFileName(), new URL[] { jar.toUri().toURL() }, parent);
		}
		catch (MalformedURLException ex) {
			throw new PluginLoadException("plugin jar " + name + " cannot be loaded: " + ex.getMessage());
		}
		this.loaders.add(loader);
		List<Started> started = new ArrayList<>();
		try {
			// as it starts too, a plugin sees its own jar and the JDK through the context class loader
			PluginContext.call(loader, () -> {
				Iterator<Plugin> plugins = ServiceLoader.load(Plugin.class, loader).iterator();
				while (plugins.hasNext()) {
					Plugin plugin = plugins.next();
					started.add(new Started(plugin, plugin.name(), plugin.version(),
							List.copyOf(plugin.inputFormats()), List.copyOf(plugin.exports()),
							List.copyOf(plugin.checkTypes()), List.copyOf(plugin.stepTypes()), loader));
				}
				return null;
			});
		}
		catch (ServiceConfigurationError ex) {
			java.util.regex.Matcher missing = MISSING.matcher(String.valueOf(ex.getMessage()));
			if (ex.getCause() == null && missing.find()) {
				throw new PluginLoadException("plugin jar " + name + " names the plugin class "
						+ SafeText.excerpt(missing.group(1), 100) + " in " + SERVICE + ", which is not in the jar");
			}
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			// its constructor threw: the plugin's own failure as it starts, not the jar's
			boolean threw = String.valueOf(ex.getMessage()).endsWith("could not be instantiated")
					&& !(cause instanceof LinkageError);
			throw new PluginLoadException("plugin jar " + name + (threw ? " failed to start: " : " cannot be loaded: ")
					+ problem(cause));
		}
		catch (Throwable ex) {
			Plugins.rethrowFatal(ex);
			throw new PluginLoadException("plugin jar " + name + " failed to start: " + problem(ex));
		}
		if (started.isEmpty()) {
			throw new PluginLoadException("plugin jar " + name + " provides no plugin: " + SERVICE + " names none");
		}
		return started;
	}

	/**
	 * A plugin is code that runs as the user who runs dmr-batch: a folder or jar that another user could have written
	 * (one owned by someone else than this user or root, or writable by its group or by others) is refused, as ssh
	 * refuses such a key file. Where the file system has no POSIX permissions, nothing is checked.
	 */
	private void trusted(Path path, String what) {
		PosixFileAttributes attributes;
		try {
			attributes = Files.readAttributes(path, PosixFileAttributes.class);
		}
		catch (UnsupportedOperationException ex) {
			return;
		}
		catch (IOException ex) {
			throw new PluginLoadException(what + " " + display(path) + " cannot be read: "
					+ SafeText.firstLine(ex.getMessage()));
		}
		String owner = attributes.owner().getName();
		String me = System.getProperty("user.name");
		if (!owner.equals(me) && !owner.equals("root")) {
			throw new PluginLoadException(what + " " + display(path) + " belongs to user " + SafeText.excerpt(owner, 40)
					+ ", not to " + SafeText.excerpt(me, 40) + ": a plugin runs as you, so dmr-batch loads only plugins "
					+ "that you or root own");
		}
		Set<PosixFilePermission> permissions = attributes.permissions();
		if (permissions.contains(PosixFilePermission.GROUP_WRITE)
				|| permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
			throw new PluginLoadException(what + " " + display(path) + " can be written by other users ("
					+ PosixFilePermissions.toString(permissions) + "): a plugin runs as you, so dmr-batch loads only "
					+ "plugins no one else can change (chmod go-w " + display(path) + ")");
		}
	}

	private static String problem(Throwable ex) {
		if (ex instanceof NoClassDefFoundError || ex instanceof ClassNotFoundException) {
			return "class " + SafeText.firstLine(String.valueOf(ex.getMessage())).replace('/', '.')
					+ " is missing (a plugin sees only the JDK and dev.dmrbatch.plugin.api: put its libraries in its jar)";
		}
		String message = (ex.getMessage() != null) ? SafeText.excerpt(SafeText.firstLine(ex.getMessage()), 200) : "";
		return ex.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
	}

	private String display(Path path) {
		// a file name may hold any character: messages and job=plugins show it escaped, on one line
		return SafeText.excerpt(this.properties.relative(path).toString(), 300);
	}

	@Override
	public void destroy() {
		for (URLClassLoader loader : this.loaders) {
			try {
				loader.close();
			}
			catch (IOException ex) {
				log.debug("closing a plugin's class loader failed: {}", ex.getMessage());
			}
		}
	}

	private record Started(Plugin plugin, String name, String version, List<InputFormat> inputFormats,
			List<Export> exports, List<CheckType> checkTypes, List<StepType> stepTypes, ClassLoader loader) {
	}

	/** The names taken so far, built-in ones first, and by which jar. */
	private static final class Registry {

		private final List<PluginJar> jars = new ArrayList<>();

		private final Map<String, Provided<InputFormat>> inputFormats = new LinkedHashMap<>();

		private final Map<String, Provided<Export>> exports = new LinkedHashMap<>();

		private final Map<String, Provided<CheckType>> checkTypes = new LinkedHashMap<>();

		private final Map<String, Provided<StepType>> stepTypes = new LinkedHashMap<>();

		private final List<Kind> builtIn;

		Registry(List<Kind> builtIn) {
			this.builtIn = builtIn;
		}

		/** The names of the built-in kinds of that API. */
		private List<String> builtIn(Class<?> api) {
			return this.builtIn.stream().filter((kind) -> kind.api() == api).map(Kind::name).toList();
		}

		void add(String jar, List<Started> plugins) {
			for (Started plugin : plugins) {
				ClassLoader loader = plugin.loader();
				List<String> inputs = register(jar, "input format", InputFormat.class, plugin.inputFormats(), loader,
						InputFormat::name, this.inputFormats, builtIn(InputFormat.class));
				List<String> exports = register(jar, "export", Export.class, plugin.exports(), loader, Export::name,
						this.exports, builtIn(Export.class));
				List<String> checks = register(jar, "check type", CheckType.class, plugin.checkTypes(), loader,
						CheckType::name, this.checkTypes, builtIn(CheckType.class));
				List<String> steps = register(jar, "step type", StepType.class, plugin.stepTypes(), loader,
						StepType::name, this.stepTypes, builtIn(StepType.class));
				// name and version as the plugin gives them, escaped: job=plugins prints them on one line
				this.jars.add(new PluginJar(jar, SafeText.excerpt(String.valueOf(plugin.name()), 80),
						SafeText.excerpt(String.valueOf(plugin.version()), 40), inputs, exports, checks, steps));
			}
		}

		private static <T> List<String> register(String jar, String kind, Class<T> api, List<T> extensions,
				ClassLoader loader, Function<T, String> naming, Map<String, Provided<T>> taken,
				Collection<String> builtIn) {
			List<String> names = new ArrayList<>();
			for (T given : extensions) {
				T extension = PluginContext.wrap(api, given, loader);
				String name;
				try {
					name = naming.apply(extension);
				}
				catch (Throwable ex) {
					Plugins.rethrowFatal(ex);
					throw new PluginLoadException("plugin jar " + jar + " failed to start: " + problem(ex));
				}
				if (name == null || !NAME.matcher(name).matches()) {
					throw new PluginLoadException("plugin jar " + jar + " names its " + kind + " '"
							+ SafeText.excerpt(String.valueOf(name), 40)
							+ "': a name is letters, digits, '-' and '_'");
				}
				if (builtIn.contains(name)) {
					throw new PluginLoadException("plugin jar " + jar + " provides the " + kind + " '" + name
							+ "', which " + BUILT_IN + " provides: a plugin cannot replace a built-in " + kind);
				}
				Provided<T> earlier = taken.get(name);
				if (earlier != null) {
					throw new PluginLoadException("plugin jars " + earlier.jar() + " and " + jar + " both provide the "
							+ kind + " '" + name + "': remove one of them");
				}
				taken.put(name, new Provided<>(extension, jar));
				names.add(name);
			}
			return names;
		}

		LoadedPlugins build() {
			return new LoadedPlugins(List.copyOf(this.jars), Map.copyOf(this.inputFormats), Map.copyOf(this.exports),
					Map.copyOf(this.checkTypes), Map.copyOf(this.stepTypes));
		}

	}

}
