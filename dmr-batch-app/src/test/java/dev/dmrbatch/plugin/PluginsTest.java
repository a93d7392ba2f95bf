package dev.dmrbatch.plugin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import dev.dmrbatch.plugin.api.InputFormat;
import dev.dmrbatch.plugin.api.Plugin;
import dev.dmrbatch.plugin.api.Item;
import dev.dmrbatch.plugin.api.Options;
import dev.dmrbatch.plugin.api.StepType;
import dev.dmrbatch.plugin.fixture.BuiltInNamePlugin;
import dev.dmrbatch.plugin.fixture.ContextPlugin;
import dev.dmrbatch.plugin.fixture.FormatNamesPlugin;
import dev.dmrbatch.plugin.fixture.NewlinePlugin;
import dev.dmrbatch.plugin.fixture.SpringPlugin;
import dev.dmrbatch.plugin.fixture.ThrowingPlugin;
import dev.dmrbatch.support.Kinds;
import dev.dmrbatch.support.TestProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Loading plugin jars made here from the test's own classes, each alone in its jar as a plugin author's would be. */
class PluginsTest {

	@TempDir
	Path home;

	private Plugins plugins() {
		return Kinds.plugins(TestProperties.home(this.home));
	}

	@Test
	void aCheckAskedOfAPluginGivesNothingOrWhatItThrewInOneSentenceAndTheJvmsFailuresGoThrough() {
		assertThat(Plugins.problemOf("options (check type x from plugins/x.jar)", () -> {
		})).isNull();
		assertThat(Plugins.problemOf("options (check type x from plugins/x.jar)", () -> {
			throw new dev.dmrbatch.plugin.api.PluginException("min must be a number\nsecond line");
		})).isEqualTo("options (check type x from plugins/x.jar): min must be a number");
		assertThat(Plugins.problemOf("input format x (plugins/x.jar) checking in.x", () -> {
			throw new StackOverflowError();
		})).startsWith("input format x (plugins/x.jar) checking in.x failed: ");
		assertThatExceptionOfType(OutOfMemoryError.class).isThrownBy(() -> Plugins.problemOf("x", () -> {
			throw new OutOfMemoryError("test");
		}));
	}

	@Test
	void noPluginsFolderLoadsNothing() {
		assertThat(plugins().loaded()).isSameAs(LoadedPlugins.NONE);
	}

