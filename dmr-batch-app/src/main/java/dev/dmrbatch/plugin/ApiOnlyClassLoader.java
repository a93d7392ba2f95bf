package dev.dmrbatch.plugin;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;

/**
 * The parent of every plugin's class loader: the JDK's classes (the platform class loader) and the plugin API's
 * package from the application, nothing else. A plugin thus sees neither Spring, Spring Batch nor dmr-batch's own
 * classes and libraries, and brings its own libraries without clashing with the application's.
 */
final class ApiOnlyClassLoader extends ClassLoader {

	static final String API_PACKAGE = "dev.dmrbatch.plugin.api.";

	private static final String API_FOLDER = API_PACKAGE.replace('.', '/');

	static {
		registerAsParallelCapable();
	}

	private final ClassLoader application;

	ApiOnlyClassLoader(ClassLoader application) {
		super("dmr-batch-plugin-api", ClassLoader.getPlatformClassLoader());
		this.application = application;
	}

	@Override
	protected Class<?> findClass(String name) throws ClassNotFoundException {
		if (name.startsWith(API_PACKAGE)) {
			return this.application.loadClass(name);
		}
		throw new ClassNotFoundException(name);
	}

	@Override
	protected URL findResource(String name) {
		return name.startsWith(API_FOLDER) ? this.application.getResource(name) : null;
	}

	@Override
	protected Enumeration<URL> findResources(String name) throws IOException {
		return name.startsWith(API_FOLDER) ? this.application.getResources(name) : Collections.emptyEnumeration();
	}

}
