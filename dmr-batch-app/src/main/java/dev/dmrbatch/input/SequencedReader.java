package dev.dmrbatch.input;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamException;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * Numbers the items of a restartable reader and gives each its id. The number is saved with the reader's state,
 * so a restarted run numbers the remaining items as the first run would have.
 */
final class SequencedReader implements ItemStreamReader<InputItem> {

	private static final String KEY = InputReaders.POSITION;

	private final ItemStreamReader<InputItem> delegate;

	private final String idField;

	private final String unit;

	private long seq;

	SequencedReader(ItemStreamReader<InputItem> delegate, String idField, String unit) {
		this.delegate = delegate;
		this.idField = idField;
		this.unit = unit;
	}

	@Override
	public InputItem read() throws Exception {
		InputItem item = this.delegate.read();
		if (item == null) {
			return null;
		}
		this.seq++;
		if (item.isBlank() || item.error() != null) {
			return item.numbered(this.seq, (item.id() != null) ? item.id() : String.valueOf(this.seq));
		}
		if (this.idField == null) {
			return item.numbered(this.seq, (item.id() != null) ? item.id() : String.valueOf(this.seq));
		}
		// an id is data, kept exactly (" " is an id); only a missing, null or empty value is none
		Object id = item.fields().get(this.idField);
		if (id == null || String.valueOf(id).isEmpty()) {
			return new InputItem(this.seq, String.valueOf(this.seq), item.fields(),
					this.unit + " " + this.seq + " has no value for the id field '" + this.idField + "' (input.id)", false);
		}
		return item.numbered(this.seq, String.valueOf(id));
	}

	@Override
	public void open(ExecutionContext context) throws ItemStreamException {
		this.delegate.open(context);
		this.seq = context.getLong(KEY, 0L);
	}

	@Override
	public void update(ExecutionContext context) throws ItemStreamException {
		this.delegate.update(context);
		context.putLong(KEY, this.seq);
	}

	@Override
	public void close() throws ItemStreamException {
		this.delegate.close();
	}

}
