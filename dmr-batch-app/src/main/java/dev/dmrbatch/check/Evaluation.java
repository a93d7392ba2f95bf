package dev.dmrbatch.check;

import java.time.Instant;
import java.util.List;

/**
 * One evaluation of a run's checks: number 0 ({@link CheckStore#DURING_RUN}) is the one given while the run answered,
 * 1, 2, ... are later ones ({@code job=check}).
 *
 * @param checkKeys the checks evaluated, {@code <step>.<check>}, in the job file's order
 * @param checks the checks' definitions as the job file gave them, as JSON text (an array of objects, each with its
 * {@code key}), or {@code null}
 */
public record Evaluation(long runId, int number, Instant createdAt, List<String> checkKeys, String checks) {
}
