package dev.dmrbatch.model;

/**
 * The answer to one chat request and the facts about the call.
 *
 * @param timings llama.cpp's non-standard {@code timings} object as JSON, or {@code null} when the runner sent
 * none
 * @param attempts how many requests it took (retries included)
 */
public record ModelReply(String content, String finishReason, long promptTokens, long completionTokens,
		long latencyMillis, String timings, String systemFingerprint, int attempts) {
}
