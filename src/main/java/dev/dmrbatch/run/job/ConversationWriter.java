package dev.dmrbatch.run.job;

import java.util.List;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.ConversationStore;

import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemWriter;

/**
 * Stores a chunk's conversations in the chunk's transaction, so they commit together with the reader's position,
 * and enforces the job's skip limit: a chunk that takes the failed items past it rolls back and fails the job, so
 * those items are tried again when the run resumes.
 */
class ConversationWriter implements ItemWriter<List<Conversation>>, StepExecutionListener {

	private final ConversationStore store;

	private final Integer skipLimit;

	private long runId;

	private long failed;

	ConversationWriter(ConversationStore store, Integer skipLimit) {
		this.store = store;
		this.skipLimit = skipLimit;
	}

	@Override
	public void beforeStep(StepExecution stepExecution) {
		this.runId = stepExecution.getJobExecution().getJobInstanceId();
		this.failed = this.store.totals(this.runId).failed();
	}

	@Override
	public void write(Chunk<? extends List<Conversation>> chunk) {
		List<Conversation> conversations = chunk.getItems().stream().flatMap(List::stream).toList();
		this.store.saveAll(this.runId, conversations);
		if (this.skipLimit == null) {
			return;
		}
		List<Conversation> failures = conversations.stream().filter((c) -> !c.isOk()).toList();
		if (this.failed + failures.size() > this.skipLimit) {
			Conversation last = failures.get(failures.size() - 1);
			throw new SkipLimitExceededException("more than skip-limit " + this.skipLimit + " items failed; item "
					+ last.itemId() + ": " + last.error());
		}
		this.failed += failures.size();
	}

}
