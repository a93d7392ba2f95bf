package dev.dmrbatch.input;

import java.util.Arrays;
import java.util.function.Supplier;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamException;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * The items of a trial run ({@link TrialSelection}): those of the input's numbered reader whose record number is
 * chosen, as that reader read them. A sample is chosen by one pass over a reader of its own (a {@link Reservoir} of
 * record numbers), the same for the same seed, so a restarted trial asks the same items; it resumes from the input
 * reader's saved state like any run.
 */
final class TrialReader implements ItemStreamReader<InputItem> {

	private final ItemStreamReader<InputItem> input;

	private final Supplier<ItemStreamReader<InputItem>> fresh;

	private final TrialSelection selection;

	/** The chosen record numbers of a sample, in order; {@code null} for the first records. */
	private long[] chosen;

	/** The record number after which nothing is chosen. */
	private long end;

	/** The record number of the last record read. */
	private long seq;

	TrialReader(ItemStreamReader<InputItem> input, Supplier<ItemStreamReader<InputItem>> fresh,
			TrialSelection selection) {
		this.input = input;
		this.fresh = fresh;
		this.selection = selection;
	}

	@Override
	public void open(ExecutionContext context) throws ItemStreamException {
		if (this.selection.sampled()) {
			this.chosen = draw();
			this.end = (this.chosen.length > 0) ? this.chosen[this.chosen.length - 1] : 0;
		}
		else {
			this.end = this.selection.size();
		}
		this.input.open(context);
		this.seq = context.getLong(InputReaders.POSITION, 0L);
	}

	private long[] draw() {
		Reservoir reservoir = new Reservoir(this.selection.size(), this.selection.seed());
		ItemStreamReader<InputItem> all = this.fresh.get();
		all.open(new ExecutionContext());
		try {
			for (InputItem item = all.read(); item != null; item = all.read()) {
				reservoir.offer(item.seq());
			}
		}
		catch (ItemStreamException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw new ItemStreamException("cannot draw the sample: " + ex.getMessage(), ex);
		}
		finally {
			all.close();
		}
		return reservoir.sorted();
	}

	@Override
	public InputItem read() throws Exception {
		while (this.seq < this.end) {
			InputItem item = this.input.read();
			if (item == null) {
				this.seq = this.end;
				return null;
			}
			this.seq = item.seq();
			if (this.chosen == null || Arrays.binarySearch(this.chosen, item.seq()) >= 0) {
				return item;
			}
		}
		return null;
	}

	@Override
	public void update(ExecutionContext context) throws ItemStreamException {
		this.input.update(context);
	}

	@Override
	public void close() throws ItemStreamException {
		this.input.close();
	}

}
