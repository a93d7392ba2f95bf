package dev.dmrbatch.run.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import java.util.function.Function;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.input.InputItem;
import dev.dmrbatch.input.InputReaders;
import dev.dmrbatch.run.process.GracefulStop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamException;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * Keeps {@code concurrency} requests in flight across chunk boundaries. A plain chunk-oriented step with a task
 * executor waits for a chunk's slowest item, then commits, then reads the next chunk: the runner's slots drain at
 * every boundary. Here a feeder thread reads ahead and starts each item's conversation on the worker threads as soon
 * as a slot is free, while the step's own thread takes the finished conversations in input order and commits them
 * in chunks, so requests keep running while a chunk commits.
 * <p>
 * Restart stays exact: after each item the feeder takes a snapshot of the input reader's state, and the step saves
 * the snapshot of the last item it was handed, never the read-ahead position. A crash therefore costs what was
 * read ahead plus the uncommitted part of the chunk: at most {@code window + chunk - 1} items sent again. A stop
 * (Ctrl-C, SIGTERM) starts no other item and loses nothing: the feeder stops, the step ends its chunk with what was
 * answered, and when it closes the conversations read ahead are finished and stored beyond the committed position;
 * the resumed run skips the items it finds stored there.
 */
public final class ConversationPipeline implements ItemStreamReader<List<Conversation>>, StepExecutionListener {

	private static final Logger log = LoggerFactory.getLogger(ConversationPipeline.class);

	private static final Pending END = new Pending(null, null, null);

	/** The feeder's last word on a stop: no other item is started, and the step ends its chunk and stops. */
	private static final Pending STOP = new Pending(null, null, null);

	private final ItemStreamReader<InputItem> input;

	private final Function<InputItem, List<Conversation>> conversation;

	private final Executor workers;

	private final Semaphore slots;

	/** Items read ahead and not yet handed to the step, finished or not. */
	private final BlockingQueue<Pending> ahead;

	private final Semaphore window;

	private Thread feeder;

	private final ConversationStore store;

	/** Stores what was read ahead when the step ends, as the step's writer stores a chunk: with its verdicts. */
	private final Consumer<List<Conversation>> storeAhead;

	private ExecutionContext handedOut;

	private StepExecution step;

	/**
	 * Items stored past the committed position, by an earlier stop or by another partition layout: read, never
	 * sent again.
	 */
	private java.util.function.LongPredicate storedAhead = (seq) -> false;

	/** The last record this pipeline reads: the end of its partition's range. */
	private final long upTo;

	private boolean ended;

	public ConversationPipeline(ItemStreamReader<InputItem> input, Function<InputItem, List<Conversation>> conversation,
			Executor workers, int concurrency, int window, ConversationStore store,
			Consumer<List<Conversation>> storeAhead, long upTo) {
		this.store = store;
		this.storeAhead = storeAhead;
		this.upTo = upTo;
		this.input = input;
		this.conversation = conversation;
		this.workers = workers;
		this.slots = new Semaphore(concurrency);
		this.window = new Semaphore(window);
		this.ahead = new ArrayBlockingQueue<>(window + 1);
	}

	@Override
	public void beforeStep(StepExecution stepExecution) {
		this.step = stepExecution;
	}

	@Override
	public void open(ExecutionContext context) throws ItemStreamException {
		this.input.open(context);
		this.handedOut = snapshot();
		if (this.step != null) {
			this.storedAhead = this.store.storedBetween(runId(), this.handedOut.getLong(InputReaders.POSITION, 0L),
					this.upTo);
		}
		this.feeder = new Thread(this::feed, "read-ahead");
		this.feeder.setDaemon(true);
		this.feeder.start();
	}

	@Override
	public List<Conversation> read() throws Exception {
		while (!this.ended) {
			Pending next = this.ahead.take();
			if (next == END) {
				this.ended = true;
				return null;
			}
			if (next == STOP) {
				// the chunk ends with what was answered; the step, told to stop, stops instead of completing
				this.step.setTerminateOnly();
				this.ended = true;
				return null;
			}
			this.window.release();
			List<Conversation> result;
			try {
				result = next.result().get();
			}
			catch (ExecutionException ex) {
				throw (ex.getCause() instanceof Exception cause) ? cause : ex;
			}
			this.handedOut = next.state();
			if (result != null) {
				return result;
			}
			// a blank line: nothing was asked, nothing to store; its position counts all the same
		}
		return null;
	}

