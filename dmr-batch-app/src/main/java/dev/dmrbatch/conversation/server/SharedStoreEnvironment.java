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
 * Sets up the store server's use as soon as the settings are read: for an H2 file URL ({@code spring.datasource.url},
 * the default's or one's own) unless {@code dmr.store.shared=false} or the URL asks for H2's own {@code AUTO_SERVER}.
 * What is known waits in a property source of its own, which {@link SharedStoreConnection} takes when the data
 * source is made. The server is looked for (or started) only when a command first needs the store, on a thread of
 * its own from {@link SharedStore#prepare} on, so that its start overlaps with the command's; {@code config},
 * {@code plugins} and {@code models}, which need no store, start nothing. PostgreSQL and other databases are left as
 * they are.
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
		int options = url.indexOf(';');
		Pending pending = new Pending(database, (options < 0) ? "" : url.substring(options), idle(environment), this.log);
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
	 * The store server of this application's database: found (or started) when first needed.
	 */
	static final class Pending {

		/** The H2 database's path without extension. */
		private final Path database;

		/** The URL's options, each with its leading {@code ;}. */
		private final String options;

		/** How long a server started for it stays without sessions. */
		private final Duration idle;

		private final Log log;

		private CompletableFuture<SharedStore.Found> server;

		Pending(Path database, String options, Duration idle, Log log) {
			this.database = database;
			this.options = options;
			this.idle = idle;
			this.log = log;
		}

		Path database() {
			return this.database;
		}

		String options() {
			return this.options;
		}

		Duration idle() {
			return this.idle;
		}

		/**
		 * Whether the command only reads the store for a moment: then, with no server up, it opens the file itself
		 * (see {@link SharedStore#find(Path, Duration, Log, boolean)}), looked for when the store is first needed
		 * rather than early, so that the lock it holds meanwhile is held only while the data source is open.
		 */
		private boolean briefReader;

		/**
		 * As a command begins: starts finding the server on a thread of its own, so that a server's start overlaps
		 * with the command's; for a command that only reads the store briefly, only notes it.
		 */
		synchronized void prepare(boolean briefReader) {
			if (this.server == null && briefReader) {
				this.briefReader = true;
				return;
			}
			find();
		}

		/**
		 * Finds the server once more, as the pool is made: the first answer may be older than the server's idle time
		 * on a slow start, and asking claims the server for this process again; a server gone meanwhile is replaced,
		 * or, for a command that only reads the store briefly, its file opened and held instead.
		 */
		SharedStore.Found again() {
			boolean hold;
			synchronized (this) {
				hold = this.briefReader;
			}
			return SharedStore.find(this.database.toAbsolutePath().normalize(), this.idle, this.log, hold);
		}

		/** Starts finding the server, on a thread of its own, unless that has begun already. */
		synchronized CompletableFuture<SharedStore.Found> find() {
			if (this.server == null) {
				CompletableFuture<SharedStore.Found> found = new CompletableFuture<>();
				boolean hold = this.briefReader;
				Thread finder = new Thread(() -> {
					try {
						found.complete(SharedStore.find(this.database, this.idle, this.log, hold));
					}
					catch (Throwable ex) {
						found.completeExceptionally(ex);
					}
				}, "store-server");
				finder.setDaemon(true);
				finder.start();
				this.server = found;
			}
			return this.server;
		}

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
