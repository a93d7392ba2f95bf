package dev.dmrbatch.run.partition;

import dev.dmrbatch.input.InputItem;
import dev.dmrbatch.input.InputReaders;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamException;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * The items of one partition: the {@code first}-th to the {@code last}-th item the input's reader gives (its records
 * {@code first} to {@code last}; a trial run's items keep their own record numbers, so for a sample these are
 * positions among them). A fresh partition reads past the items before its range; a restarted one resumes where its
 * own reader state says, like any Spring Batch reader, and counts on from the position it saved.
 */
public final class RangeReader implements ItemStreamReader<InputItem> {

	public static final String FIRST = "range.first";

	public static final String LAST = "range.last";

	/** The key, in a partition's saved state, of the position of the last item it read. */
	static final String POSITION = "range.position";

	private final ItemStreamReader<InputItem> input;

	private final long first;

	private final long last;

	private long position;

	public RangeReader(ItemStreamReader<InputItem> input, long first, long last) {
		this.input = input;
		this.first = first;
		this.last = last;
	}

	@Override
	public void open(ExecutionContext context) throws ItemStreamException {
		this.input.open(context);
		if (context.containsKey(InputReaders.POSITION)) {
			// saved before positions were: then every item was its record
			this.position = context.getLong(POSITION, context.getLong(InputReaders.POSITION));
			return;
		}
		try {
			for (this.position = 0; this.position < this.first - 1; this.position++) {
				if (this.input.read() == null) {
					this.position = this.last;
					return;
				}
			}
		}
		catch (Exception ex) {
			throw new ItemStreamException("cannot read up to record " + this.first + ": " + ex.getMessage(), ex);
		}
	}

	@Override
	public InputItem read() throws Exception {
		if (this.position >= this.last) {
			return null;
		}
		InputItem item = this.input.read();
		if (item == null) {
			this.position = this.last;
			return null;
		}
		this.position++;
		return item;
	}

	@Override
	public void update(ExecutionContext context) throws ItemStreamException {
		this.input.update(context);
		context.putLong(POSITION, this.position);
	}

	@Override
	public void close() throws ItemStreamException {
		this.input.close();
	}

}
