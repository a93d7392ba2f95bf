package dev.dmrbatch.plugin;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

import dev.dmrbatch.plugin.api.Plugin;

/**
 * Runs a plugin's code with its own class loader as the thread's context class loader, restored after each call, so
 * that what a plugin looks up through it ({@link java.util.ServiceLoader#load(Class)}, XML factories, JDBC drivers)
 * comes from its jar or the JDK, never from dmr-batch's class path. Each extension a plugin provides is wrapped once,
 * as it is registered, and so are the readers and writers it opens.
 */
final class PluginContext implements InvocationHandler {

	private static final Package API = Plugin.class.getPackage();

	private final Object target;

	private final ClassLoader loader;

	private PluginContext(Object target, ClassLoader loader) {
		this.target = target;
		this.loader = loader;
	}

	/** The extension, each of its calls made with {@code loader} as the context class loader. */
	static <T> T wrap(Class<T> api, T extension, ClassLoader loader) {
		return api.cast(Proxy.newProxyInstance(api.getClassLoader(), new Class<?>[] { api },
				new PluginContext(extension, loader)));
	}

	/**
	 * Runs {@code call} with {@code loader} as the context class loader of the current thread.
	 * @return what the call returned
	 */
	static <R, E extends Throwable> R call(ClassLoader loader, Call<R, E> call) throws E {
		Thread thread = Thread.currentThread();
		ClassLoader previous = thread.getContextClassLoader();
		thread.setContextClassLoader(loader);
		try {
			return call.run();
		}
		finally {
			thread.setContextClassLoader(previous);
		}
	}

	@Override
	public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
		if (method.getDeclaringClass() == Object.class) {
			return switch (method.getName()) {
				case "equals" -> proxy == args[0];
				case "hashCode" -> System.identityHashCode(proxy);
				default -> String.valueOf(this.target);
			};
		}
		Object result = call(this.loader, () -> {
			try {
				return method.invoke(this.target, args);
			}
			catch (InvocationTargetException ex) {
				throw ex.getCause();
			}
		});
		Class<?> type = method.getReturnType();
		if (result != null && type.isInterface() && type.getPackage() == API && !Proxy.isProxyClass(result.getClass())) {
			return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type },
					new PluginContext(result, this.loader));
		}
		return result;
	}

	/** A call into a plugin. */
	@FunctionalInterface
	interface Call<R, E extends Throwable> {

		R run() throws E;

	}

}
