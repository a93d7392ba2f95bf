package dev.dmrbatch.plugin;

import java.net.URL;
import java.net.URLClassLoader;

import dev.dmrbatch.DmrBatchApplication;
import dev.dmrbatch.plugin.api.Plugin;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ApiOnlyClassLoaderTest {

	/** A plugin's own class loader, as dmr-batch makes one: a jar's URLs over the filtering parent. */
	private final ClassLoader plugin = new URLClassLoader("plugin test.jar", new URL[0],
			new ApiOnlyClassLoader(ApiOnlyClassLoaderTest.class.getClassLoader()));

	@Test
	void aPluginSeesTheApiAsTheApplicationHasIt() throws Exception {
		// the same class, not a copy: the application can call what the plugin implements
		assertThat(this.plugin.loadClass(Plugin.class.getName())).isSameAs(Plugin.class);
		assertThat(this.plugin.loadClass("dev.dmrbatch.plugin.api.InputFormat").getClassLoader())
			.isSameAs(Plugin.class.getClassLoader());
	}

	@Test
	void aPluginSeesTheJdk() throws Exception {
		assertThat(this.plugin.loadClass("java.lang.String")).isSameAs(String.class);
		// a module of the platform class loader, not only java.base
		assertThat(this.plugin.loadClass("java.sql.Connection")).isSameAs(java.sql.Connection.class);
	}

	@Test
	void aPluginCannotSeeSpringOrSpringBatch() {
		// the test's class path has them, as the application's has
		assertThat(ApiOnlyClassLoaderTest.class.getClassLoader().getResource("org/springframework/batch/core/job/Job.class"))
			.isNotNull();
		assertThatExceptionOfType(ClassNotFoundException.class)
			.isThrownBy(() -> this.plugin.loadClass("org.springframework.batch.core.job.Job"));
		assertThatExceptionOfType(ClassNotFoundException.class)
			.isThrownBy(() -> this.plugin.loadClass("org.springframework.context.ApplicationContext"));
		assertThat(this.plugin.getResource("org/springframework/batch/core/job/Job.class")).isNull();
		assertThat(this.plugin.getResource("META-INF/spring.factories")).isNull();
	}

	@Test
	void aPluginCannotSeeTheApplicationNorItsLibraries() {
		assertThatExceptionOfType(ClassNotFoundException.class)
			.isThrownBy(() -> this.plugin.loadClass(DmrBatchApplication.class.getName()));
		assertThatExceptionOfType(ClassNotFoundException.class)
			.isThrownBy(() -> this.plugin.loadClass(Plugins.class.getName()));
		assertThatExceptionOfType(ClassNotFoundException.class)
			.isThrownBy(() -> this.plugin.loadClass("tools.jackson.databind.json.JsonMapper"));
		assertThatExceptionOfType(ClassNotFoundException.class)
			.isThrownBy(() -> this.plugin.loadClass("org.apache.commons.csv.CSVParser"));
	}

}