	@Override
	public void update(ExecutionContext context) throws ItemStreamException {
		this.handedOut.entrySet().forEach((entry) -> context.put(entry.getKey(), entry.getValue()));
	}

	@Override
	public void close() throws ItemStreamException {
		if (this.feeder != null) {
			this.feeder.interrupt();
			try {
				this.feeder.join(10_000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		storeReadAhead();
		this.input.close();
	}

	/**
	 * What was read ahead and not handed out: on a stop, finished (the requests in flight complete) and stored; on a
	 * failure, what had already finished is stored. The rest is read and sent again when the run resumes.
	 */
	private void storeReadAhead() {
		boolean stopping = this.step != null && this.step.isTerminateOnly();
		List<Conversation> finished = new ArrayList<>();
		for (Pending pending : this.ahead) {
			if (pending == END || pending.state() == null) {
				break;
			}
			try {
				List<Conversation> result = stopping ? pending.result().get() : pending.result().getNow(null);
				if (result == null && !pending.result().isDone()) {
					break; // keep input order: nothing after a gap is stored
				}
				if (result != null) {
					finished.addAll(result);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
			catch (ExecutionException | RuntimeException ex) {
				break;
			}
		}
		this.ahead.clear();
		if (!finished.isEmpty() && this.step != null) {
			this.storeAhead.accept(finished);
			log.info("stored {} conversations that were read ahead when the step ended; the resumed run skips them",
					finished.size());
		}
	}

	private long runId() {
		return this.step.getJobExecution().getJobInstanceId();
	}

	/** The feeder: reads an item when the window has room and starts it when a slot is free. */
	private void feed() {
		try {
			while (!Thread.currentThread().isInterrupted()) {
				this.window.acquire();
				if (stopping()) {
					this.ahead.put(STOP);
					return;
				}
				InputItem item;
				ExecutionContext state;
				try {
					item = this.input.read();
					state = snapshot();
				}
				catch (Exception ex) {
					this.ahead.put(new Pending(null, CompletableFuture.failedFuture(ex), null));
					return;
				}
				if (item == null) {
					this.ahead.put(END);
					return;
				}
				if (this.storedAhead.test(item.seq())) {
					this.ahead.put(new Pending(item, CompletableFuture.completedFuture(null), state));
					continue;
				}
				this.slots.acquire();
				if (stopping()) {
					// read, not sent: its position was not handed out, so the resumed run reads it again
					this.slots.release();
					this.ahead.put(STOP);
					return;
				}
				CompletableFuture<List<Conversation>> result = new CompletableFuture<>();
				this.ahead.put(new Pending(item, result, state));
				try {
					this.workers.execute(() -> {
						try {
							result.complete(this.conversation.apply(item));
						}
						catch (Throwable ex) {
							result.completeExceptionally(ex);
						}
						finally {
							this.slots.release();
						}
					});
				}
				catch (RuntimeException ex) {
					this.slots.release();
					result.completeExceptionally(ex);
					return;
				}
			}
		}
		catch (InterruptedException ex) {
			// the step is closing
		}
		catch (RuntimeException | Error ex) {
			// never a silent end: the step waiting for the next item fails with it
			if (!this.ahead.offer(new Pending(null, CompletableFuture.failedFuture(ex), null))) {
				log.error("the read-ahead thread failed ({})", ex.getClass().getName());
			}
		}
	}

	/**
	 * Whether the run is asked to stop (Ctrl-C, SIGTERM, the web app's stop, a worker leaving): then the items in
	 * flight finish and no other is started. Without this, the step would notice the stop only as its chunk commits,
	 * and the rest of the chunk would be sent first, one slow answer after another.
	 */
	private boolean stopping() {
		StepExecution step = this.step;
		if (step == null) {
			return false;
		}
		return step.isTerminateOnly() || GracefulStop.asked(step.getJobExecution());
	}

	private ExecutionContext snapshot() {
		ExecutionContext state = new ExecutionContext();
		this.input.update(state);
		return state;
	}

	private record Pending(InputItem item, CompletableFuture<List<Conversation>> result, ExecutionContext state) {
	}

}
