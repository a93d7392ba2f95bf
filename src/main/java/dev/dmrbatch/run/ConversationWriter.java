package dev.dmrbatch.run;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.ConversationStore;

import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemWriter;

/** Stores a chunk's conversations in the chunk's transaction, so they commit together with the reader's position. */
class ConversationWriter implements ItemWriter<Conversation>, StepExecutionListener {

	private final ConversationStore store;

	private long runId;

	ConversationWriter(ConversationStore store) {
		this.store = store;
	}

	@Override
	public void beforeStep(StepExecution stepExecution) {
		this.runId = stepExecution.getJobExecution().getJobInstanceId();
	}

	@Override
	public void write(Chunk<? extends Conversation> chunk) {
		this.store.saveAll(this.runId, java.util.List.copyOf(chunk.getItems()));
	}

}
