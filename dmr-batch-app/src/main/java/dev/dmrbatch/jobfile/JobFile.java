package dev.dmrbatch.jobfile;

/**
 * A job file as it was read: its definition, checked, and its text.
 */
public record JobFile(JobDefinition job, String text) {
}
