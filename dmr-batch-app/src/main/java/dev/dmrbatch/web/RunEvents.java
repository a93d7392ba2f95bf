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
import tools.jackson.databind.json.JsonMapper;

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
 * with its final status, at once for a run that is not running.
 */
@Component
@ConditionalOnWebApplication
class RunEvents implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(RunEvents.class);

	/** The statuses of a run going on. */
	static final Set<String> RUNNING = Set.of("STARTING", "STARTED", "STOPPING");

	/** The window the rate is measured over. */
	private static final long RATE_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);

	private static final JsonMapper JSON = JsonMapper.shared();

	private final ScheduledExecutorService ticker = Executors.newScheduledThreadPool(2, (task) -> {
		Thread thread = new Thread(task, "run-events");
		thread.setDaemon(true);
		return thread;
	});

	private final RunHistory history;

	private final ConversationStore store;

	private final RunItems items;

	RunEvents(RunHistory history, ConversationStore store, RunItems items) {
		this.history = history;
		this.store = store;
		this.items = items;
	}

	SseEmitter watch(RunRecord run) {
		SseEmitter emitter = new SseEmitter(0L);
		Watch watch = new Watch(run, emitter, this.store.lastItemSeq(run.id()), models(run));
		ScheduledFuture<?> future = this.ticker.scheduleWithFixedDelay(watch, 0, 1, TimeUnit.SECONDS);
		watch.future = future;
		emitter.onCompletion(() -> future.cancel(false));
		emitter.onTimeout(() -> future.cancel(false));
		emitter.onError((ex) -> future.cancel(false));
		return emitter;
	}

	/** How many models each item goes through: one conversation per item and model. */
	private static int models(RunRecord run) {
		try {
			Object settings = (run.settings() != null) ? JSON.readValue(run.settings(), Object.class) : null;
			return (settings instanceof java.util.List<?> list) ? Math.max(1, list.size()) : 1;
		}
		catch (RuntimeException ex) {
			return 1;
		}
	}

	/** The figures of the progress event. */
	static Map<String, Object> progress(RunSummary run, int models, Long total, double rate) {
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("done", run.items() / models);
		data.put("total", total);
		data.put("failed", run.failed());
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

		private final int models;

		private long lastSeq;

		private final Deque<long[]> samples = new ArrayDeque<>();

		private volatile ScheduledFuture<?> future;

		private boolean ended;

		Watch(RunRecord run, SseEmitter emitter, long lastSeq, int models) {
			this.run = run;
			this.emitter = emitter;
			this.lastSeq = lastSeq;
			this.models = models;
		}

		@Override
		public void run() {
			if (this.ended) {
				return;
			}
			try {
				RunSummary summary = RunEvents.this.history.summary(this.run);
				for (RunItems.Stored item : RunEvents.this.items.storedAfter(this.run.id(), this.lastSeq, 500)) {
					Map<String, Object> data = new LinkedHashMap<>();
					data.put("seq", item.seq());
					data.put("id", item.id());
					data.put("model", item.model());
					data.put("status", item.status());
					this.emitter.send(SseEmitter.event().name("item").data(data, MediaType.APPLICATION_JSON));
					this.lastSeq = Math.max(this.lastSeq, item.seq());
				}
				long now = System.nanoTime();
				long done = summary.items() / this.models;
				this.samples.addLast(new long[] { now, done });
				while (this.samples.size() > 2 && now - this.samples.peekFirst()[0] > RATE_WINDOW_NANOS) {
					this.samples.removeFirst();
				}
				long[] first = this.samples.peekFirst();
				double rate = (now > first[0]) ? (done - first[1]) / ((now - first[0]) / 1e9) : 0;
				Long total = RunEvents.this.store.totalItems(this.run.id()).orElse(null);
				this.emitter.send(SseEmitter.event()
					.name("progress")
					.data(progress(summary, this.models, total, rate), MediaType.APPLICATION_JSON));
				if (!RUNNING.contains(summary.status())) {
					Map<String, Object> end = new LinkedHashMap<>();
					end.put("status", summary.status());
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
