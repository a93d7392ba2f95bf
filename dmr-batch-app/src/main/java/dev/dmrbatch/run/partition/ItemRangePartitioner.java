package dev.dmrbatch.run.partition;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.dmrbatch.input.InputItem;
import dev.dmrbatch.input.InputReaders;
import dev.dmrbatch.input.InputSource;
import dev.dmrbatch.run.plan.RunException;

import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * Splits the input into {@code gridSize} ranges of consecutive records, named by their first and last record so a
 * restart finds the same partitions (Spring Batch keeps the grid size of the first execution). Counting the input
 * costs one read of it, which is why a run with one runner is not partitioned at all. A trial run's input is its
 * items only ({@link InputReaders#reader}): its ranges are positions among them.
 */
public final class ItemRangePartitioner implements Partitioner {

	/** Below this many records a range is not worth a partition of its own. */
	static final int SMALLEST_RANGE = 16;

	private final InputSource input;

	public ItemRangePartitioner(InputSource input) {
		this.input = input;
	}

	@Override
	public Map<String, ExecutionContext> partition(int gridSize) {
		long count = count();
		long ranges = Math.max(1, Math.min(gridSize, count / SMALLEST_RANGE));
		Map<String, ExecutionContext> partitions = new LinkedHashMap<>();
		long first = 1;
		for (long i = 0; i < ranges; i++) {
			long size = count / ranges + ((i < count % ranges) ? 1 : 0);
			long last = first + size - 1;
			ExecutionContext context = new ExecutionContext();
			context.putLong(RangeReader.FIRST, first);
			context.putLong(RangeReader.LAST, last);
			partitions.put(String.format("items-%d-%d", first, last), context);
			first = last + 1;
		}
		return partitions;
	}

	private long count() {
		ItemStreamReader<InputItem> reader = InputReaders.reader(this.input);
		reader.open(new ExecutionContext());
		try {
			long count = 0;
			while (reader.read() != null) {
				count++;
			}
			return count;
		}
		catch (Exception ex) {
			throw new RunException("cannot count the records of " + this.input.display() + ": " + ex.getMessage());
		}
		finally {
			reader.close();
		}
	}

}
