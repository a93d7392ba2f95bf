package dev.dmrbatch.input;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.dmrbatch.plugin.Plugins;
import dev.dmrbatch.plugin.api.RecordReader;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamException;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * A plugin's input format as a restartable reader: the position its reader gives after each record is saved with the
 * reader's state, as the built-in readers save their line, and a restart opens the plugin's reader there. A record
 * the plugin cannot read (it throws) becomes a failed item with the plugin's message; a reader that throws without
 * moving on stops the run, as an input that cannot be read does.
 */
final class PluginItemReader implements ItemStreamReader<InputItem> {

	/** The key, in the reader's saved state, of the plugin reader's position after the last record read. */
	static final String POSITION = "input.plugin.position";

	private final InputSource source;

	private final PluginInputFormat plugin;

	private RecordReader reader;

	private long position;

	PluginItemReader(InputSource source, PluginInputFormat plugin) {
		this.source = source;
		this.plugin = plugin;
	}

	@Override
	public void open(ExecutionContext context) throws ItemStreamException {
		this.position = context.getLong(POSITION, 0L);
		try {
			this.reader = this.plugin.format().open(this.source.path(), this.source.options(), this.position);
		}
		catch (Throwable ex) {
			Plugins.rethrowFatal(ex);
			throw new InputException(Plugins.describe(this.plugin.describe() + " opening " + this.source.display(),
					ex));
		}
		if (this.reader == null) {
			throw new InputException(this.plugin.describe() + " opened no reader for " + this.source.display());
		}
	}

	@Override
	public InputItem read() {
		Map<String, Object> record;
		try {
			record = this.reader.next();
		}
		catch (IOException ex) {
			throw new InputException("input " + this.source.display() + " cannot be read any further ("
					+ this.plugin.describe() + "): " + ex.getMessage());
		}
		catch (Throwable ex) {
			Plugins.rethrowFatal(ex);
			// one record the plugin cannot read: that item fails, the others go on, unless the reader is stuck
			long now = position(this.position);
			if (now == this.position) {
				throw new InputException(Plugins.describe(this.plugin.describe() + " reading " + this.source.display()
						+ " after position " + this.position, ex));
			}
			this.position = now;
			return InputItem.invalid(Plugins.describe(this.source.display() + " (" + this.plugin.describe() + ")", ex));
		}
		if (record == null) {
			return null;
		}
		this.position = position(this.position + 1);
		return InputItem.of(new LinkedHashMap<>(record));
	}

	private long position(long fallback) {
		try {
			return this.reader.position();
		}
		catch (RuntimeException ex) {
			return fallback;
		}
	}

	@Override
	public void update(ExecutionContext context) throws ItemStreamException {
		context.putLong(POSITION, this.position);
	}

	@Override
	public void close() throws ItemStreamException {
		if (this.reader != null) {
			try {
				this.reader.close();
			}
			catch (IOException | RuntimeException ex) {
				// the records are read; a reader that does not close cleanly changes nothing
			}
			this.reader = null;
		}
	}

}
