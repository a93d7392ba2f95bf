package dev.dmrbatch.run.pipeline;

import java.io.UncheckedIOException;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A partition's failures say whether its runner went away, wherever the runner's failure is among their causes. */
class RunnerUnavailableExceptionTest {

	@Test
	void theRunnersFailureIsFoundAmongAPartitionsFailuresAndTheirCauses() {
		RunnerUnavailableException gone = new RunnerUnavailableException("the runner at http://a/v1 did not answer",
				new java.net.ConnectException("Connection refused"));
		IllegalStateException other = new IllegalStateException("no");

		assertThat(RunnerUnavailableException.among(List.of(other, new RuntimeException("chunk", gone)))).isSameAs(gone);
		assertThat(RunnerUnavailableException.among(List.of(gone))).isSameAs(gone);
		assertThat(RunnerUnavailableException.among(List.of(other,
				new UncheckedIOException(new java.io.IOException("disk"))))).isNull();
		assertThat(RunnerUnavailableException.among(List.of())).isNull();
	}

}
