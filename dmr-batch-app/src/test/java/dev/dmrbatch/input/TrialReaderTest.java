package dev.dmrbatch.input;

import java.util.ArrayList;
import java.util.List;

import dev.dmrbatch.run.partition.RangeReader;
import dev.dmrbatch.support.Kinds;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A trial's part of the input: the reservoir draws uniformly, the same for a seed, holding no more than its size;
 * the reader gives the chosen records with their own numbers and ids, as read, and resumes where it stopped.
 */
@ExtendWith(WorkspaceExtension.class)
class TrialReaderTest {

	Workspace workspace;

	@Test
	void theReservoirDrawsEachRecordAboutEquallyOftenAndHoldsNoMoreThanItsSize() {
		int[] drawn = new int[100];
		for (long seed = 0; seed < 20_000; seed++) {
			Reservoir reservoir = new Reservoir(10, seed);
			for (long seq = 1; seq <= 100; seq++) {
				reservoir.offer(seq);
				assertThat(reservoir.held()).isLessThanOrEqualTo(10);
			}
			for (long seq : reservoir.sorted()) {
				drawn[(int) seq - 1]++;
			}
		}
		// each record is held with probability 10/100: 2,000 times of 20,000, give or take a few percent
		for (int count : drawn) {
			assertThat(count).isBetween(1_800, 2_200);
		}
	}

	@Test
	void theReservoirDrawsTheSameForASeedAndOtherwiseForAnother() {
		assertThat(draw(5, 7, 1_000_000)).isEqualTo(draw(5, 7, 1_000_000)).hasSize(5).isSorted();
		assertThat(draw(5, 8, 1_000_000)).isNotEqualTo(draw(5, 7, 1_000_000));
		assertThat(draw(5, 7, 3)).containsExactly(1, 2, 3);
	}

	private static long[] draw(int size, long seed, long records) {
		Reservoir reservoir = new Reservoir(size, seed);
		for (long seq = 1; seq <= records; seq++) {
			reservoir.offer(seq);
		}
		assertThat(reservoir.held()).isLessThanOrEqualTo(size);
		return reservoir.sorted();
	}

	private InputSource csv(int records, TrialSelection trial) {
		StringBuilder csv = new StringBuilder("id,text\n");
		for (int i = 1; i <= records; i++) {
			csv.append("r").append(i).append(",\"text, ").append(i).append("\"\n");
		}
		this.workspace.file("in.csv", csv.toString());
		return new InputSource(Kinds.inputFormat("csv"), this.workspace.root().resolve("in.csv"), "id", "in.csv",
				dev.dmrbatch.plugin.api.Options.none(), trial);
	}

	private static List<InputItem> read(ItemStreamReader<InputItem> reader, ExecutionContext context, int most)
			throws Exception {
		List<InputItem> items = new ArrayList<>();
		reader.open(context);
		for (InputItem item = (most != 0) ? reader.read() : null; item != null; item = reader.read()) {
			items.add(item);
			reader.update(context);
			if (items.size() == most) {
				break;
			}
		}
		reader.close();
		return items;
	}

	@Test
	void aLimitGivesTheFirstRecordsWithTheirNumbersIdsAndFields() throws Exception {
		List<InputItem> items = read(InputReaders.reader(csv(20, TrialSelection.first(3))), new ExecutionContext(), -1);
		assertThat(items).extracting(InputItem::id).containsExactly("r1", "r2", "r3");
		assertThat(items).extracting(InputItem::seq).containsExactly(1L, 2L, 3L);
		assertThat(items.get(1).fields()).containsEntry("text", "text, 2");
		assertThat(read(InputReaders.reader(csv(2, TrialSelection.first(3))), new ExecutionContext(), -1)).hasSize(2);
	}

	@Test
	void aSampleGivesTheDrawnRecordsInTheInputsOrderTheSameWhenResumed() throws Exception {
		InputSource source = csv(50, TrialSelection.sample(5, 7));
		List<InputItem> all = read(InputReaders.reader(source), new ExecutionContext(), -1);
		assertThat(all).hasSize(5);
		assertThat(all).extracting(InputItem::seq).isSorted();
		assertThat(all).allSatisfy((item) -> assertThat(item.id()).isEqualTo("r" + item.seq()));
		assertThat(read(InputReaders.reader(csv(50, TrialSelection.sample(5, 8))), new ExecutionContext(), -1))
			.extracting(InputItem::id).isNotEqualTo(all.stream().map(InputItem::id).toList());

		// stopped after two items, then resumed from the saved state: the other three, none twice
		ExecutionContext saved = new ExecutionContext();
		List<InputItem> first = read(InputReaders.reader(source), saved, 2);
		List<InputItem> rest = read(InputReaders.reader(source), saved, -1);
		assertThat(first).extracting(InputItem::id).containsExactlyElementsOf(all.subList(0, 2).stream()
			.map(InputItem::id).toList());
		assertThat(rest).extracting(InputItem::id).containsExactlyElementsOf(all.subList(2, 5).stream()
			.map(InputItem::id).toList());
	}

	@Test
	void partitionsOfASampleTakeItsItemsByPosition() throws Exception {
		InputSource source = csv(60, TrialSelection.sample(7, 3));
		List<String> all = read(InputReaders.reader(source), new ExecutionContext(), -1).stream().map(InputItem::id)
			.toList();
		List<String> parts = new ArrayList<>();
		parts.addAll(read(new RangeReader(InputReaders.reader(source), 1, 4), new ExecutionContext(), -1).stream()
			.map(InputItem::id).toList());
		parts.addAll(read(new RangeReader(InputReaders.reader(source), 5, 7), new ExecutionContext(), -1).stream()
			.map(InputItem::id).toList());
		assertThat(parts).containsExactlyElementsOf(all);
	}

}
