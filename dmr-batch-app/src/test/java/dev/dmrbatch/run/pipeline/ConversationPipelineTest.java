package dev.dmrbatch.run.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongPredicate;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.input.InputItem;
import dev.dmrbatch.input.InputReaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.batch.test.MetaDataInstanceFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The pipeline between the input and the step: items started ahead on the workers as slots free up, handed to the
 * step in input order, the step's saved position never ahead of what it was handed, and what was read ahead stored
 * on a stop. No runner: an item's conversation is a function of the test's own.
 */
class ConversationPipelineTest {

	private final ExecutorService workers = Executors.newCachedThreadPool();

	private final List<Long> started = new CopyOnWriteArrayList<>();

	@AfterEach
	void close() {
		this.workers.shutdownNow();
	}

	@Test
	void itemsStartBeforeTheStepAsksUpToTheWindowAndNoMoreThanTheConcurrencyRunAtOnce() throws Exception {
		Items input = new Items(40);
		AtomicInteger running = new AtomicInteger();
		AtomicInteger most = new AtomicInteger();
		CountDownLatch fourAtOnce = new CountDownLatch(4);
		ConversationPipeline pipeline = pipeline(input, (item) -> {
			most.accumulateAndGet(running.incrementAndGet(), Math::max);
			fourAtOnce.countDown();
			await(fourAtOnce);
			sleep((item.seq() % 3 == 1) ? 5 : 0); // some finish after later ones
			running.decrementAndGet();
			return answered(item);
		}, 4, 6);

		pipeline.open(new ExecutionContext());

		// before the step asks for anything: the window read, the first items running
		assertThat(fourAtOnce.await(5, TimeUnit.SECONDS)).as("four running before the step asked").isTrue();
		awaitTrue(() -> input.reads.get() == 6);
		sleep(20);
		assertThat(input.reads.get()).as("items read ahead of the step").isEqualTo(6);

		List<Long> handed = readAll(pipeline);
		pipeline.close();

		assertThat(handed).containsExactlyElementsOf(seqs(1, 40));
		assertThat(most.get()).as("requests at once").isEqualTo(4);
	}

	@Test
	void theSavedPositionIsThatOfTheLastItemHandedOutNotOfTheReadAhead() throws Exception {
		Items input = new Items(20);
		ConversationPipeline pipeline = pipeline(input, ConversationPipelineTest::answered, 2, 8);
		pipeline.open(new ExecutionContext());
		awaitTrue(() -> input.reads.get() == 8);

		pipeline.read();
		pipeline.read();
		ExecutionContext saved = new ExecutionContext();
		pipeline.update(saved);
		pipeline.close();

		assertThat(saved.getLong(InputReaders.POSITION)).isEqualTo(2);
	}

	@Test
	void aRestartedPipelineGoesOnFromTheSavedPosition() throws Exception {
		ExecutionContext saved = new ExecutionContext();
		saved.putLong(InputReaders.POSITION, 7);
		ConversationPipeline pipeline = pipeline(new Items(10), ConversationPipelineTest::answered, 2, 4);
		pipeline.open(saved);

		assertThat(readAll(pipeline)).containsExactly(8L, 9L, 10L);
		pipeline.close();
		assertThat(this.started).containsExactlyInAnyOrder(8L, 9L, 10L);
	}

	@Test
	void aBlankLineIsNotHandedOutButItsPositionCounts() throws Exception {
		Items input = new Items(4);
		input.blank.add(2L);
		input.blank.add(4L);
		ConversationPipeline pipeline = pipeline(input, (item) -> item.isBlank() ? null : answered(item), 2, 4);
		pipeline.open(new ExecutionContext());

		assertThat(pipeline.read()).extracting(Conversation::itemSeq).containsExactly(1L);
		assertThat(pipeline.read()).extracting(Conversation::itemSeq).containsExactly(3L);
		assertThat(pipeline.read()).isNull();
		ExecutionContext saved = new ExecutionContext();
		pipeline.update(saved);
		pipeline.close();

		assertThat(saved.getLong(InputReaders.POSITION)).isEqualTo(4);
	}