	@Test
	void aPluginFolderOrJarThatOtherUsersCouldHaveWrittenIsRefused() throws IOException {
		jar("context.jar", ContextPlugin.class, ContextPlugin.Probe.class);
		Path folder = this.home.resolve("plugins");
		Path jar = folder.resolve("context.jar");
		Files.setPosixFilePermissions(folder, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxr-x"));
		assertThatExceptionOfType(PluginLoadException.class).isThrownBy(() -> plugins().loaded())
			.withMessage("plugin folder plugins can be written by other users (rwxrwxr-x): a plugin runs as you, so "
					+ "dmr-batch loads only plugins no one else can change (chmod go-w plugins)");

		Files.setPosixFilePermissions(folder, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
		Files.setPosixFilePermissions(jar, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--rw-"));
		assertThatExceptionOfType(PluginLoadException.class).isThrownBy(() -> plugins().loaded())
			.withMessageStartingWith("plugin jar plugins/context.jar can be written by other users (rw-r--rw-)");

		Files.setPosixFilePermissions(jar, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
		java.nio.file.attribute.UserPrincipal nobody = jar.getFileSystem()
			.getUserPrincipalLookupService()
			.lookupPrincipalByName("nobody");
		Files.setOwner(jar, nobody);
		assertThatExceptionOfType(PluginLoadException.class).isThrownBy(() -> plugins().loaded())
			.withMessage("plugin jar plugins/context.jar belongs to user nobody, not to "
					+ System.getProperty("user.name") + ": a plugin runs as you, so dmr-batch loads only plugins that "
					+ "you or root own");

		Files.setOwner(jar, jar.getFileSystem().getUserPrincipalLookupService()
			.lookupPrincipalByName(System.getProperty("user.name")));
		assertThat(plugins().loaded().jars()).hasSize(1);
	}

	@Test
	void aPluginThatThrowsWhileStartingIsNamedByItsJar() throws IOException {
		jar("throws.jar", ThrowingPlugin.class);

		assertThatExceptionOfType(PluginLoadException.class).isThrownBy(() -> plugins().loaded())
			.withMessage("plugin jar plugins/throws.jar failed to start: IllegalStateException: no licence file in "
					+ "/etc/example");
	}

	@Test
	void aPluginCannotTakeABuiltInName() throws IOException {
		jar("regex.jar", BuiltInNamePlugin.class, BuiltInNamePlugin.Regex.class);

		assertThatExceptionOfType(PluginLoadException.class).isThrownBy(() -> plugins().loaded())
			.withMessage("plugin jar plugins/regex.jar provides the check type 'regex', which dmr-batch itself "
					+ "provides: a plugin cannot replace a built-in check type");
	}

	@Test
	void aPluginCannotTakeTheNameOfABuiltInInputFormatOrExport() throws IOException {
		jar("formats.jar", FormatNamesPlugin.class, FormatNamesPlugin.Tsv.class, FormatNamesPlugin.Pdf.class);

		assertThatExceptionOfType(PluginLoadException.class).isThrownBy(() -> plugins().loaded())
			.withMessage("plugin jar plugins/formats.jar provides the export 'pdf', which dmr-batch itself "
					+ "provides: a plugin cannot replace a built-in export");

		// a new built-in kind is reserved as it is a bean: nothing else names it
		List<Kind> withTsv = new ArrayList<>(Kinds.builtIn(Kind.class));
		withTsv.add(new Kind() {

			@Override
			public String name() {
				return "tsv";
			}

			@Override
			public Class<?> api() {
				return InputFormat.class;
			}

		});
		assertThatExceptionOfType(PluginLoadException.class)
			.isThrownBy(() -> new Plugins(TestProperties.home(this.home), withTsv).loaded())
			.withMessage("plugin jar plugins/formats.jar provides the input format 'tsv', which dmr-batch itself "
					+ "provides: a plugin cannot replace a built-in input format");
	}

	@Test
	void aPluginThatUsesSpringDoesNotFindItAndIsNamed() throws IOException {
		// the class is the same as on the application's class path, where Spring is: only the class loader differs
		jar("spring.jar", SpringPlugin.class);

		assertThatExceptionOfType(PluginLoadException.class).isThrownBy(() -> plugins().loaded())
			.withMessageStartingWith("plugin jar plugins/spring.jar failed to start: class "
					+ "org.springframework.util.StringUtils is missing");
	}

	@Test
	void aPluginSeesItsOwnJarAndNotSpringThroughTheContextClassLoaderAsItStartsAndWhenCalled() throws IOException {
		jar("context.jar", ContextPlugin.class, ContextPlugin.Probe.class);
		ClassLoader before = Thread.currentThread().getContextClassLoader();

		// when: its constructor would throw if it saw Spring
		LoadedPlugins loaded = plugins().loaded();
		StepType probe = loaded.stepType("context").extension();

		// then
		assertThat(probe.apply(new Item(1, "1", java.util.Map.of(), java.util.Map.of()), Options.none()))
			.isEqualTo("Spring is hidden");
		assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(before);
		assertThat(probe.name()).isEqualTo("context");
	}

	@Test
	void aPluginsNameVersionAndJarFileNameAreKeptOnOneLineWithControlCharactersEscaped() throws IOException {
		jar("odd\tname.jar", NewlinePlugin.class);

		PluginJar jar = plugins().loaded().jars().get(0);

		assertThat(jar.name()).isEqualTo("two␊lines");
		assertThat(jar.version()).isEqualTo("1␛[2J");
		assertThat(jar.jar()).isEqualTo("plugins/odd␉name.jar");
	}

	@Test
	void aJarWithoutTheServicesFileIsNamed() throws IOException {
		Files.createDirectories(this.home.resolve("plugins"));
		try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(this.home.resolve("plugins/none.jar")))) {
			zip.putNextEntry(new ZipEntry("README.txt"));
			zip.closeEntry();
		}

		assertThatExceptionOfType(PluginLoadException.class).isThrownBy(() -> plugins().loaded())
			.withMessage("plugin jar plugins/none.jar has no META-INF/services/dev.dmrbatch.plugin.api.Plugin: it "
					+ "must name its plugin class there");
	}

	/** A jar in plugins/ holding classes of the test's and the services file naming the plugin. */
	private void jar(String name, Class<? extends Plugin> plugin, Class<?>... others) throws IOException {
		jar(this.home.resolve("plugins/" + name), plugin, others);
	}

	/** A plugin jar holding classes of the tests' own and the services file naming the plugin. */
	static void jar(Path file, Class<? extends Plugin> plugin, Class<?>... others) throws IOException {
		Files.createDirectories(file.getParent());
		try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
			for (Class<?> type : java.util.stream.Stream.concat(java.util.stream.Stream.of(plugin),
					java.util.Arrays.stream(others)).toList()) {
				String entry = type.getName().replace('.', '/') + ".class";
				try (InputStream bytes = type.getClassLoader().getResourceAsStream(entry)) {
					zip.putNextEntry(new ZipEntry(entry));
					bytes.transferTo(zip);
					zip.closeEntry();
				}
			}
			zip.putNextEntry(new ZipEntry(Plugins.SERVICE));
			zip.write((plugin.getName() + "\n").getBytes());
			zip.closeEntry();
		}
	}

}
