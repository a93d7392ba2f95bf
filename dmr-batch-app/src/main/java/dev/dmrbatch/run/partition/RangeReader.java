package dev.dmrbatch.run.partition;

import dev.dmrbatch.input.InputItem;
import dev.dmrbatch.input.InputReaders;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamException;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * The items of one partition: records {@code first} to {@code last} of the input. A fresh partition reads past the
 * records before its range; a restarted one resumes where its own reader state says, like any Spring Batch reader.
 */
public final class RangeReader implements ItemStreamReader<InputItem> {

	public static final String FIRST = "range.first";

	public static final String LAST = "range.last";

	private final ItemStreamReader<InputItem> input;

	private final long first;

	private final long last;

	private boolean done;

	public RangeReader(ItemStreamReader<InputItem> input, long first, long last) {
		this.input = input;
		this.first = first;
		this.last = last;
	}

	@Override
	public void open(ExecutionContext context) throws ItemStreamException {
		this.input.open(context);
		if (!context.containsKey(InputReaders.POSITION)) {
			try {
				for (long seq = 1; seq < this.first; seq++) {
					if (this.input.read() == null) {
						this.done = true;
						return;
					}
				}
			}
			catch (Exception ex) {
				throw new ItemStreamException("cannot read up to record " + this.first + ": " + ex.getMessage(), ex);
			}
		}
		this.done = context.getLong(InputReaders.POSITION, this.first - 1) >= this.last;
	}

	@Override
	public InputItem read() throws Exception {
		if (this.done) {
			return null;
		}
		InputItem item = this.input.read();
		if (item == null || item.seq() >= this.last) {
			this.done = true;
		}
		return (item != null && item.seq() <= this.last) ? item : null;
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
