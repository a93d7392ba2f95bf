package dev.dmrbatch.run.job;

import java.util.Set;
import java.util.SortedMap;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.input.InputItem;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamException;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * The input's items whose conversations failed in a run ({@code retry=failed}): the run's input read again from its
 * start, each record passed on only when it is one of them, and read no further than the last. It keeps no position:
 * a retry that stopped is taken up again by a new retry, which finds what still failed in the store.
 */
final class FailedItemsReader implements ItemStreamReader<InputItem> {

	private final ItemStreamReader<InputItem> input;

	private final SortedMap<Long, Set<Conversation.Key>> failed;

	/** @param failed the models and repetitions that failed, by record number, as the store gave them */
	FailedItemsReader(ItemStreamReader<InputItem> input, SortedMap<Long, Set<Conversation.Key>> failed) {
		this.input = input;
		this.failed = failed;
	}

	@Override
	public void open(ExecutionContext context) throws ItemStreamException {
		this.input.open(new ExecutionContext());
	}

	@Override
	public InputItem read() throws Exception {
		if (this.failed.isEmpty()) {
			return null;
		}
		long last = this.failed.lastKey();
		for (InputItem item = this.input.read(); item != null; item = this.input.read()) {
			if (!item.isBlank() && this.failed.containsKey(item.seq())) {
				return item;
			}
			if (!item.isBlank() && item.seq() >= last) {
				return null;
			}
		}
		return null;
	}

	@Override
	public void update(ExecutionContext context) throws ItemStreamException {
		// no position: see the class's comment
	}

	@Override
	public void close() throws ItemStreamException {
		this.input.close();
	}

}