	@Test
	void anItemWhoseConversationThrowsFailsTheReadWithThatExceptionInItsTurn() throws Exception {
		ConversationPipeline pipeline = pipeline(new Items(6), (item) -> {
			if (item.seq() == 3) {
				throw new RunnerUnavailableException("cannot reach the model runner", null);
			}
			return answered(item);
		}, 2, 4);
		pipeline.open(new ExecutionContext());

		assertThat(pipeline.read()).extracting(Conversation::itemSeq).containsExactly(1L);
		assertThat(pipeline.read()).extracting(Conversation::itemSeq).containsExactly(2L);
		assertThatExceptionOfType(RunnerUnavailableException.class).isThrownBy(pipeline::read)
			.withMessage("cannot reach the model runner");
		ExecutionContext saved = new ExecutionContext();
		pipeline.update(saved);
		pipeline.close();
		assertThat(saved.getLong(InputReaders.POSITION)).isEqualTo(2);
	}

	@Test
	void anInputThatFailsFailsTheReadInItsTurn() throws Exception {
		Items input = new Items(5);
		input.failAt = 3;
		ConversationPipeline pipeline = pipeline(input, ConversationPipelineTest::answered, 2, 4);
		pipeline.open(new ExecutionContext());

		assertThat(pipeline.read()).isNotNull();
		assertThat(pipeline.read()).isNotNull();
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(pipeline::read)
			.withMessage("input/items.csv line 4: unreadable");
		pipeline.close();
	}

	@Test
	void onAStopWhatWasReadAheadIsFinishedAndStoredInInputOrder() throws Exception {
		CountDownLatch handOut = new CountDownLatch(1);
		Store store = new Store((seq) -> false);
		ConversationPipeline pipeline = pipeline(new Items(30), (item) -> {
			if (item.seq() > 1) {
				await(handOut); // in flight when the stop comes
			}
			return answered(item);
		}, 4, 6, store);
		StepExecution step = MetaDataInstanceFactory.createStepExecution();
		pipeline.beforeStep(step);
		pipeline.open(new ExecutionContext());
		assertThat(pipeline.read()).extracting(Conversation::itemSeq).containsExactly(1L);
		awaitTrue(() -> this.started.size() >= 5);

		// when: the step is stopped (Ctrl-C, SIGTERM) and closes while items 2 to 5 are in flight
		step.setTerminateOnly();
		Thread close = new Thread(pipeline::close);
		close.start();
		sleep(20);
		handOut.countDown();
		close.join(5000);

		// then: everything read ahead was finished and stored, in input order, for the resumed run to skip
		assertThat(store.saved).containsExactlyElementsOf(seqs(2, this.started.size()));
	}

	@Test
	void onAFailureOnlyWhatHadFinishedBeforeTheFirstGapIsStored() throws Exception {
		CountDownLatch never = new CountDownLatch(1);
		Store store = new Store((seq) -> false);
		ConversationPipeline pipeline = pipeline(new Items(30), (item) -> {
			if (item.seq() == 4) {
				await(never); // still running when the step fails
			}
			return answered(item);
		}, 4, 8, store);
		pipeline.beforeStep(MetaDataInstanceFactory.createStepExecution());
		pipeline.open(new ExecutionContext());
		assertThat(pipeline.read()).extracting(Conversation::itemSeq).containsExactly(1L);
		awaitTrue(() -> this.started.size() >= 7);
		sleep(20);

		pipeline.close();
		never.countDown();

		assertThat(store.saved).containsExactly(2L, 3L);
	}

