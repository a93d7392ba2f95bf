package dev.dmrbatch.web;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;

import dev.dmrbatch.chat.BrowserChat;
import dev.dmrbatch.check.CheckStore;
import dev.dmrbatch.compare.Comparisons;
import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.conversation.AnswerKey;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.conversation.Verdict;
import dev.dmrbatch.export.ReportModel;
import dev.dmrbatch.export.RunCharts;
import dev.dmrbatch.history.RunHistory;
import dev.dmrbatch.history.RunNotes;
import dev.dmrbatch.history.RunSummary;
import dev.dmrbatch.input.TrialSelection;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.jobfile.JobFiles;
import dev.dmrbatch.model.ModelCallException;
import dev.dmrbatch.model.ModelCatalog;
import dev.dmrbatch.run.plan.NotFoundException;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.text.SafeText;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.util.FileSystemUtils;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.ModelAndView;

/**
 * The pages: the run history, a run (its facts, checks, charts, failures and its answers in a grid, reviewed there),
 * one conversation, a comparison, the chat and the jobs. Each is a view rendered on the server; {@code /static/app.js}
 * makes them live (events, chat streaming, reviews from the keyboard) without inline script. The forms work without
 * it too: each posts and comes back.
 */
@Controller
@ConditionalOnWebApplication
class PagesController {

