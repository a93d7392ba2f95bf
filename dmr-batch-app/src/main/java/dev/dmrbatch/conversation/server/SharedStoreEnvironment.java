package dev.dmrbatch.conversation.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

import dev.dmrbatch.conversation.StoreFolder;
import org.apache.commons.logging.Log;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;

/**
 * Starts looking for the store server (or starting it) as soon as the settings are read, on a thread of its own, so
 * that a server's start overlaps with the application's: for an H2 file URL ({@code spring.datasource.url}, the
 * default's or one's own) unless {@code dmr.store.shared=false} or the URL asks for H2's own {@code AUTO_SERVER}.
 * The answer waits in a property source of its own, which {@link SharedStoreConnection} takes when the data source
 * is made. PostgreSQL and other databases are left as they are.
 */
public class SharedStoreEnvironment implements EnvironmentPostProcessor, Ordered {

	/** The property source that carries the server being found. */
	static final String SOURCE = "dmrSharedStore";

	/** Written once logging is set up: the server is found while the application starts. */
	private final Log log;

	public SharedStoreEnvironment(DeferredLogFactory logs) {
		this.log = logs.getLog(SharedStore.class);
	}

	@Override
	public int getOrder() {
		// once the configuration files and profiles are read
		return ConfigDataEnvironmentPostProcessor.ORDER + 1;
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		String url = environment.getProperty("spring.datasource.url");
		Path database = StoreFolder.h2File(url);
		if (database == null || url.toUpperCase(Locale.ROOT).contains("AUTO_SERVER") || !shared(environment)) {
			return;
		}
		Duration idle = idle(environment);
		int options = url.indexOf(';');
		Pending pending = new Pending(database, (options < 0) ? "" : url.substring(options), idle,
				new CompletableFuture<>());
		Thread finder = new Thread(() -> {
			try {
				pending.server().complete(SharedStore.find(database, idle, this.log));
			}
			catch (Throwable ex) {
				pending.server().completeExceptionally(ex);
			}
		}, "store-server");
		finder.setDaemon(true);
		finder.start();
		environment.getPropertySources().addLast(new Source(pending));
	}

	/** Shared unless set to false; a value that is no boolean is left for the settings' binding to refuse. */
	private static boolean shared(ConfigurableEnvironment environment) {
		String value = environment.getProperty("dmr.store.shared");
		return value == null || !value.trim().equalsIgnoreCase("false");
	}

	private static Duration idle(ConfigurableEnvironment environment) {
		String value = environment.getProperty("dmr.store.idle");
		try {
			Duration idle = (value != null) ? DurationStyle.detectAndParse(value.trim()) : null;
			return (idle != null && !idle.isNegative()) ? idle : Duration.ofSeconds(30);
		}
		catch (IllegalArgumentException ex) {
			return Duration.ofSeconds(30);
		}
	}

	/**
	 * A store server being found.
	 * @param database the H2 database's path without extension
	 * @param options the URL's options, each with its leading {@code ;}
	 * @param idle how long a server started for it stays without sessions
	 */
	record Pending(Path database, String options, Duration idle, CompletableFuture<ServerFile> server) {
	}

	/** Holds the server being found; it has no properties of its own. */
	static final class Source extends PropertySource<Pending> {

		Source(Pending pending) {
			super(SOURCE, pending);
		}

		@Override
		public Object getProperty(String name) {
			return null;
		}

	}

}