	@Test
	void itemsStoredAheadByAnEarlierStopAreReadButNeverSentAgain() throws Exception {
		Store store = new Store((seq) -> seq == 3 || seq == 4);
		ConversationPipeline pipeline = pipeline(new Items(6), ConversationPipelineTest::answered, 2, 4, store);
		pipeline.beforeStep(MetaDataInstanceFactory.createStepExecution());
		pipeline.open(new ExecutionContext());

		assertThat(readAll(pipeline)).containsExactly(1L, 2L, 5L, 6L);
		ExecutionContext saved = new ExecutionContext();
		pipeline.update(saved);
		pipeline.close();

		assertThat(this.started).containsExactlyInAnyOrder(1L, 2L, 5L, 6L);
		assertThat(saved.getLong(InputReaders.POSITION)).isEqualTo(6);
		assertThat(store.asked).containsExactly("after 0 up to 6");
	}

	private ConversationPipeline pipeline(Items input, Function<InputItem, List<Conversation>> conversation,
			int concurrency, int window) {
		return pipeline(input, conversation, concurrency, window, new Store((seq) -> false));
	}

	private ConversationPipeline pipeline(Items input, Function<InputItem, List<Conversation>> conversation,
			int concurrency, int window, Store store) {
		return new ConversationPipeline(input, (item) -> {
			this.started.add(item.seq());
			return conversation.apply(item);
		}, this.workers, concurrency, window, store, store::keep, input.items);
	}

	private static List<Conversation> answered(InputItem item) {
		return List.of(Conversation.answered(item.seq(), item.id(), "ai/tiny", List.of(), List.of()));
	}

	private static List<Long> readAll(ConversationPipeline pipeline) throws Exception {
		List<Long> handed = new ArrayList<>();
		for (List<Conversation> next = pipeline.read(); next != null; next = pipeline.read()) {
			next.forEach((conversation) -> handed.add(conversation.itemSeq()));
		}
		return handed;
	}

	private static List<Long> seqs(long from, long to) {
		return java.util.stream.LongStream.rangeClosed(from, to).boxed().toList();
	}

	private static void awaitTrue(java.util.function.BooleanSupplier condition) {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
		while (!condition.getAsBoolean()) {
			assertThat(System.nanoTime()).as("waited 5 s").isLessThan(deadline);
			sleep(1);
		}
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** Items 1 to n, with their position saved as the input readers save theirs; some blank, one unreadable. */
	private static final class Items implements ItemStreamReader<InputItem> {

		final long items;

		final Set<Long> blank = ConcurrentHashMap.newKeySet();

		final AtomicInteger reads = new AtomicInteger();

		long failAt;

		private long position;

		Items(long items) {
			this.items = items;
		}

		@Override
		public void open(ExecutionContext context) {
			this.position = context.getLong(InputReaders.POSITION, 0L);
		}

		@Override
		public InputItem read() {
			if (this.position >= this.items) {
				return null;
			}
			this.reads.incrementAndGet();
			long seq = ++this.position;
			if (seq == this.failAt) {
				throw new IllegalStateException("input/items.csv line " + (seq + 1) + ": unreadable");
			}
			return new InputItem(seq, "r" + seq, Map.of("text", "item " + seq), null, this.blank.contains(seq));
		}

		@Override
		public void update(ExecutionContext context) {
			context.putLong(InputReaders.POSITION, this.position);
		}

	}

	/** Which items are stored ahead (the store's answer), and what the pipeline hands on to be stored at the end. */
	private static final class Store extends ConversationStore {

		final List<Long> saved = new CopyOnWriteArrayList<>();

		final List<String> asked = new CopyOnWriteArrayList<>();

		private final LongPredicate storedAhead;

		Store(LongPredicate storedAhead) {
			super(new org.springframework.jdbc.core.JdbcTemplate());
			this.storedAhead = storedAhead;
		}

		@Override
		public LongPredicate storedBetween(long runId, long after, long upTo) {
			this.asked.add("after " + after + " up to " + upTo);
			return this.storedAhead;
		}

		/** What the step's writer is given to store: the conversations read ahead, with their verdicts. */
		void keep(List<Conversation> conversations) {
			conversations.forEach((conversation) -> this.saved.add(conversation.itemSeq()));
		}

	}

}
