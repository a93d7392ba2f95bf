package dev.dmrbatch.web;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.history.RunHistory;
import dev.dmrbatch.history.RunSummary;
import dev.dmrbatch.run.process.RunProcesses;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * A run's events as a server-sent stream, read from the store once a second, so a run going on in another process
 * is seen as it goes: {@code progress} ({@code done}, {@code total}, {@code failed}, {@code items_per_s}) every
 * second while it runs, {@code item} for each item stored since the stream opened (in input order), and {@code end}
 * with its final status, at once for a run that is not running ({@code ABANDONED} for one whose process was killed).
 */
@Component
@ConditionalOnWebApplication
class RunEvents implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(RunEvents.class);

	/** The statuses of a run going on. */
	static final Set<String> RUNNING = Set.of("STARTING", "STARTED", "STOPPING");

	/** The status of a run left running by a process that is gone. */
	static final String ABANDONED = "ABANDONED";

	/** The window the rate is measured over. */
	private static final long RATE_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);

	private final ScheduledExecutorService ticker = Executors.newScheduledThreadPool(2, (task) -> {
		Thread thread = new Thread(task, "run-events");
		thread.setDaemon(true);
		return thread;
	});

	private final RunHistory history;

	private final ConversationStore store;

	private final RunProcesses processes;

	RunEvents(RunHistory history, ConversationStore store, RunProcesses processes) {
		this.history = history;
		this.store = store;
		this.processes = processes;
	}

	/**
	 * The run's status as the app shows it: {@link #ABANDONED} for a run left running by a process that is gone
	 * (killed), which no process will end; the next {@code job=<name>} resumes it.
	 */
	String status(RunSummary run) {
		if (RUNNING.contains(run.status()) && !run.executions().isEmpty()) {
			long last = run.executions().stream().mapToLong(RunSummary.Execution::id).max().getAsLong();
			if (this.processes.abandoned(last)) {
				return ABANDONED;
			}
		}
		return run.status();
	}

	boolean running(RunSummary run) {
		return RUNNING.contains(status(run));
	}

	SseEmitter watch(RunRecord run) {
		SseEmitter emitter = new SseEmitter(0L);
		Watch watch = new Watch(run, emitter, this.store.lastItemSeq(run.id()));
		ScheduledFuture<?> future = this.ticker.scheduleWithFixedDelay(watch, 0, 1, TimeUnit.SECONDS);
		watch.future = future;
		emitter.onCompletion(() -> future.cancel(false));
		emitter.onTimeout(() -> future.cancel(false));
		emitter.onError((ex) -> future.cancel(false));
		return emitter;
	}

	/** The figures of the progress event: items, not conversations (one per item and model). */
	static Map<String, Object> progress(ConversationStore.ItemCounts counts, Long total, double rate) {
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("done", counts.items());
		data.put("total", total);
		data.put("failed", counts.failed());
		data.put("items_per_s", Math.round(rate * 100) / 100.0);
		return data;
	}

	@Override
	public void destroy() {
		this.ticker.shutdownNow();
	}

	private final class Watch implements Runnable {

		private final RunRecord run;

		private final SseEmitter emitter;

		private long lastSeq;

		private final Deque<long[]> samples = new ArrayDeque<>();

		private volatile ScheduledFuture<?> future;

		private boolean ended;

		Watch(RunRecord run, SseEmitter emitter, long lastSeq) {
			this.run = run;
			this.emitter = emitter;
			this.lastSeq = lastSeq;
		}

		@Override
		public void run() {
			if (this.ended) {
				return;
			}
			try {
				RunSummary summary = RunEvents.this.history.summary(this.run);
				for (ConversationStore.StoredItem item : RunEvents.this.store.storedAfter(this.run.id(), this.lastSeq,
						500)) {
					Map<String, Object> data = new LinkedHashMap<>();
					data.put("seq", item.seq());
					data.put("id", item.id());
					data.put("model", item.model());
					data.put("status", item.status());
					this.emitter.send(SseEmitter.event().name("item").data(data, MediaType.APPLICATION_JSON));
					this.lastSeq = Math.max(this.lastSeq, item.seq());
				}
				long now = System.nanoTime();
				ConversationStore.ItemCounts counts = RunEvents.this.store.itemCounts(this.run.id());
				long done = counts.items();
				this.samples.addLast(new long[] { now, done });
				while (this.samples.size() > 2 && now - this.samples.peekFirst()[0] > RATE_WINDOW_NANOS) {
					this.samples.removeFirst();
				}
				long[] first = this.samples.peekFirst();
				double rate = (now > first[0]) ? (done - first[1]) / ((now - first[0]) / 1e9) : 0;
				Long total = RunEvents.this.store.totalItems(this.run.id()).orElse(null);
				this.emitter.send(SseEmitter.event()
					.name("progress")
					.data(progress(counts, total, rate), MediaType.APPLICATION_JSON));
				String status = status(summary);
				if (!RUNNING.contains(status)) {
					Map<String, Object> end = new LinkedHashMap<>();
					end.put("status", status);
					end.put("exit_code", summary.exitCode());
					this.emitter.send(SseEmitter.event().name("end").data(end, MediaType.APPLICATION_JSON));
					stop();
					this.emitter.complete();
				}
			}
			catch (IOException | IllegalStateException ex) {
				// the browser went away
				stop();
			}
			catch (RuntimeException ex) {
				log.warn("events of run {} stopped: {}", this.run.id(), ex.getMessage());
				stop();
				this.emitter.completeWithError(ex);
			}
		}

		private void stop() {
			this.ended = true;
			ScheduledFuture<?> scheduled = this.future;
			if (scheduled != null) {
				scheduled.cancel(false);
			}
		}

	}

}
