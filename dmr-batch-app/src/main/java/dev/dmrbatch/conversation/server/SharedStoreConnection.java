package dev.dmrbatch.conversation.server;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The data source's connection through the store server that {@link SharedStoreEnvironment} finds: Boot makes its
 * pool from these details instead of {@code spring.datasource.url}, which keeps naming the file. The URL is asked for
 * when the pool is made, when a command first needs the store.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(SharedStoreConnection.Shared.class)
class SharedStoreConnection {

	@Bean
	JdbcConnectionDetails sharedStoreConnectionDetails(ConfigurableEnvironment environment,
			DataSourceProperties properties) {
		SharedStoreEnvironment.Pending pending = (SharedStoreEnvironment.Pending) environment.getPropertySources()
			.get(SharedStoreEnvironment.SOURCE)
			.getSource();
		return new Details(pending, properties);
	}

	private static final class Details implements JdbcConnectionDetails, DisposableBean {

		private final SharedStoreEnvironment.Pending pending;

		private final DataSourceProperties properties;

		private String url;

		/** The store file's lock while this process has the file open itself (a brief reader with no server up). */
		private SharedStore.Held held;

		Details(SharedStoreEnvironment.Pending pending, DataSourceProperties properties) {
			this.pending = pending;
			this.properties = properties;
		}

		@Override
		public String getUsername() {
			return this.properties.determineUsername();
		}

		@Override
		public String getPassword() {
			return this.properties.determinePassword();
		}

		/**
		 * Waits for the server started early, then asks again: the first answer may be older than the server's idle
		 * time on a slow start, and asking claims the server for this process once more.
		 */
		@Override
		public synchronized String getJdbcUrl() {
			if (this.url == null) {
				SharedStore.Found found = server();
				if (found.held() == null) {
					found = this.pending.again();
				}
				if (found.held() != null) {
					this.held = found.held();
					// the file's own URL, as given; closed with the last connection, that is with the pool, before the
					// lock is let go
					this.url = this.properties.getUrl().replaceAll("(?i);DB_CLOSE_DELAY=[^;]*", "") + ";DB_CLOSE_DELAY=0";
				}
				else {
					this.url = found.server().url(this.pending.options());
				}
			}
			return this.url;
		}

		/**
		 * Releases the store file's lock once the file is closed: the data source that uses these details is closed
		 * before them (it depends on them), and with it the file.
		 */
		@Override
		public synchronized void destroy() {
			if (this.held != null) {
				this.held.close();
				this.held = null;
			}
		}

		@Override
		public String getDriverClassName() {
			return "org.h2.Driver";
		}

		private SharedStore.Found server() {
			try {
				// the finder waits for a server it started at most SharedStore.START itself
				return this.pending.find().get(SharedStore.START.toSeconds() + 10, TimeUnit.SECONDS);
			}
			catch (ExecutionException ex) {
				if (ex.getCause() instanceof RuntimeException failure) {
					throw failure;
				}
				throw new StoreServerException("cannot start the store server for " + this.pending.database() + ": "
						+ ex.getCause(), ex.getCause());
			}
			catch (TimeoutException ex) {
				letGoLate();
				throw new StoreServerException("the store server for " + this.pending.database() + " did not answer",
						ex);
			}
			catch (InterruptedException ex) {
				letGoLate();
				Thread.currentThread().interrupt();
				throw new StoreServerException("interrupted while waiting for the store server for "
						+ this.pending.database(), ex);
			}
		}

		/** A store file held for this process after it stopped waiting is let go as soon as it is. */
		private void letGoLate() {
			this.pending.find().thenAccept((late) -> {
				if (late.held() != null) {
					late.held().close();
				}
			});
		}

	}

	/** Present when the environment is finding a store server. */
	static final class Shared implements Condition {

		@Override
		public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return context.getEnvironment() instanceof ConfigurableEnvironment environment
					&& environment.getPropertySources().contains(SharedStoreEnvironment.SOURCE);
		}

	}

}
