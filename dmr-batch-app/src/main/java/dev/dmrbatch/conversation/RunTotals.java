package dev.dmrbatch.conversation;

/** What a run has produced so far. */
public record RunTotals(long conversations, long ok, long failed, long promptTokens, long completionTokens) {
}
