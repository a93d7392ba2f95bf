package dev.dmrbatch.progress;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongFunction;

import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunTotals;
import dev.dmrbatch.conversation.StoreFolder;
import dev.dmrbatch.input.InputItem;
import dev.dmrbatch.input.InputReaders;
import dev.dmrbatch.input.InputSource;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.Curses;
import org.jline.utils.InfoCmp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.ItemWriteListener;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * Shows a run's progress while it runs and keeps its log in the output folder. On a terminal: one live line on
 * stderr, redrawn in place five times a second (log lines are written above it). Otherwise (cron, CI, a pipe):
 * a plain {@code progress:} log line at the configured interval, no control characters. The input's total is
 * counted in the background by a second reader, so the first request never waits for it.
 */
public final class ProgressListener implements JobExecutionListener, ItemWriteListener<List<Conversation>> {

	private static final Logger log = LoggerFactory.getLogger(ProgressListener.class);

	/** A logger whose lines go into the run's log only, not to the console: the summary, which stdout has. */
	public static final String RUN_LOG_ONLY = RunLogFile.RUN_LOG_ONLY;

	private final ProgressProperties settings;

	private final ConversationStore store;

	private final InputSource input;

	private final LongFunction<Path> outputFolder;

	private ProgressMeter meter;

	private ScheduledExecutorService ticker;

	private Terminal terminal;

	private TerminalLine line;

	private RunLogFile logFile;

	private final int models;

	private final Consumer<JobExecution> ending;

	private java.util.function.Supplier<String> waitingOn = () -> null;

	/** The stored items whose failed conversations this job asks again ({@code retry=failed}): not done yet. */
	private long replacing;

	/**
	 * @param models how many conversations each item has: one per model, and per repetition ({@code repeat=N})
	 * @param ending what to do as the job ends, before the run's log is closed
	 */
	public ProgressListener(ProgressProperties settings, ConversationStore store, InputSource input, int models,
			LongFunction<Path> outputFolder, Consumer<JobExecution> ending) {
		this.ending = ending;
		this.models = Math.max(1, models);
		this.settings = settings;
		this.store = store;
		this.input = input;
		this.outputFolder = outputFolder;
	}

	/**
	 * Counts {@code items} stored items as not done yet: this job asks their failed conversations again
	 * ({@code retry=failed}), and each counts as done once it is stored again.
	 */
	public ProgressListener replacing(long items) {
		this.replacing = items;
		return this;
	}

