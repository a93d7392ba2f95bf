package dev.dmrbatch.run.job;

import java.util.List;

import dev.dmrbatch.check.CheckStore;
import dev.dmrbatch.check.Evaluation;
import dev.dmrbatch.check.ItemVerdicts;
import dev.dmrbatch.check.JobChecks;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.ConversationStore;

import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemWriter;

/**
 * Stores a chunk's conversations in the chunk's transaction, so they commit together with the reader's position,
 * with the verdicts of the job's checks on them, and enforces the job's skip limit: a chunk that takes the failed
 * items past it rolls back and fails the job, so those items are tried again when the run resumes.
 */
class ConversationWriter implements ItemWriter<List<Conversation>>, StepExecutionListener {

	private final ConversationStore store;

	private final Integer skipLimit;

	private long runId;

	private long failed;

	private final CheckStore checkStore;

	private final JobChecks checks;

	private Evaluation evaluation;

	/** Whether the conversations replace the run's failed ones ({@code retry=failed}). */
	private final boolean replacing;

	ConversationWriter(ConversationStore store, Integer skipLimit, CheckStore checkStore, JobChecks checks) {
		this(store, skipLimit, checkStore, checks, false);
	}

	/**
	 * @param replacing the conversations replace the run's failed ones ({@code retry=failed}): a failure that replaces
	 * a failure adds none, so the skip limit is not counted again
	 */
	ConversationWriter(ConversationStore store, Integer skipLimit, CheckStore checkStore, JobChecks checks,
			boolean replacing) {
		this.store = store;
		this.skipLimit = replacing ? null : skipLimit;
		this.checkStore = checkStore;
		this.checks = checks;
		this.replacing = replacing;
	}

	@Override
	public void beforeStep(StepExecution stepExecution) {
		this.runId = stepExecution.getJobExecution().getJobInstanceId();
		this.failed = this.store.totals(this.runId).failed();
		if (!this.checks.isEmpty()) {
			this.evaluation = this.checkStore.beginDuringRun(this.runId, this.checks.keys(), this.checks.definitions());
		}
	}

	@Override
	public void write(Chunk<? extends List<Conversation>> chunk) {
		List<Conversation> conversations = chunk.getItems().stream().flatMap(List::stream).toList();
		store(conversations);
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

	/**
	 * Stores conversations with their verdicts: a chunk's, and those read ahead and finished when the step ended
	 * (beyond the committed position, so outside the skip limit's count until the resumed run reads past them).
	 */
	void store(List<Conversation> conversations) {
		if (this.replacing) {
			this.store.replaceFailed(this.runId, conversations);
		}
		else {
			this.store.saveAll(this.runId, conversations);
		}
		if (this.evaluation != null) {
			this.checkStore.saveAll(this.evaluation, conversations.stream()
				.filter((c) -> !c.verdicts().isEmpty())
				.map((c) -> new ItemVerdicts(c.itemSeq(), c.model(), c.verdicts(), c.repetition()))
				.toList());
		}
	}

}
