package dev.dmrbatch.web;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Base64;
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
import dev.dmrbatch.history.RunNotes;
import dev.dmrbatch.input.TrialSelection;
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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The JSON API under {@code /api}, which the pages use: runs as {@code job=runs --json} lists them (their tags and
 * note changed, a run deleted or stopped), a run's items a page at a time in the shape of {@code results.jsonl} lines,
 * reviews of its answers, a run's events, the runner's models, a chat turn streamed, a job started.
 */
@RestController
@RequestMapping("/api")
@ConditionalOnWebApplication
class ApiController implements DisposableBean {

	private final RunHistory history;

	private final ConversationStore store;

	private final RunEvents events;

	private final ModelCatalog catalog;

	private final BrowserChat chat;

	private final JobStarter jobs;

	private final WebAccess access;

	private final RunViews views;

	private final Reviews reviews;

	private final RunNotes notes;

	private final ReportModel report = new ReportModel();

	private final ExecutorService chats = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "web-chat");
		thread.setDaemon(true);
		return thread;
	});

	ApiController(RunHistory history, ConversationStore store, RunEvents events, ModelCatalog catalog,
			BrowserChat chat, JobStarter jobs, WebAccess access, RunViews views, Reviews reviews, RunNotes notes) {
		this.history = history;
		this.store = store;
		this.events = events;
		this.catalog = catalog;
		this.chat = chat;
		this.jobs = jobs;
		this.access = access;
		this.views = views;
		this.reviews = reviews;
		this.notes = notes;
	}

	/** The runs as {@code job=runs --json} lists them, filtered and sorted as the run history's table is. */
	@GetMapping("/runs")
	List<Map<String, Object>> runs(@RequestParam Map<String, String> parameters) {
		return this.views.runs(RunViews.RunQuery.of(parameters))
			.stream()
			.map(RunSummary::facts)
			.toList();
	}

	@GetMapping("/runs/{run}")
	Map<String, Object> run(@PathVariable String run) {
		RunRecord record = this.history.find(run);
		RunSummary summary = this.history.summary(record);
		Map<String, Object> facts = summary.facts();
		facts.put("total_items", this.store.totalItems(record.id()).orElse(null));
		facts.put("executions", summary.executions());
		List<ConversationStore.Failure> failures = new ArrayList<>();
		this.store.forEachFailure(record.id(), (failure) -> {
			if (failures.size() < 100) {
				failures.add(failure);
			}
		});
		facts.put("failures", failures);
		facts.put("checks", this.views.checkRows(record.id()));
		return facts;
	}

	/** Changes a run's tags or note: {@code {"tags"?: [...] or "a, b", "note"?: "..."}}. */
	@PatchMapping("/runs/{run}")
	Map<String, Object> annotate(@PathVariable String run, @RequestBody(required = false) JsonNode body) {
		RunRecord record = this.history.find(run);
		if (body == null || !body.isObject()) {
			throw new RunException("the body must be {\"tags\"?: [...], \"note\"?: \"...\"}");
		}
		for (String name : body.propertyNames()) {
			if (!List.of("tags", "note").contains(name)) {
				throw new RunException(SafeText.excerpt(name, 80) + " is not tags or note");
			}
		}
		if (body.has("tags")) {
			JsonNode tags = body.get("tags");
			List<String> given = new ArrayList<>();
			if (tags.isArray()) {
				for (JsonNode tag : tags) {
					if (!tag.isString()) {
						throw new RunException("tags must be strings");
					}
					given.add(tag.asString());
				}
			}
			else if (!tags.isString() && !tags.isNull()) {
				throw new RunException("tags must be a list of strings, or one string of them separated by commas");
			}
			this.notes.setTags(record.id(), RunNotes.parse(tags.isString() ? tags.asString()
					: String.join(",", given), "tags"));
		}
		if (body.has("note")) {
			JsonNode note = body.get("note");
			if (!note.isString() && !note.isNull()) {
				throw new RunException("note must be a string");
			}
			this.notes.setNote(record.id(), note.isNull() ? null : note.asString());
		}
		return this.history.summary(record).facts();
	}

	/** Deletes a run that is not going on: its rows, its exports, its answers in the response cache. */
	@DeleteMapping("/runs/{run}")
	Map<String, Object> delete(@PathVariable String run) {
		RunRecord record = this.history.find(run);
		java.nio.file.Path folder = this.history.delete(record);
		Map<String, Object> deleted = new LinkedHashMap<>();
		deleted.put("deleted", record.id());
		deleted.put("output", (folder != null) ? folder.toString() : null);
		return deleted;
	}

	/** Stops a run started from this app, as Ctrl-C stops a run: 202, it ends STOPPED once its requests are in. */
	@PostMapping("/runs/{run}/stop")
	ResponseEntity<Map<String, Object>> stop(@PathVariable String run) {
		RunRecord record = this.history.find(run);
		this.jobs.stop(record.id());
		return ResponseEntity.status(HttpStatus.ACCEPTED).body(Map.of("id", record.id(), "status", "STOPPING"));
	}

	@GetMapping(path = "/runs/{run}/items", produces = MediaType.APPLICATION_JSON_VALUE)
	String items(@PathVariable String run, @RequestParam(required = false) String view,
			@RequestParam(required = false) String status, @RequestParam(required = false) String q,
			@RequestParam(required = false) String regex, @RequestParam(required = false) String check,
			@RequestParam(defaultValue = "1") int page, @RequestParam(defaultValue = "" + RunViews.DEFAULT_SIZE) int size) {
		RunRecord record = this.history.find(run);
		ConversationStore.ItemPage found = this.views.items(this.store, record.id(),
				RunViews.ItemQuery.of(view, status, q, regex, check), page, size);
		StringWriter out = new StringWriter();
		out.write("{\"page\":" + found.page() + ",\"size\":" + found.size() + ",\"total\":" + found.total()
				+ ",\"pages\":" + found.pages() + ",\"items\":[");
		boolean[] first = { true };
		this.reviews.withVerdicts(record.id(), found.itemSeqs(), (conversation) -> {
			if (!first[0]) {
				out.write(',');
			}
			first[0] = false;
			out.write(ResultLines.line(conversation));
		});
		out.write("]}");
		return out.toString();
	}

	/**
	 * Reviews one step's answer: {@code {"item", "model"?, "step"?, "pass"?, "score"?, "comment"?, "reviewer"?}};
	 * {@code "clear": true} takes a review back.
	 */
	@PostMapping("/runs/{run}/reviews")
	Map<String, Object> review(@PathVariable String run, @RequestBody JsonNode body) {
		return this.reviews.review(this.history.find(run), body);
	}

	/**
	 * A run's events; a browser that reconnects sends the id of the last one it had ({@code Last-Event-ID}), and
	 * {@code after} gives the record number to start after on the first connection.
	 */
	@GetMapping(path = "/runs/{run}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	SseEmitter events(@PathVariable String run, @RequestHeader(name = "Last-Event-ID", required = false) String last,
			@RequestParam(required = false) String after) {
		RunRecord record = this.history.find(run);
		String from = (last != null && !last.isBlank()) ? last : after;
		Long seq = null;
		if (from != null && !from.isBlank()) {
			if (!from.strip().matches("\\d{1,18}")) {
				throw new RunException(((last != null) ? "Last-Event-ID " : "after=") + SafeText.excerpt(from, 40)
						+ " is not a record number");
			}
			seq = Long.parseLong(from.strip());
		}
		return this.events.watch(record, seq);
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
		// every mistake in what was asked is answered before the stream starts: a 4xx, not an event
		this.chat.check(request);
		if (request.model() != null) {
			try {
				this.catalog.require(request.model());
			}
			catch (ModelCallException ex) {
				if (ex.status() == 404) {
					throw new RunException(ex.getMessage());
				}
				throw ex;
			}
		}
		SseEmitter emitter = new SseEmitter(0L);
		StreamStop stop = new StreamStop();
		emitter.onCompletion(stop::stop);
		emitter.onError((ex) -> stop.stop());
		emitter.onTimeout(stop::stop);
		this.chats.execute(() -> {
			try {
				String[] truncated = { null };
				BrowserChat.Answer answer = this.chat.send(request,
						(session) -> send(emitter, "session", Map.of("session", session), stop), new StreamListener() {

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

				}, stop, (note) -> send(emitter, null, Map.of("note", SafeText.firstLine(note)), stop));
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
				send(emitter, "error", Map.of("error", "the chat failed: " + SafeText.reason(ex)), stop);
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
			@JsonProperty("continue") String continueFrom, Map<String, Object> settings, Image image,
			@JsonAnySetter Map<String, Object> others) {

		/** An image sent with the prompt: {@code {"name": "photo.png", "data": "<its bytes in Base64>"}}. */
		record Image(String name, String data) {
		}

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
					parameters, upload());
		}

		/** The image, decoded; its bytes are checked by the chat ({@link BrowserChat#check}). */
		private BrowserChat.Upload upload() {
			if (this.image == null) {
				return null;
			}
			if (this.image.name() == null || this.image.data() == null) {
				throw new RunException("image must be {\"name\": \"<file name>\", \"data\": \"<its bytes in Base64>\"}");
			}
			String name = SafeText.firstLine(this.image.name());
			// Base64 is four characters for three bytes: longer than that is too large before it is decoded
			if (this.image.data().length() > (BrowserChat.maxImageBytes() / 3 + 1) * 4 + 4) {
				throw new RunException("image " + name + " is larger than " + BrowserChat.maxImageBytes() / (1024 * 1024)
						+ " MB");
			}
			try {
				return new BrowserChat.Upload(this.image.name(), Base64.getDecoder().decode(this.image.data().strip()));
			}
			catch (IllegalArgumentException ex) {
				throw new RunException("image " + name + ": data is not Base64");
			}
		}

	}

	private static String text(String value) {
		return (value != null && !value.isBlank()) ? value : null;
	}

	/**
	 * The body of a job's start, {@code {"input"?, "model"?, "vars"?: {"key": value ...}, "run"?, "tags"?: [...],
	 * "limit"?, "sample"?, "sample_seed"?, "repeat"?}}: all optional; {@code run} is the run's label, {@code limit} or
	 * {@code sample} (with its seed) a trial run's part of the input, {@code repeat} how many times each item is asked,
	 * as on the command line.
	 */
	record JobBody(String input, String model, Map<String, String> vars, String run, List<String> tags,
			TrialSelection trial, String repeat) {

		private static final List<String> KEYS = List.of("input", "model", "vars", "run", "tags", "limit", "sample",
				"sample_seed", "repeat");

		/**
		 * The body as given, checked.
		 * @throws RunException naming a member that is not one, or not of its type
		 */
		static JobBody of(JsonNode body) {
			JsonNode given = (body != null && !body.isNull()) ? body : JsonNodeFactory.instance.objectNode();
			if (!given.isObject()) {
				throw new RunException("the body must be an object: {\"input\"?, \"model\"?, \"vars\"?, \"run\"?, "
						+ "\"tags\"?, \"limit\"?, \"sample\"?, \"sample_seed\"?, \"repeat\"?}");
			}
			for (String key : given.propertyNames()) {
				if (!KEYS.contains(key)) {
					throw new RunException(SafeText.excerpt(key, 80) + " is not one of " + String.join(", ", KEYS));
				}
			}
			Map<String, String> vars = new LinkedHashMap<>();
			JsonNode givenVars = given.path("vars");
			if (!givenVars.isMissingNode() && !givenVars.isNull()) {
				if (!givenVars.isObject()) {
					throw new RunException("vars must be an object of variables, {\"key\": \"value\", ...}");
				}
				for (Map.Entry<String, JsonNode> var : givenVars.properties()) {
					JsonNode value = var.getValue();
					if (!(value.isString() || value.isNumber() || value.isBoolean())) {
						throw new RunException("vars." + SafeText.excerpt(var.getKey(), 80)
								+ " must be a string, a number or true or false");
					}
					vars.put(var.getKey(), value.asString());
				}
			}
			List<String> tags = new ArrayList<>();
			JsonNode givenTags = given.path("tags");
			if (givenTags.isArray()) {
				for (JsonNode tag : givenTags) {
					if (!tag.isString()) {
						throw new RunException("tags must be a list of strings");
					}
					tags.add(tag.asString());
				}
			}
			else if (givenTags.isString()) {
				tags.add(givenTags.asString());
			}
			else if (!givenTags.isMissingNode() && !givenTags.isNull()) {
				throw new RunException("tags must be a list of strings");
			}
			TrialSelection trial;
			try {
				trial = TrialSelection.of(number(given, "limit"), number(given, "sample"), number(given, "sample_seed"));
			}
			catch (IllegalArgumentException ex) {
				throw new RunException(ex.getMessage().replace("sample-seed=", "sample_seed="));
			}
			return new JobBody(string(given, "input"), string(given, "model"), vars, string(given, "run"),
					RunNotes.parse(String.join(",", tags), "tags"), trial, number(given, "repeat"));
		}

	}

	/** Starts a job ({@link JobBody}); 202 with what was started. */
	@PostMapping("/jobs/{name}/runs")
	ResponseEntity<Map<String, Object>> start(@PathVariable String name, @RequestBody(required = false) JsonNode body) {
		JobBody given = JobBody.of(body);
		return ResponseEntity.status(HttpStatus.ACCEPTED)
			.body(this.jobs.start(name, given.input(), given.model(), given.vars(), given.run(), given.tags(),
					given.trial(), given.repeat()));
	}

	/** A whole number member of a body, as written (a number or a string), {@code null} when absent or blank. */
	private static String number(JsonNode body, String name) {
		JsonNode value = body.path(name);
		if (value.isIntegralNumber()) {
			return value.asString();
		}
		if (value.isNumber()) {
			return value.asString(); // refused by the selection, named
		}
		return string(body, name);
	}

	/** A string member of a body, {@code null} when absent or blank. */
	private static String string(JsonNode body, String name) {
		JsonNode value = body.path(name);
		if (value.isMissingNode() || value.isNull()) {
			return null;
		}
		if (!value.isString()) {
			throw new RunException(name + " must be a string");
		}
		return text(value.asString());
	}

	@Override
	public void destroy() {
		this.chats.shutdownNow();
	}

}
