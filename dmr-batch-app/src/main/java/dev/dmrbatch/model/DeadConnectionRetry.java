package dev.dmrbatch.model;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;

import dev.dmrbatch.text.Causes;

import okhttp3.ConnectionPool;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * Resends a request when the pooled connection it went out on turned out to be closed before any byte of an
 * answer came back, which is what OkHttp's own {@code retryOnConnectionFailure} does and what openai-java switches
 * off. Needed because llama-server in router mode advertises {@code Keep-Alive} and then closes every connection
 * after its response: without this, every reuse of a connection fails. The idle connections are evicted first,
 * since they are all likely to be dead the same way.
 */
final class DeadConnectionRetry implements Interceptor {

	/** Requests finishing at the same moment can return more dead connections to the pool after an eviction. */
	private static final int MAX_ATTEMPTS = 4;

	private final ConnectionPool pool;

	DeadConnectionRetry(ConnectionPool pool) {
		this.pool = pool;
	}

	@Override
	public Response intercept(Chain chain) throws IOException {
		for (int attempt = 1;; attempt++) {
			try {
				return chain.proceed(chain.request());
			}
			catch (IOException ex) {
				if (attempt == MAX_ATTEMPTS || chain.call().isCanceled() || !isDeadConnection(ex)) {
					throw ex;
				}
				this.pool.evictAll();
			}
		}
	}

	/** No answer at all: an empty read ("\n not found: limit=0"), an end of stream, or a reset. */
	static boolean isDeadConnection(IOException ex) {
		for (Throwable cause : Causes.of(ex)) {
			String message = String.valueOf(cause.getMessage());
			if ((cause instanceof EOFException && message.contains("limit=0"))
					|| message.startsWith("unexpected end of stream")
					|| (cause instanceof SocketException
							&& (message.contains("Connection reset") || message.contains("Broken pipe")))) {
				return true;
			}
		}
		return false;
	}

}
