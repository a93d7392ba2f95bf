package dev.dmrbatch.conversation;

import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import dev.dmrbatch.text.Causes;

/**
 * Runs a transaction on the store again when the database refused it for a conflict with another transaction at the
 * same moment: a serialization failure (SQLState {@code 40001}: PostgreSQL's SERIALIZABLE, at which Spring Batch's
 * job repository creates job instances, executions and step executions, refuses one of two transactions that read
 * and write the same rows or predicates, such as two new chat sessions' job instances) or a deadlock ({@code 40P01}).
 * The refused transaction wrote nothing, so running it again whole is safe and then succeeds; it is tried at most
 * {@value #ATTEMPTS} times, a few milliseconds apart. Nothing else is retried.
 */
public final class TransientConflicts {

	/** How many times a transaction is tried in all. */
	static final int ATTEMPTS = 5;

	private static final Set<String> STATES = Set.of("40001", "40P01");

	private TransientConflicts() {
	}

	/**
	 * The transaction's result, run again while the database refuses it for a conflict.
	 * @param transaction one whole transaction (it begins and ends inside), never a part of one
	 */
	public static <T> T retried(Supplier<T> transaction) {
		for (int attempt = 1;; attempt++) {
			try {
				return transaction.get();
			}
			catch (RuntimeException ex) {
				if (attempt >= ATTEMPTS || !isConflict(ex)) {
					throw ex;
				}
				try {
					// apart, so the two that met do not meet again at once
					Thread.sleep(ThreadLocalRandom.current().nextLong(5, 20L * attempt));
				}
				catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
					throw ex;
				}
			}
		}
	}

	/** Runs the transaction, again while the database refuses it for a conflict. */
	public static void retried(Runnable transaction) {
		retried(() -> {
			transaction.run();
			return null;
		});
	}

	/** Whether the database refused a transaction for a conflict with another: SQLState 40001 or 40P01. */
	static boolean isConflict(Throwable failure) {
		return Causes.of(failure).stream()
			.anyMatch((cause) -> cause instanceof SQLException sql && STATES.contains(sql.getSQLState()));
	}

}
