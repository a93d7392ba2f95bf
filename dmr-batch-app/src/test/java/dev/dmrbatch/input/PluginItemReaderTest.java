package dev.dmrbatch.input;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.plugin.Provided;
import dev.dmrbatch.plugin.api.InputFormat;
import dev.dmrbatch.plugin.api.Options;
import dev.dmrbatch.plugin.api.PluginException;
import dev.dmrbatch.plugin.api.RecordReader;
import org.junit.jupiter.api.Test;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class PluginItemReaderTest {

	/** Records 1 to 5; the third cannot be read; with {@code stuck}, a failure does not move the reader on. */
	private static final class Numbers implements InputFormat {

		private final boolean stuck;

		private final Error error;

		private final List<Long> openedAt = new ArrayList<>();

		Numbers(boolean stuck) {
			this(stuck, null);
		}

		/** Throws {@code error} instead of a PluginException at the third record. */
		Numbers(boolean stuck, Error error) {
			this.stuck = stuck;
			this.error = error;
		}

		@Override
		public String name() {
			return "numbers";
		}

		@Override
		public RecordReader open(Path source, Options options, long position) {
			this.openedAt.add(position);
			return new RecordReader() {

				private long next = position + 1;

				@Override
				public Map<String, Object> next() {
					if (this.next > 5) {
						return null;
					}
					long n = this.next;
					if (n == 3) {
						if (!Numbers.this.stuck) {
							this.next++;
						}
						if (Numbers.this.error != null) {
							throw Numbers.this.error;
						}
						throw new PluginException("row " + n + " has a formula that cannot be read");
					}
					this.next++;
					return Map.of("n", n, "tag", options.text("tag", ""));
				}

				@Override
				public long position() {
					return this.next - 1;
				}

				@Override
				public void close() {
				}

			};
		}

	}

	private static ItemStreamReader<InputItem> reader(InputFormat format) {
		return InputReaders.reader(new InputSource(new PluginInputFormat("numbers",
				new Provided<>(format, "plugins/numbers.jar")), Path.of("numbers.dat"), "n", "numbers.dat",
				Options.of(Map.of("tag", "x"))));
	}

	@Test
	void aRestartOpensThePluginsReaderAtThePositionSavedAfterTheLastItemHandedOut() throws Exception {
		Numbers format = new Numbers(false);
		ItemStreamReader<InputItem> first = reader(format);
		ExecutionContext context = new ExecutionContext();
		first.open(context);
		InputItem one = first.read();
		first.read();
		first.update(context);
		first.read(); // read ahead, never committed
		first.close();

		ItemStreamReader<InputItem> resumed = reader(format);
		resumed.open(context);
		List<InputItem> rest = new ArrayList<>();
		for (InputItem item = resumed.read(); item != null; item = resumed.read()) {
			rest.add(item);
		}
		resumed.close();

		assertThat(format.openedAt).containsExactly(0L, 2L);
		assertThat(one.seq()).isEqualTo(1);
		assertThat(one.id()).isEqualTo("1");
		assertThat(one.fields()).containsEntry("tag", "x");
		assertThat(rest).extracting(InputItem::seq).containsExactly(3L, 4L, 5L);
		assertThat(rest).extracting(InputItem::id).containsExactly("3", "4", "5");
	}

	@Test
	void aRecordThePluginCannotReadFailsThatItemAloneWithItsMessage() throws Exception {
		ItemStreamReader<InputItem> reader = reader(new Numbers(false));
		reader.open(new ExecutionContext());
		List<InputItem> items = new ArrayList<>();
		for (InputItem item = reader.read(); item != null; item = reader.read()) {
			items.add(item);
		}

		assertThat(items).extracting(InputItem::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
		assertThat(items.get(2).error()).isEqualTo("numbers.dat (input format numbers (plugins/numbers.jar)): row 3 "
				+ "has a formula that cannot be read");
		assertThat(items).filteredOn((item) -> item.error() == null).hasSize(4);
	}

	@Test
	void anErrorThePluginThrowsOnARecordFailsThatItemAloneButTheJvmsOwnFailuresGoThrough() throws Exception {
		for (Error error : List.of(new AssertionError("row 3 is odd"), new StackOverflowError())) {
			ItemStreamReader<InputItem> reader = reader(new Numbers(false, error));
			reader.open(new ExecutionContext());
			List<InputItem> items = new ArrayList<>();
			for (InputItem item = reader.read(); item != null; item = reader.read()) {
				items.add(item);
			}

			assertThat(items).extracting(InputItem::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
			assertThat(items.get(2).error()).isEqualTo("numbers.dat (input format numbers (plugins/numbers.jar)) "
					+ "failed: " + error.getClass().getSimpleName()
					+ ((error.getMessage() != null) ? ": " + error.getMessage() : ""));
		}
		ItemStreamReader<InputItem> reader = reader(new Numbers(false, new OutOfMemoryError("Java heap space")));
		reader.open(new ExecutionContext());
		reader.read();
		reader.read();
		assertThatExceptionOfType(OutOfMemoryError.class).isThrownBy(reader::read);
	}

	@Test
	void aReaderThatFailsWithoutMovingOnStopsTheRunNamingThePlugin() throws Exception {
		ItemStreamReader<InputItem> reader = reader(new Numbers(true));
		reader.open(new ExecutionContext());
		reader.read();
		reader.read();

		assertThatExceptionOfType(InputException.class).isThrownBy(reader::read)
			.withMessage("input format numbers (plugins/numbers.jar) reading numbers.dat after position 2: row 3 has a "
					+ "formula that cannot be read");
	}

}
