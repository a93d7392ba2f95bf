package dev.dmrbatch.web;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.dmrbatch.chat.BrowserChat;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.export.ReportModel;
import dev.dmrbatch.export.ResultLines;
import dev.dmrbatch.history.RunHistory;
import dev.dmrbatch.history.RunSummary;
import dev.dmrbatch.jobfile.JobFileException;
import dev.dmrbatch.model.ChatMessage;
import dev.dmrbatch.model.ModelCallException;
import dev.dmrbatch.model.ModelCatalog;
import dev.dmrbatch.model.ModelReply;
import dev.dmrbatch.model.StreamListener;
import dev.dmrbatch.model.StreamStop;
import dev.dmrbatch.prompt.PromptException;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.text.SafeText;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The JSON API under {@code /api}, which the pages use: runs as {@code job=runs --json} lists them, a run's items a
 * page at a time in the shape of {@code results.jsonl} lines, a run's events, the runner's models, a chat turn
 * streamed, a job started.
 */
@RestController
@RequestMapping("/api")
@ConditionalOnWebApplication
class ApiController implements DisposableBean {

	static final int DEFAULT_SIZE = 50;

	/** The most items a page of {@code /api/runs/{run}/items} holds. */
	static final int MAX_SIZE = 200;

	private final RunHistory history;

	private final ConversationStore store;

	private final RunEvents events;

	private final ModelCatalog catalog;

	private final BrowserChat chat;

	private final JobStarter jobs;

	private final WebAccess access;

	private final ReportModel report = new ReportModel();

