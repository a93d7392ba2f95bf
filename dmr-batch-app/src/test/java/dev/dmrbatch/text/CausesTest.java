package dev.dmrbatch.text;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

class CausesTest {

	@Test
	void theChainIsTheFailureThenEachCauseOutermostFirst() {
		SocketTimeoutException root = new SocketTimeoutException("read timed out");
		IOException middle = new IOException("no answer", root);
		UncheckedIOException outer = new UncheckedIOException(middle);

		assertThat(Causes.of(outer)).containsExactly(outer, middle, root);
		assertThat(Causes.find(outer, IOException.class)).containsSame(middle);
		assertThat(Causes.has(outer, SocketTimeoutException.class)).isTrue();
		assertThat(Causes.has(outer, SQLException.class)).isFalse();
		assertThat(Causes.root(outer)).isSameAs(root);
		assertThat(Causes.root(root)).as("no cause: itself").isSameAs(root);
		assertThat(Causes.root(null)).isNull();
		assertThat(Causes.of(null)).isEmpty();
		assertThat(Causes.find(null, IOException.class)).isEmpty();
	}

	@Test
	@Timeout(5)
	void aChainThatLoopsBackEndsAndEachCauseIsWalkedOnce() {
		// initCause allows a cycle of two: A's cause is B, B's cause is A
		IllegalStateException a = new IllegalStateException("a");
		IllegalArgumentException b = new IllegalArgumentException("b", a);
		a.initCause(b);

		assertThat(Causes.of(a)).containsExactly(a, b);
		assertThat(Causes.root(a)).isSameAs(b);
		assertThat(Causes.has(a, SQLException.class)).isFalse();
		assertThat(SafeText.reason(a)).isEqualTo("b");
	}

}
