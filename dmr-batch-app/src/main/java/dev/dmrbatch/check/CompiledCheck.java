package dev.dmrbatch.check;

import dev.dmrbatch.jobfile.JobDefinition;

/**
 * One check of a job, ready to evaluate.
 *
 * @param key {@code <step>.<check>}
 * @param step the name of the step whose answer it checks
 * @param definition the check as the job file gives it
 * @param evaluator its type's evaluator, compiled for it
 */
record CompiledCheck(String key, String step, JobDefinition.Check definition, Evaluator evaluator) {
}
