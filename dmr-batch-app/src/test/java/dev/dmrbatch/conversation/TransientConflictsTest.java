package dev.dmrbatch.conversation;

import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.springframework.dao.CannotAcquireLockException;
import org.springframework.dao.DataIntegrityViolationException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A transaction refused for a conflict is run again whole, a few times at most; any other failure at once. */
class TransientConflictsTest {

	private static RuntimeException refused(String state) {
		return new CannotAcquireLockException("JDBC commit",
				new SQLException("could not serialize access due to read/write dependencies among transactions", state));
	}

	@Test
	void aSerializationFailureOrADeadlockIsRunAgain() {
		for (String state : new String[] { "40001", "40P01" }) {
			AtomicInteger tries = new AtomicInteger();
			assertThat(TransientConflicts.retried(() -> {
				if (tries.incrementAndGet() < 3) {
					throw refused(state);
				}
				return "stored";
			})).isEqualTo("stored");
			assertThat(tries).hasValue(3);
		}
	}

	@Test
	void aConflictThatLastsIsThrownAfterTheLastAttempt() {
		AtomicInteger tries = new AtomicInteger();
		RuntimeException conflict = refused("40001");
		assertThatThrownBy(() -> TransientConflicts.retried(() -> {
			tries.incrementAndGet();
			throw conflict;
		})).isSameAs(conflict);
		assertThat(tries).hasValue(TransientConflicts.ATTEMPTS);
	}

	@Test
	void anyOtherFailureIsThrownAtOnce() {
		AtomicInteger tries = new AtomicInteger();
		RuntimeException duplicate = new DataIntegrityViolationException("duplicate key",
				new SQLException("duplicate key value violates unique constraint", "23505"));
		assertThatThrownBy(() -> TransientConflicts.retried(() -> {
			tries.incrementAndGet();
			throw duplicate;
		})).isSameAs(duplicate);
		assertThat(tries).hasValue(1);
	}

}