	private static final MediaType HTML = new MediaType("text", "html", StandardCharsets.UTF_8);

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT)
		.withZone(ZoneId.systemDefault());

	/** The most characters of an answer a grid cell holds; the conversation's page has it all. */
	static final int CELL_LENGTH = 4000;

	private final RunHistory history;

	private final ConversationStore store;

	private final WebAccess access;

	private final JobStarter jobs;

	private final JobFiles jobFiles;

	private final ModelCatalog catalog;

	private final BrowserChat chat;

	private final Comparisons comparisons;

	private final DmrProperties properties;

	private final ReportModel report = new ReportModel();

	private final RunViews views;

	private final Reviews reviews;

	private final RunNotes notes;

	private final RunFiles files;

	PagesController(RunHistory history, ConversationStore store, WebAccess access, JobStarter jobs, JobFiles jobFiles,
			ModelCatalog catalog, BrowserChat chat, Comparisons comparisons, DmrProperties properties, RunViews views,
			Reviews reviews, RunNotes notes, RunFiles files) {
		this.history = history;
		this.store = store;
		this.access = access;
		this.jobs = jobs;
		this.jobFiles = jobFiles;
		this.catalog = catalog;
		this.chat = chat;
		this.comparisons = comparisons;
		this.properties = properties;
		this.views = views;
		this.reviews = reviews;
		this.notes = notes;
		this.files = files;
	}

	/** A page: its view, with its title, the menu entry it is under and the CSRF token its forms carry. */
	private ModelAndView page(String view, String title, String active, Map<String, Object> model) {
		Map<String, Object> all = new HashMap<>(model);
		all.put("title", title);
		all.put("active", active);
		all.put("csrf", this.access.csrf());
		return new ModelAndView(view, all);
	}

	@GetMapping("/")
	ModelAndView runs(@RequestParam Map<String, String> parameters) {
		RunViews.RunQuery query = RunViews.RunQuery.of(parameters);
		List<RunSummary> all = this.history.list(null);
		List<Map<String, Object>> rows = new ArrayList<>();
		for (RunSummary run : this.views.runs(query)) {
			Map<String, Object> row = new HashMap<>();
			row.put("id", run.id());
			row.put("run", (run.label() != null) ? run.label() : "-");
			row.put("job", run.job());
			row.put("running", run.running());
			row.put("status", run.status());
			row.put("chat", run.chatSession());
			row.put("started", TIME.format(run.started()));
			row.put("time", RunSummary.duration(run.seconds()));
			row.put("items", run.items());
			row.put("ok", run.ok());
			row.put("failed", run.failed());
			row.put("prompt_tokens", run.promptTokens());
			row.put("completion_tokens", run.completionTokens());
			row.put("exit_code", (run.exitCode() != null) ? String.valueOf(run.exitCode()) : "-");
			row.put("model", String.join(", ", RunViews.models(run)));
			row.put("pass_rate", (run.passRate() != null) ? percent(run.passRate()) : "-");
			row.put("tags", run.tags());
			row.put("note", (run.note() != null) ? SafeText.excerpt(run.note(), 120) : "");
			if (run.running()) {
				ConversationStore.ItemCounts counts = this.store.itemCounts(run.id());
				row.put("done", counts.items());
				row.put("total", this.store.totalItems(run.id()).map(String::valueOf).orElse(""));
			}
			rows.add(row);
		}
		Map<String, Object> model2 = new HashMap<>();
		model2.put("runs", rows);
		model2.put("jobs", RunViews.distinct(all.stream().map(RunSummary::job).sorted().toList()));
		model2.put("models", RunViews.distinct(all.stream().flatMap((r) -> RunViews.models(r).stream()).sorted().toList()));
		model2.put("tags", RunViews.distinct(all.stream().flatMap((r) -> r.tags().stream()).sorted().toList()));
		model2.putAll(query.parameters());
		model2.put("since_choices", RunViews.RunQuery.SINCE.keySet());
		model2.put("filtered", query.filtered());
		model2.put("statuses", RunViews.STATUS_FILTERS);
		model2.put("any_running", rows.stream().anyMatch((r) -> (Boolean) r.get("running")));
		// the links of the sortable headers: each sorts by its column, again the other way round
		Map<String, String> sorts = new LinkedHashMap<>();
		for (String key : RunViews.SORTS) {
			String next = (key.equals(query.sort()) && !"desc".equals(query.order())) ? "desc" : "asc";
			Map<String, String> link = new LinkedHashMap<>(query.parameters());
			link.put("sort", key);
			link.put("order", next);
			sorts.put(key, "/?" + query(link));
		}
		model2.put("sorts", sorts);
		return page("runs", "Runs", "runs", model2);
	}

	@GetMapping("/runs/{run}")
	ModelAndView run(@PathVariable String run, @RequestParam(required = false) String view,
			@RequestParam(required = false) String status, @RequestParam(required = false) String q,
			@RequestParam(required = false) String regex, @RequestParam(required = false) String check,
			@RequestParam(defaultValue = "1") int page, @RequestParam(defaultValue = "" + RunViews.DEFAULT_SIZE) int size) {
		RunRecord record = this.history.find(run);
		RunSummary summary = this.history.summary(record);
		long id = record.id();
		RunViews.ItemQuery query = RunViews.ItemQuery.of(view, status, q, regex, check);
		ConversationStore.ItemPage found = this.views.items(this.store, id, query, page, size);
		Map<String, Object> model = new HashMap<>();
		model.put("facts", facts(summary));
		model.put("id", id);
		model.put("name", summary.job() + " run " + ((summary.label() != null) ? summary.label() : id));
		model.put("running", summary.running());
		model.put("chat", summary.chatSession());
		model.put("status_now", summary.status());
		ConversationStore.ItemCounts counts = this.store.itemCounts(id);
		model.put("done", counts.items());
		model.put("total", this.store.totalItems(id).map(String::valueOf).orElse(""));
		model.put("failed_count", counts.failed());
		model.put("last_seq", this.store.lastItemSeq(id));
		model.put("workers", RunViews.workers(summary.workers()));
		model.putAll(RunCharts.of(this.store, record));
		List<Map<String, Object>> failures = new ArrayList<>();
		this.store.forEachFailure(id, (f) -> {
			if (failures.size() < 20) {
				failures.add(Map.of("seq", f.itemSeq(), "id", f.itemId(), "model", f.model(), "error",
						String.valueOf(f.error())));
			}
		});
		model.put("failures", failures);
		model.put("checks", this.views.checkRows(id));
		model.put("gate", this.views.gateLine(id));
		model.put("check_keys", this.views.checkKeys(id));
		grid(model, id, found);
		model.put("page", found.page());
		model.put("pages", found.pages());
		model.put("page_links", pageLinks(found.page(), found.pages()));
		model.put("matching", found.total());
		model.put("view", Objects.toString(query.view(), "all"));
		model.put("views", RunViews.VIEWS);
		model.put("q", Objects.toString(query.q(), ""));
		model.put("regex", Objects.toString(query.regex(), ""));
		model.put("check", Objects.toString(query.check(), ""));
		model.put("status", Objects.toString(query.status(), ""));
		model.put("size", (size == RunViews.DEFAULT_SIZE) ? "" : String.valueOf(size));
		model.put("query", query(Map.of("view", Objects.toString(query.view(), ""), "status",
				Objects.toString(query.status(), ""), "q", Objects.toString(query.q(), ""), "regex",
				Objects.toString(query.regex(), ""), "check", Objects.toString(query.check(), ""), "size",
				(size == RunViews.DEFAULT_SIZE) ? "" : String.valueOf(size))));
		model.put("exports", this.files.list(record));
		model.put("formats", this.files.formats());
		model.put("tags", String.join(", ", summary.tags()));
		model.put("note", Objects.toString(summary.note(), ""));
		model.put("reviewer", Reviews.defaultReviewer());
		return page("run", model.get("name").toString(), "runs", model);
	}

	/** The run's facts as {@code job=show} lists them. */
	private static Map<String, Object> facts(RunSummary summary) {
		Map<String, Object> facts = new LinkedHashMap<>();
		facts.put("job", summary.job());
		facts.put("run", (summary.label() != null) ? summary.label() + " (id " + summary.id() + ")"
				: String.valueOf(summary.id()));
		facts.put("input", String.valueOf(summary.input()));
		facts.put("model", String.valueOf(summary.settings()));
		facts.put("status", summary.status() + ((summary.exitCode() != null) ? ", exit code " + summary.exitCode() : ""));
		facts.put("items", summary.items() + ": " + summary.ok() + " ok, " + summary.failed() + " failed");
		facts.put("tokens", summary.promptTokens() + " in, " + summary.completionTokens() + " out");
		facts.put("started", TIME.format(summary.started()));
		facts.put("time", RunSummary.duration(summary.seconds()) + " over " + summary.executions().size()
				+ ((summary.executions().size() == 1) ? " execution" : " executions"));
		if (summary.passRate() != null) {
			facts.put("pass rate", percent(summary.passRate()));
		}
		return facts;
	}

	/**
	 * The grid: a row per item of the page, a column per step and model, each cell the answer (cut to
	 * {@value #CELL_LENGTH} characters), its verdicts and its review.
	 */
	private void grid(Map<String, Object> model, long id, ConversationStore.ItemPage found) {
		List<Conversation> conversations = new ArrayList<>();
		this.reviews.withVerdicts(id, found.itemSeqs(), conversations::add);
		Map<Reviews.Reviewed, CheckStore.StoredReview> reviewed = this.reviews.reviews(id, found.itemSeqs());
		List<String> steps = new ArrayList<>();
		List<String> models = new ArrayList<>();
		this.store.totalsByModel(id).forEach((m) -> models.add(m.model()));
		this.store.stepNames(id).forEach(steps::add);
		conversations.forEach((c) -> {
			Reviews.steps(c).stream().filter((s) -> !steps.contains(s)).forEach(steps::add);
			if (!models.contains(c.model())) {
				models.add(c.model());
			}
		});
		List<Map<String, String>> columns = new ArrayList<>();
		for (String step : steps) {
			for (String m : models) {
				Map<String, String> column = new LinkedHashMap<>();
				column.put("key", step + " " + m);
				column.put("step", step);
				column.put("model", m);
				column.put("label", (models.size() > 1) ? step + " · " + m : step);
				columns.add(column);
			}
		}
		Map<Long, List<Conversation>> byItem = new LinkedHashMap<>();
		conversations.forEach((c) -> byItem.computeIfAbsent(c.itemSeq(), (k) -> new ArrayList<>()).add(c));
		List<Map<String, Object>> rows = new ArrayList<>();
		for (List<Conversation> item : byItem.values()) {
			Conversation first = item.get(0);
			Map<String, Object> row = new HashMap<>();
			row.put("seq", first.itemSeq());
			row.put("id", first.itemId());
			row.put("status", item.stream().allMatch(Conversation::isOk) ? "ok" : "failed");
			row.put("tokens", item.stream().mapToLong(Conversation::completionTokens).sum());
			row.put("latency_ms", item.stream().mapToLong(Conversation::latencyMillis).max().orElse(0));
			row.put("error", item.stream().map(Conversation::error).filter(Objects::nonNull).findFirst().orElse(""));
			List<Map<String, Object>> cells = new ArrayList<>();
			for (Map<String, String> column : columns) {
				Conversation c = item.stream().filter((x) -> x.model().equals(column.get("model"))).findFirst()
					.orElse(null);
				Map<String, Object> cell = new HashMap<>();
				cell.put("key", column.get("key"));
				cell.put("step", column.get("step"));
				cell.put("model", column.get("model"));
				cell.put("repeat", (c != null) ? c.repetition() : 1);
				String answer = (c != null) ? answer(c, column.get("step")) : null;
				cell.put("has_answer", answer != null);
				cell.put("answer", (answer == null) ? "" : (answer.length() <= CELL_LENGTH) ? answer
						: answer.substring(0, CELL_LENGTH - 1) + "…");
				cell.put("cut", answer != null && answer.length() > CELL_LENGTH);
				List<Map<String, Object>> verdicts = new ArrayList<>();
				if (c != null) {
					for (Verdict v : c.verdicts()) {
						if (v.checkKey().startsWith(column.get("step") + ".")
								&& !v.checkKey().equals(column.get("step") + "." + CheckStore.HUMAN_CHECK)) {
							verdicts.add(Map.of("key", v.checkKey().substring(column.get("step").length() + 1), "full",
									v.checkKey(), "pass", v.pass(), "reason", Objects.toString(v.reason(), "")));
						}
					}
				}
				cell.put("verdicts", verdicts);
				// the grid shows (and reviews) a model's first answer of the item
				CheckStore.StoredReview review = reviewed.get(new Reviews.Reviewed(new AnswerKey(first.itemSeq(),
						column.get("model"), (c != null) ? c.repetition() : 1), column.get("step")));
				cell.put("review", (review == null) ? "" : review.pass() ? "pass" : "fail");
				cell.put("score", (review != null && review.score() != null) ? String.valueOf(review.score()) : "");
				cell.put("comment", (review != null && review.comment() != null) ? review.comment() : "");
				cell.put("reviewer", (review != null) ? Objects.toString(review.reviewer(), "") : "");
				cells.add(cell);
			}
			row.put("cells", cells);
			rows.add(row);
		}
		model.put("columns", columns);
		model.put("items", rows);
	}

	/** A step's answer in a conversation (its last, when it was asked again), or {@code null} when none. */
	private static String answer(Conversation c, String step) {
		String answer = null;
		for (Conversation.Turn turn : c.turns()) {
			if (step.equals(turn.step()) && ("assistant".equals(turn.role())
					|| Conversation.Turn.PLUGIN.equals(turn.role()))) {
				answer = turn.content();
			}
		}
		return answer;
	}

	/** Page numbers to link: the first, the last, and those around the current one; 0 marks a gap. */
	static List<Long> pageLinks(long page, long pages) {
		List<Long> links = new ArrayList<>();
		for (long p = 1; p <= pages; p++) {
			if (p == 1 || p == pages || Math.abs(p - page) <= 2) {
				links.add(p);
			}
			else if (links.get(links.size() - 1) != 0) {
				links.add(0L);
			}
		}
		return links;
	}

	/** The form of the run page: a run's tags and note. */
	@PostMapping("/runs/{run}/annotations")
	ResponseEntity<String> annotate(@PathVariable String run, @RequestParam(required = false) String tags,
			@RequestParam(required = false) String note) {
		RunRecord record = this.history.find(run);
		this.notes.setTags(record.id(), RunNotes.parse(tags, "tags"));
		this.notes.setNote(record.id(), note);
		return back("/runs/" + record.id());
	}

	/** A run's deletion, asked for again: what goes with it, and the button that deletes it. */
	@GetMapping("/runs/{run}/delete")
	ModelAndView confirmDelete(@PathVariable String run) {
		RunRecord record = this.history.find(run);
		RunSummary summary = this.history.summary(record);
		Map<String, Object> model = new HashMap<>();
		model.put("id", record.id());
		model.put("name", summary.job() + " run " + ((summary.label() != null) ? summary.label() : record.id()));
		model.put("items", summary.items());
		model.put("running", summary.running());
		model.put("output", Objects.toString(record.outputDir(), ""));
		model.put("exports", this.files.list(record));
		return page("delete", "Delete " + model.get("name"), "runs", model);
	}

	/** The form of the confirmation: deletes the run, then shows the run history. */
	@PostMapping("/runs/{run}/delete")
	ResponseEntity<String> delete(@PathVariable String run) {
		this.history.delete(this.history.find(run));
		return back("/");
	}

	/** The run page's button: stops a run started from this app, as Ctrl-C does. */
	@PostMapping("/runs/{run}/stop")
	ResponseEntity<String> stop(@PathVariable String run) {
		RunRecord record = this.history.find(run);
		this.jobs.stop(record.id());
		return back("/runs/" + record.id());
	}

	/** The grid's review form, for a browser without the script (which posts to the API instead). */
	@PostMapping("/runs/{run}/reviews")
	ResponseEntity<String> review(@PathVariable String run, @RequestParam String item,
			@RequestParam(required = false) String model, @RequestParam(required = false) Integer repeat,
			@RequestParam(required = false) String step,
			@RequestParam(required = false) String verdict, @RequestParam(required = false) String score,
			@RequestParam(required = false) String comment, @RequestParam(required = false) String back) {
		RunRecord record = this.history.find(run);
		ObjectNode body = JsonMapper.shared().createObjectNode();
		body.put("item", item);
		body.put("model", model);
		if (repeat != null) {
			body.put("repeat", repeat);
		}
		body.put("step", step);
		if ("pass".equals(verdict) || "fail".equals(verdict)) {
			body.put("pass", "pass".equals(verdict));
		}
		else if (score == null || score.isBlank()) {
			body.put("clear", true); // neither a verdict nor a score: not reviewed
		}
		if (score != null && !score.isBlank()) {
			if (!score.strip().matches("[1-5]")) {
				throw new RunException("score=" + SafeText.excerpt(score, 20) + " is not from 1 to 5");
			}
			body.put("score", Integer.parseInt(score.strip()));
		}
		body.put("comment", comment);
		this.reviews.review(record, body);
		return back((back != null && back.startsWith("/runs/" + record.id())) ? back : "/runs/" + record.id());
	}

	/** One of the run's exports, from its output folder. */
	@GetMapping("/runs/{run}/files/{name}")
	ResponseEntity<byte[]> file(@PathVariable String run, @PathVariable String name) throws IOException {
		return this.files.file(this.history.find(run), name);
	}

	/** Any export of the run, written now from the store, as a download. */
	@GetMapping("/runs/{run}/download")
	ResponseEntity<byte[]> download(@PathVariable String run, @RequestParam String format) throws IOException {
		return this.files.download(this.history.find(run), format);
	}

	private static ResponseEntity<String> back(String path) {
		return ResponseEntity.status(HttpStatus.SEE_OTHER).header(HttpHeaders.LOCATION, path).build();
	}

	/** One conversation by its item id as a query parameter, so any id opens ({@code /} included). */
	@GetMapping("/runs/{run}/item")
	ModelAndView itemById(@PathVariable String run, @RequestParam String id) {
		return item(run, id);
	}

	@GetMapping("/runs/{run}/items/{item}")
	ModelAndView item(@PathVariable String run, @PathVariable String item) {
		RunRecord record = this.history.find(run);
		long seq = this.store.itemSeq(record.id(), item)
			.orElseThrow(() -> new NotFoundException("there is no item '" + SafeText.firstLine(item) + "' in run "
					+ record.id()));
		List<Conversation> conversations = new ArrayList<>();
		this.reviews.withVerdicts(record.id(), List.of(seq), conversations::add);
		Map<Reviews.Reviewed, CheckStore.StoredReview> reviewed = this.reviews.reviews(record.id(), List.of(seq));
		List<Map<String, Object>> calls = new ArrayList<>();
		List<Map<String, Object>> reviewForms = new ArrayList<>();
		for (Conversation c : conversations) {
			for (Conversation.Call call : c.calls()) {
				Map<String, Object> row = new LinkedHashMap<>();
				row.put("model", c.model());
				row.put("step", call.step());
				row.put("finish_reason", String.valueOf(call.finishReason()));
				row.put("tokens", call.promptTokens() + " in, " + call.completionTokens() + " out");
				row.put("latency_ms", call.latencyMillis());
				row.put("attempts", call.attempts());
				row.put("error", (call.error() != null) ? call.error() : "");
				calls.add(row);
			}
			for (String step : Reviews.steps(c)) {
				CheckStore.StoredReview review = reviewed.get(new Reviews.Reviewed(AnswerKey.of(c), step));
				boolean repeated = conversations.stream().anyMatch((x) -> x.repetition() > 1);
				Map<String, Object> form = new HashMap<>();
				form.put("model", c.model());
				form.put("repeat", c.repetition());
				form.put("step", step);
				form.put("key", step + " " + c.model() + " " + c.repetition());
				form.put("label", ((conversations.size() > 1) ? step + " · " + c.model() : step)
						+ (repeated ? " · answer " + c.repetition() : ""));
				form.put("review", (review == null) ? "" : review.pass() ? "pass" : "fail");
				form.put("score", (review != null && review.score() != null) ? String.valueOf(review.score()) : "");
				form.put("comment", (review != null && review.comment() != null) ? review.comment() : "");
				form.put("reviewer", (review != null) ? Objects.toString(review.reviewer(), "") : "");
				form.put("at", (review != null && review.at() != null) ? TIME.format(review.at()) : "");
				reviewForms.add(form);
			}
		}
		Map<String, Object> model = new HashMap<>();
		model.put("id", record.id());
		model.put("job", record.jobName());
		model.put("item_id", item);
		model.put("item", this.report.item(conversations));
		model.put("calls", calls);
		model.put("reviews", reviewForms);
		model.put("continue", record.id() + ":" + item);
		model.put("permalink", "/runs/" + record.id() + "/item?id=" + URLEncoder.encode(item, StandardCharsets.UTF_8));
		model.put("back", "/runs/" + record.id() + "/item?id=" + URLEncoder.encode(item, StandardCharsets.UTF_8));
		return page("item", item + " · " + record.jobName() + " run " + record.id(), "runs", model);
	}

	/** The compare package's own page for the runs, with its own policy: its style and script carry a nonce. */
	@GetMapping("/compare")
	ResponseEntity<String> compare(@RequestParam String runs) throws IOException {
		List<String> which = Arrays.stream(runs.split(",")).map(String::strip).filter((s) -> !s.isEmpty()).toList();
		Path folder = Files.createTempDirectory("dmr-compare");
		try {
			this.comparisons.compare(which, folder.toString());
			String html = Files.readString(folder.resolve("compare.html"));
			Matcher nonce = RunFiles.NONCE.matcher(html);
			String csp = nonce.find() ? "default-src 'none'; style-src 'nonce-" + nonce.group(1) + "'; script-src 'nonce-"
					+ nonce.group(1) + "'; img-src data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
					: "default-src 'none'";
			html = html.replaceFirst("<body>", "<body><nav aria-label=\"back\"><p><a href=\"/\">← runs</a></p></nav>");
			return ResponseEntity.ok().contentType(HTML).header("Content-Security-Policy", csp).body(html);
		}
		finally {
			FileSystemUtils.deleteRecursively(folder);
		}
	}

	@GetMapping("/chat")
	ModelAndView chat(@RequestParam(required = false) String session,
			@RequestParam(name = "continue", required = false) String continueFrom) {
		Map<String, Object> model = new HashMap<>();
		List<String> models;
		String runnerProblem = "";
		try {
			models = this.catalog.modelNames();
		}
		catch (ModelCallException ex) {
			models = List.of();
			runnerProblem = SafeText.firstLine(String.valueOf(ex.getMessage()));
		}
		model.put("models", models);
		model.put("default_model", String.valueOf(this.properties.defaultModel()));
		model.put("runner_problem", runnerProblem);
		List<Map<String, Object>> sessions = this.chat.sessions();
		model.put("sessions", sessions);
		// a session resumed goes on with its own model
		sessions.stream()
			.filter((s) -> s.get("name").equals(session) && s.get("model") != null)
			.findFirst()
			.ifPresent((s) -> model.put("default_model", String.valueOf(s.get("model"))));
		model.put("parameters", BrowserChat.parameters());
		model.put("session", (session != null) ? session : "");
		model.put("continue", (continueFrom != null && (session == null || session.isBlank())) ? continueFrom : "");
		List<BrowserChat.ShownTurn> shown = List.of();
		if (session != null && !session.isBlank()) {
			shown = this.chat.transcript(session)
				.orElseThrow(() -> new NotFoundException("there is no session named '" + SafeText.firstLine(session) + "'"));
		}
		else if (continueFrom != null && !continueFrom.isBlank()) {
			// the conversation it goes on with, and the model that gave it
			BrowserChat.Continued continued = this.chat.continued(continueFrom);
			shown = continued.turns();
			model.put("default_model", continued.model());
		}
		List<Map<String, Object>> turns = new ArrayList<>();
		for (BrowserChat.ShownTurn turn : shown) {
			Map<String, Object> row = new HashMap<>();
			row.put("role", turn.role());
			row.put("content", turn.content());
			row.put("reasoning", turn.reasoning());
			row.put("answer", turn.role().equals("assistant") ? this.report.markdown(turn.content()) : null);
			row.put("finish", Objects.toString(turn.finishReason(), ""));
			row.put("images", turn.images());
			turns.add(row);
		}
		model.put("turns", turns);
		// a session's or a continued conversation's model is offered even when the runner no longer lists it; the
		// configured default only when the runner has it (else the runner's first model is selected)
		boolean own = (session != null && !session.isBlank()) || (continueFrom != null && !continueFrom.isBlank());
		if (own && !models.contains(model.get("default_model")) && !models.isEmpty()) {
			List<String> withIt = new ArrayList<>(models);
			withIt.add(0, model.get("default_model").toString());
			model.put("models", withIt);
		}
		return page("chat", "Chat", "chat", model);
	}

	@GetMapping("/jobs")
	ModelAndView jobs(@RequestParam(required = false) String started) {
		List<Map<String, Object>> jobs = new ArrayList<>();
		for (String name : this.jobs.jobs()) {
			Map<String, Object> row = new HashMap<>();
			row.put("name", name);
			try {
				JobDefinition job = this.jobFiles.load(name);
				row.put("description", (job.description() != null) ? job.description().strip() : "");
				row.put("problem", "");
			}
			catch (RuntimeException ex) {
				row.put("description", "");
				row.put("problem", SafeText.firstLine(String.valueOf(ex.getMessage())));
			}
			jobs.add(row);
		}
		List<String> models;
		try {
			models = this.catalog.modelNames();
		}
		catch (ModelCallException ex) {
			models = List.of();
		}
		return page("jobs", "Jobs", "jobs", Map.of("jobs", jobs, "models", models, "started",
				(started != null) ? started : ""));
	}

	/** The form of {@code /jobs}: starts the job, then shows the run history, where its progress appears. */
	@PostMapping("/jobs/{name}/runs")
	ResponseEntity<String> start(@PathVariable String name, @RequestParam(required = false) String input,
			@RequestParam(required = false) String model, @RequestParam(required = false) String vars,
			@RequestParam(required = false) String run, @RequestParam(required = false) String tags,
			@RequestParam(required = false) String limit, @RequestParam(required = false) String sample,
			@RequestParam(name = "sample_seed", required = false) String sampleSeed,
			@RequestParam(required = false) String repeat) {
		TrialSelection trial;
		try {
			trial = TrialSelection.of(RunViews.text(limit), RunViews.text(sample), RunViews.text(sampleSeed));
		}
		catch (IllegalArgumentException ex) {
			throw new RunException(ex.getMessage());
		}
		Map<String, String> given = new LinkedHashMap<>();
		if (vars != null) {
			for (String line : vars.split("\\R")) {
				if (line.isBlank()) {
					continue;
				}
				int eq = line.indexOf('=');
				if (eq <= 0) {
					throw new RunException("vars: '" + SafeText.firstLine(line) + "' is not key=value");
				}
				given.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
			}
		}
		Map<String, Object> started = this.jobs.start(name, input, model, given, run, RunNotes.parse(tags, "tags"),
				trial, RunViews.text(repeat));
		return back("/?job=" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "&started=" + started.get("id"));
	}

	/** report.html's own stylesheet, for the conversations and charts the pages show as the report does. */
	@GetMapping(path = "/static/report.css", produces = "text/css")
	ResponseEntity<byte[]> reportCss() throws IOException {
		try (InputStream css = PagesController.class.getClassLoader()
			.getResourceAsStream("dmr-templates/report/report.css")) {
			return ResponseEntity.ok().contentType(new MediaType("text", "css", StandardCharsets.UTF_8))
				.body(css.readAllBytes());
		}
	}

	/** A query string of the parameters that have a value, in a stable order. */
	static String query(Map<String, String> parameters) {
		StringBuilder query = new StringBuilder();
		parameters.entrySet()
			.stream()
			.sorted(Map.Entry.comparingByKey())
			.filter((e) -> !e.getValue().isEmpty())
			.forEach((e) -> query.append((query.length() > 0) ? "&" : "")
				.append(e.getKey())
				.append('=')
				.append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)));
		return query.toString();
	}

	static String percent(double rate) {
		return String.format(Locale.ROOT, "%.1f%%", rate * 100);
	}



}
