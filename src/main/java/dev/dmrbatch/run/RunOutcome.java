package dev.dmrbatch.run;

import java.util.List;

import dev.dmrbatch.conversation.ConversationStore;

import org.springframework.batch.core.BatchStatus;

/**
 * How a run ended, for the summary and the exit code.
 *
 * @param answered items this execution stored (ok or failed)
 * @param seconds how long this execution took
 * @param exportWarnings what the exports could not do, such as characters no font has, one sentence each
 */
public record RunOutcome(String jobName, long runId, String label, BatchStatus status, long items, long ok,
		long failed, long promptTokens, long completionTokens, long answered, double seconds, String outputDir,
		List<String> exports, String failure, boolean alreadyComplete, boolean resumed,
		List<ConversationStore.ModelTotals> models, List<ConversationStore.RunnerTotals> runners,
		List<String> exportWarnings) {

	/** 0 all answered, 3 finished with failed items, 4 stopped, 5 failed. */
	public int exitCode() {
		return exitCode(this.status, this.failed);
	}

	/** The exit code of a run that ended with this status and this many failed items. */
	public static int exitCode(BatchStatus status, long failed) {
		return switch (status) {
			case COMPLETED -> (failed > 0) ? 3 : 0;
			case STOPPED, STOPPING -> 4;
			default -> 5;
		};
	}

}
