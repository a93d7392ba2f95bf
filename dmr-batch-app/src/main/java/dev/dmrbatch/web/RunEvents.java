package dev.dmrbatch.web;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import dev.dmrbatch.conversation.AnswerKey;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.history.RunHistory;
import dev.dmrbatch.history.RunSummary;
import dev.dmrbatch.run.job.RemotePartitions;
import dev.dmrbatch.text.SafeText;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * A run's events as a server-sent stream, read from the store once a second, so a run going on in another process
 * is seen as it goes: {@code progress} ({@code done}, {@code total}, {@code failed}, {@code items_per_s}, and a
 * cluster run's {@code workers}) every second while it runs, {@code item} for each conversation stored after the
 * stream's starting point (in input order, with its answer), and {@code end} with its final status, at once for a
 * run that is not running ({@code ABANDONED} for one whose process was killed).
 * <p>
 * Each item's last event carries the item's record number as its {@code id}: a browser that reconnects sends it back
 * as {@code Last-Event-ID} and the stream goes on after it, so a cut connection loses no item.
 */
@Component
@ConditionalOnWebApplication
class RunEvents implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(RunEvents.class);

	/** The window the rate is measured over. */
	private static final long RATE_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);

	/** How long a browser waits before it reconnects a stream that was cut. */
	static final long RETRY_MILLIS = 2000;

	/** The most conversations one tick sends: a watcher far behind catches up over several seconds. */
	private static final int BATCH = 500;

	/** The most characters of an answer an item event carries. */
	static final int ANSWER_LENGTH = 500;

	private final ScheduledExecutorService ticker = Executors.newScheduledThreadPool(2, (task) -> {
		Thread thread = new Thread(task, "run-events");
		thread.setDaemon(true);
		return thread;
	});

	private final RunHistory history;

	private final ConversationStore store;

	RunEvents(RunHistory history, ConversationStore store) {
		this.history = history;
		this.store = store;
	}

	/**
	 * The stream of a run's events.
	 * @param after the record number after which items are sent (the last one the watcher has), {@code null} for
	 * those stored from now on
	 */
	SseEmitter watch(RunRecord run, Long after) {
		SseEmitter emitter = new SseEmitter(0L);
		Watch watch = new Watch(run, emitter, (after != null) ? after : this.store.lastItemSeq(run.id()));
		ScheduledFuture<?> future = this.ticker.scheduleWithFixedDelay(watch, 0, 1, TimeUnit.SECONDS);
		watch.future = future;
		emitter.onCompletion(watch::stop);
		emitter.onTimeout(watch::stop);
		emitter.onError((ex) -> watch.stop());
		return emitter;
	}

	/**
	 * The figures of the progress event: items, not conversations (one per item and model), and a cluster run's
	 * workers as the run page lists them ({@link RunViews#workers}; empty for a run of one process).
	 */
	static Map<String, Object> progress(ConversationStore.ItemCounts counts, Long total, double rate,
			List<RemotePartitions.WorkerShare> workers) {
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("done", counts.items());
		data.put("total", total);
		data.put("failed", counts.failed());
		data.put("items_per_s", Math.round(rate * 100) / 100.0);
		data.put("workers", RunViews.workers(workers));
		return data;
	}

	/** The last answer of a conversation, cut to {@value #ANSWER_LENGTH} characters; empty when none. */
	static String answer(Conversation conversation) {
		List<Conversation.Turn> turns = conversation.turns();
		for (int i = turns.size() - 1; i >= 0; i--) {
			if ("assistant".equals(turns.get(i).role()) || Conversation.Turn.PLUGIN.equals(turns.get(i).role())) {
				String content = String.valueOf(turns.get(i).content());
				return (content.length() <= ANSWER_LENGTH) ? content
						: content.substring(0, ANSWER_LENGTH - 1) + "…";
			}
		}
		return "";
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

		private volatile boolean ended;

		private boolean started;

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
				if (!this.started) {
					this.started = true;
					this.emitter.send(SseEmitter.event().reconnectTime(RETRY_MILLIS).comment("run " + this.run.id()));
				}
				// the status before the items: a run that ended in between has stored them all
				RunSummary summary = RunEvents.this.history.summary(this.run);
				sendItems();
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
					.data(progress(counts, total, rate, summary.workers()), MediaType.APPLICATION_JSON));
				if (!summary.running()) {
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
				log.warn("events of run {} stopped: {}", this.run.id(), SafeText.firstLine(String.valueOf(ex.getMessage())));
				stop();
				this.emitter.complete();
			}
		}

		/**
		 * The conversations stored after the last item sent, whole items only: an item's models are sent together,
		 * the last of them with the item's record number as the event's id.
		 */
		private void sendItems() throws IOException {
			List<ConversationStore.StoredItem> stored = RunEvents.this.store.storedAfter(this.run.id(), this.lastSeq,
					BATCH);
			if (stored.size() == BATCH) {
				long last = stored.get(stored.size() - 1).seq();
				List<ConversationStore.StoredItem> whole = stored.stream().filter((i) -> i.seq() != last).toList();
				stored = whole.isEmpty() ? stored : whole;
			}
			if (stored.isEmpty()) {
				return;
			}
			Map<AnswerKey, Conversation> conversations = new LinkedHashMap<>();
			List<Long> seqs = new ArrayList<>(stored.stream().map(ConversationStore.StoredItem::seq).distinct().toList());
			RunEvents.this.store.forEachOf(this.run.id(), seqs,
					(c) -> conversations.put(AnswerKey.of(c), c));
			for (int i = 0; i < stored.size(); i++) {
				ConversationStore.StoredItem item = stored.get(i);
				Conversation conversation = conversations.get(item.answerKey());
				Map<String, Object> data = new LinkedHashMap<>();
				data.put("seq", item.seq());
				data.put("id", item.id());
				data.put("model", item.model());
				if (item.repetition() > 1) {
					data.put("repeat", item.repetition()); // the answers after an item's first of a repeated run
				}
				data.put("status", item.status());
				data.put("answer", (conversation != null) ? answer(conversation) : "");
				data.put("error", (conversation != null) ? conversation.error() : null);
				SseEmitter.SseEventBuilder event = SseEmitter.event().name("item").data(data, MediaType.APPLICATION_JSON);
				boolean lastOfItem = i == stored.size() - 1 || stored.get(i + 1).seq() != item.seq();
				if (lastOfItem) {
					event.id(String.valueOf(item.seq()));
				}
				this.emitter.send(event);
				if (lastOfItem) {
					this.lastSeq = Math.max(this.lastSeq, item.seq());
				}
			}
		}

		void stop() {
			this.ended = true;
			ScheduledFuture<?> scheduled = this.future;
			if (scheduled != null) {
				scheduled.cancel(false);
			}
		}

	}

}