	private final ExecutorService chats = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "web-chat");
		thread.setDaemon(true);
		return thread;
	});

	ApiController(RunHistory history, ConversationStore store, RunEvents events, ModelCatalog catalog,
			BrowserChat chat, JobStarter jobs, WebAccess access) {
		this.history = history;
		this.store = store;
		this.events = events;
		this.catalog = catalog;
		this.chat = chat;
		this.jobs = jobs;
		this.access = access;
	}

	@GetMapping("/runs")
	List<Map<String, Object>> runs(@RequestParam(required = false) String job,
			@RequestParam(required = false) String status) {
		return runList(this.history, this.events, job, status).stream().map(RunSummary::facts).toList();
	}

	/** The runs, or one job's, or those of one status ({@code running} for those going on), newest first. */
	static List<RunSummary> runList(RunHistory history, RunEvents events, String job, String status) {
		List<RunSummary> runs = history.list((job != null && !job.isBlank()) ? job : null);
		if (status == null || status.isBlank()) {
			return runs;
		}
		return runs.stream()
			.filter((run) -> status.equalsIgnoreCase("running") ? events.running(run)
					: run.status().equalsIgnoreCase(status))
			.toList();
	}

	@GetMapping("/runs/{run}")
	Map<String, Object> run(@PathVariable String run) {
		RunRecord record = this.history.find(run);
		RunSummary summary = this.history.summary(record);
		Map<String, Object> facts = summary.facts();
		facts.put("running", this.events.running(summary));
		facts.put("total_items", this.store.totalItems(record.id()).orElse(null));
		facts.put("executions", summary.executions());
		List<ConversationStore.Failure> failures = new ArrayList<>();
		this.store.forEachFailure(record.id(), (failure) -> {
			if (failures.size() < 100) {
				failures.add(failure);
			}
		});
		facts.put("failures", failures);
		return facts;
	}

	@GetMapping(path = "/runs/{run}/items", produces = MediaType.APPLICATION_JSON_VALUE)
	String items(@PathVariable String run, @RequestParam(required = false) String status,
			@RequestParam(required = false) String q, @RequestParam(defaultValue = "1") int page,
			@RequestParam(defaultValue = "" + DEFAULT_SIZE) int size) {
		RunRecord record = this.history.find(run);
		ConversationStore.ItemPage found = page(this.store, record.id(), status, q, page, size);
		StringWriter out = new StringWriter();
		out.write("{\"page\":" + found.page() + ",\"size\":" + found.size() + ",\"total\":" + found.total()
				+ ",\"pages\":" + found.pages() + ",\"items\":[");
		boolean[] first = { true };
		this.store.forEachOf(record.id(), found.itemSeqs(), (conversation) -> {
			if (!first[0]) {
				out.write(',');
			}
			first[0] = false;
			out.write(ResultLines.line(conversation));
		});
		out.write("]}");
		return out.toString();
	}

	/** A page of a run's items, the arguments checked. */
	static ConversationStore.ItemPage page(ConversationStore store, long runId, String status, String q, int page,
			int size) {
		if (status != null && !status.isBlank() && !List.of("ok", "failed").contains(status)) {
			throw new RunException("status=" + SafeText.firstLine(status) + " is not ok or failed");
		}
		if (page < 1) {
			throw new RunException("page=" + page + " must be 1 or more");
		}
		if (size < 1 || size > MAX_SIZE) {
			throw new RunException("size=" + size + " must be from 1 to " + MAX_SIZE);
		}
		return store.itemPage(runId, (status != null && !status.isBlank()) ? status : null, q, page, size);
	}

	@GetMapping(path = "/runs/{run}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	SseEmitter events(@PathVariable String run) {
		return this.events.watch(this.history.find(run));
	}

	@GetMapping("/models")
	Map<String, Object> models() {
		return Map.of("models", this.catalog.modelNames());
	}

	@GetMapping("/csrf")
	Map<String, Object> csrf() {
		return Map.of("token", this.access.csrf(), "header", WebAccess.CSRF_HEADER);
	}

	@GetMapping("/chat/sessions")
	List<Map<String, Object>> sessions() {
		return this.chat.sessions();
	}

	/**
	 * A chat turn: {@code {"model", "messages", "session"?, "continue"?, temperature, max_tokens ...}}, answered as
	 * server-sent events: {@code {"delta"}} and {@code {"reasoning"}} pieces as they arrive ({@code
	 * {"answer_was_reasoning"}} when a bare {@code </think>} shows the deltas so far were reasoning), then {@code event:
	 * done} with the usage, the session, the answer as sanitized HTML and, for an answer whose stream the runner cut,
	 * {@code "truncated"} (why), or {@code event: error}.
	 */
	@PostMapping(path = "/chat", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	SseEmitter chat(@RequestBody ChatBody body) {
		BrowserChat.Request request = body.request();
		SseEmitter emitter = new SseEmitter(0L);
		StreamStop stop = new StreamStop();
		emitter.onCompletion(stop::stop);
		emitter.onError((ex) -> stop.stop());
		emitter.onTimeout(stop::stop);
		this.chats.execute(() -> {
			try {
				String[] truncated = { null };
				BrowserChat.Answer answer = this.chat.send(request, new StreamListener() {

					@Override
					public void reasoning(String text) {
						send(emitter, null, Map.of("reasoning", text), stop);
					}

					@Override
					public void answer(String text) {
						send(emitter, null, Map.of("delta", text), stop);
					}

					@Override
					public void answerWasReasoning(String text) {
						send(emitter, null, Map.of("answer_was_reasoning", text), stop);
					}

					@Override
					public void truncated(String reason) {
						truncated[0] = SafeText.firstLine(reason);
					}

				}, stop);
				ModelReply reply = answer.reply();
				Map<String, Object> done = new LinkedHashMap<>();
				done.put("session", answer.session());
				done.put("id", answer.id());
				done.put("model", reply.model());
				done.put("finish_reason", reply.finishReason());
				if (truncated[0] != null) {
					done.put("truncated", truncated[0]);
				}
				done.put("usage", Map.of("prompt_tokens", reply.promptTokens(), "completion_tokens",
						reply.completionTokens()));
				done.put("latency_ms", reply.latencyMillis());
				done.put("html", this.report.markdown(reply.content()));
				send(emitter, "done", done, stop);
				emitter.complete();
			}
			catch (RunException | ModelCallException | PromptException | JobFileException ex) {
				send(emitter, "error", Map.of("error", SafeText.firstLine(String.valueOf(ex.getMessage()))), stop);
				emitter.complete();
			}
			catch (RuntimeException ex) {
				send(emitter, "error", Map.of("error", "the chat failed: " + SafeText.firstLine(
						String.valueOf(ex.getMessage()))), stop);
				emitter.complete();
			}
		});
		return emitter;
	}

	private static void send(SseEmitter emitter, String event, Map<String, Object> data, StreamStop stop) {
		try {
			SseEmitter.SseEventBuilder builder = (event != null) ? SseEmitter.event().name(event) : SseEmitter.event();
			emitter.send(builder.data(data, MediaType.APPLICATION_JSON));
		}
		catch (IOException | IllegalStateException ex) {
			stop.stop(); // the browser went away: the answer stops here
		}
	}

	/**
	 * The body of a chat turn: {@code model}, {@code messages}, {@code session}, {@code continue}, and the request
	 * parameters ({@code temperature}, {@code max_tokens} ...), at the top or in {@code settings}, which wins.
	 */
	record ChatBody(String model, List<ChatMessage> messages, String session,
			@JsonProperty("continue") String continueFrom, Map<String, Object> settings,
			@JsonAnySetter Map<String, Object> others) {

		/**
		 * The turn it asks for.
		 * @throws RunException when a message is not a role and a content
		 */
		BrowserChat.Request request() {
			List<ChatMessage> given = (this.messages != null) ? this.messages : List.of();
			for (ChatMessage message : given) {
				if (message == null || message.role() == null || message.content() == null) {
					throw new RunException("each of messages must be {\"role\": \"...\", \"content\": \"...\"}");
				}
			}
			Map<String, Object> source = new LinkedHashMap<>();
			if (this.others != null) {
				source.putAll(this.others);
			}
			if (this.settings != null) {
				source.putAll(this.settings);
			}
			Map<String, String> parameters = new LinkedHashMap<>();
			for (String parameter : BrowserChat.parameters()) {
				Object value = source.get(parameter);
				if (value != null) {
					parameters.put(parameter, (value instanceof List<?> stops)
							? String.join("|", stops.stream().map(String::valueOf).toList()) : String.valueOf(value));
				}
			}
			return new BrowserChat.Request(text(this.session), text(this.continueFrom), text(this.model), given,
					parameters);
		}

	}

	private static String text(String value) {
		return (value != null && !value.isBlank()) ? value : null;
	}

	/** The body of a job's start: all optional; {@code run} is the run's label. */
	record JobBody(String input, String model, Map<String, Object> vars, String run) {
	}

	/** Starts a job: {@code {"input"?, "model"?, "vars"?: {...}, "run"?}}; 202 with what was started. */
	@PostMapping("/jobs/{name}/runs")
	ResponseEntity<Map<String, Object>> start(@PathVariable String name, @RequestBody(required = false) JobBody body) {
		JobBody given = (body != null) ? body : new JobBody(null, null, null, null);
		Map<String, String> vars = new LinkedHashMap<>();
		if (given.vars() != null) {
			given.vars().forEach((key, value) -> vars.put(key, String.valueOf(value)));
		}
		return ResponseEntity.status(HttpStatus.ACCEPTED)
			.body(this.jobs.start(name, text(given.input()), text(given.model()), vars, text(given.run())));
	}

	@Override
	public void destroy() {
		this.chats.shutdownNow();
	}

}