	@Override
	public void beforeJob(JobExecution execution) {
		long runId = execution.getJobInstanceId();
		Path folder = this.outputFolder.apply(runId);
		try {
			StoreFolder.createPrivate(folder);
			this.logFile = RunLogFile.open(folder);
		}
		catch (IOException | RuntimeException ex) {
			log.warn("cannot keep the run's log in {}: {}", folder, ex.getMessage());
		}
		RunTotals before = this.store.totals(runId);
		log.info("{} run {} (execution {}): {} items stored before, output in {}", execution.getJobInstance().getJobName(),
				runId, execution.getId(), before.conversations(), folder);
		// items, not conversations: with several models each item has one conversation per model
		this.meter = new ProgressMeter(Math.max(0, before.conversations() / this.models - this.replacing),
				Math.max(0, before.failed() / this.models - this.replacing));
		this.meter.waitingOn(this.waitingOn);
		if (this.settings.mode() == ProgressProperties.Mode.OFF) {
			return;
		}
		this.ticker = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "progress");
			thread.setDaemon(true);
			return thread;
		});
		this.ticker.execute(() -> countInput(runId));
		if (this.settings.mode() != ProgressProperties.Mode.PLAIN && openTerminal()) {
			this.line.show();
			this.ticker.scheduleWithFixedDelay(() -> this.line.draw(this.meter.compactLine()), 0, 200, TimeUnit.MILLISECONDS);
		}
		else {
			this.ticker.scheduleWithFixedDelay(new PlainLines(), 500, 500, TimeUnit.MILLISECONDS);
		}
	}

	/**
	 * What the run's requests wait on besides the runner, while they do: the limits ({@code rate=10/s}) a request is
	 * waiting on, else {@code null}. The progress line says so.
	 */
	public void waitingOn(java.util.function.Supplier<String> waitingOn) {
		this.waitingOn = waitingOn;
	}

	/**
	 * The run's items as the store has them now, stored by other processes (a cluster's workers): what the progress
	 * shows when this process stores none itself.
	 * @param tokensReceived the completion tokens received since the job started
	 */
	public void storedElsewhere(RunTotals totals, long tokensReceived) {
		ProgressMeter meter = this.meter;
		if (meter != null) {
			meter.storedInAll(totals.conversations() / this.models, totals.failed() / this.models, tokensReceived);
		}
	}

	@Override
	public void afterWrite(Chunk<? extends List<Conversation>> items) {
		for (List<Conversation> item : items) {
			this.meter.record(item);
			for (Conversation conversation : item) {
				if (!log.isDebugEnabled()) {
					break;
				}
				log.debug("stored record {} (id {}, {}): {}, {} ms, {} tokens out{}", conversation.itemSeq(),
						conversation.itemId(), conversation.model(), conversation.status(), conversation.latencyMillis(),
						conversation.completionTokens(), (conversation.error() != null) ? ": " + conversation.error() : "");
			}
		}
	}

	@Override
	public void afterJob(JobExecution execution) {
		if (this.ticker != null) {
			this.ticker.shutdownNow();
			try {
				this.ticker.awaitTermination(2, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		if (this.line != null) {
			this.line.close();
		}
		if (this.meter != null && this.settings.mode() != ProgressProperties.Mode.OFF) {
			log.info("progress: {}", this.meter.line());
		}
		if (this.terminal != null) {
			try {
				this.terminal.close();
			}
			catch (IOException ex) {
				// nothing was changed on the terminal; nothing to restore
			}
		}
		try {
			this.ending.accept(execution);
		}
		finally {
			if (this.logFile != null) {
				this.logFile.close();
			}
		}
	}

	/** Counts the input with a reader of its own; a problem leaves the total unknown (the run's reader reports it). */
	private void countInput(long runId) {
		long count = 0;
		try {
			ItemStreamReader<InputItem> reader = InputReaders.reader(this.input);
			reader.open(new ExecutionContext());
			try {
				while (reader.read() != null) {
					count++;
					if (Thread.currentThread().isInterrupted()) {
						return;
					}
				}
			}
			finally {
				reader.close();
			}
			this.meter.total(count);
			// once per run, for those who watch it from another process (job=serve)
			this.store.saveTotalItems(runId, count);
		}
		catch (Exception ex) {
			log.debug("the input's items were not counted: {}", ex.getMessage());
		}
	}

	/** A live line when stderr is a terminal JLine knows (not "dumb"), or when the mode says terminal. */
	private boolean openTerminal() {
		try {
			Terminal terminal = TerminalBuilder.builder()
				.system(true)
				.systemOutput(TerminalBuilder.SystemOutput.SysErr)
				.nativeSignals(false) // Ctrl-C stays with GracefulStop
				.dumb(true)
				.build();
			boolean dumb = terminal.getType().startsWith(Terminal.TYPE_DUMB);
			if (dumb && this.settings.mode() != ProgressProperties.Mode.TERMINAL) {
				terminal.close();
				return false;
			}
			String clear = terminal.getStringCapability(InfoCmp.Capability.clr_eol);
			StringWriter clearToEnd = new StringWriter();
			if (clear != null) {
				Curses.tputs(clearToEnd, clear);
			}
			this.terminal = terminal;
			this.line = new TerminalLine(System.err, () -> (terminal.getWidth() > 0) ? terminal.getWidth() : 80,
					(clearToEnd.getBuffer().length() > 0) ? clearToEnd.toString() : "\u001b[K");
			return true;
		}
		catch (IOException | RuntimeException | LinkageError ex) {
			log.debug("no terminal for the progress line: {}", ex.getMessage());
			return false;
		}
	}

	/** A plain line every interval, or at every step of the percent when that is the setting and the total known. */
	private final class PlainLines implements Runnable {

		private long last = System.nanoTime();

		private int lastPercent;

		@Override
		public void run() {
			ProgressMeter meter = ProgressListener.this.meter;
			int step = ProgressListener.this.settings.percentStep();
			int percent = meter.percent();
			boolean due;
			if (step > 0 && percent >= 0) {
				due = percent / step > this.lastPercent / step && percent < 100;
			}
			else {
				due = System.nanoTime() - this.last >= ProgressListener.this.settings.intervalMillis() * 1_000_000;
			}
			if (due) {
				this.last = System.nanoTime();
				this.lastPercent = Math.max(percent, 0);
				log.info("progress: {}", meter.line());
			}
		}

	}

}
