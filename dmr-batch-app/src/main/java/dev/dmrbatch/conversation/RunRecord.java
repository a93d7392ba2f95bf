package dev.dmrbatch.conversation;

import java.time.Instant;

/**
 * A run as the store knows it.
 *
 * @param id the Spring Batch job instance id
 * @param settings the model settings used, as JSON; never holds the API key
 */
public record RunRecord(long id, String jobName, String label, String input, String outputDir, String settings,
		Instant createdAt) {
}
