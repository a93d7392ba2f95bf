package dev.dmrbatch.conversation.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class SharedStoreTest {

	private static final Log log = LogFactory.getLog(SharedStoreTest.class);

	@Test
	void aBriefReaderHoldsTheFileAndAnotherFinderOfThisProcessWaitsForIt(@TempDir Path dir) throws Exception {
		Path database = dir.resolve("data/dmr-batch");
		SharedStore.Found first = SharedStore.find(database, Duration.ofSeconds(1), log, true);
		assertThat(first.server()).as("no server was up: none is started").isNull();
		assertThat(first.held()).isNotNull();

		// a second finder in this process (Java refuses an overlapping lock at once instead of queueing it)
		CompletableFuture<SharedStore.Found> second = CompletableFuture
			.supplyAsync(() -> SharedStore.find(database, Duration.ofSeconds(1), log, true));
		Thread.sleep(300);
		assertThat(second).as("waiting for the first to let go").isNotDone();

		first.held().close();
		SharedStore.Found after = second.get(10, TimeUnit.SECONDS);
		assertThat(after.held()).isNotNull();
		after.held().close();
	}

}
