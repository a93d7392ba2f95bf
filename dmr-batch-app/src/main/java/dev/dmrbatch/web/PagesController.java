package dev.dmrbatch.web;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.dmrbatch.chat.BrowserChat;
import dev.dmrbatch.check.CheckStore;
import dev.dmrbatch.check.ItemVerdicts;
import dev.dmrbatch.compare.Comparisons;
import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.export.ReportModel;
import dev.dmrbatch.export.RunCharts;
import dev.dmrbatch.history.RunHistory;
import dev.dmrbatch.history.RunSummary;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.jobfile.JobFiles;
import dev.dmrbatch.model.ModelCallException;
import dev.dmrbatch.model.ModelCatalog;
import dev.dmrbatch.run.plan.NotFoundException;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.text.SafeText;
import org.springframework.util.FileSystemUtils;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.ModelAndView;

/**
 * The pages: the run history, a run, one conversation, a comparison, the chat and the jobs. Each is a view rendered
 * on the server; {@code /static/app.js} makes them live (events, chat streaming) without inline script.
 */
@Controller
@ConditionalOnWebApplication
class PagesController {

	private static final MediaType HTML = new MediaType("text", "html", StandardCharsets.UTF_8);

	private static final java.time.format.DateTimeFormatter TIME = java.time.format.DateTimeFormatter
		.ofPattern("yyyy-MM-dd HH:mm:ss", java.util.Locale.ROOT)
		.withZone(java.time.ZoneId.systemDefault());

	private static final Pattern NONCE = Pattern.compile("'nonce-([0-9a-f]+)'");

	private final RunHistory history;

	private final ConversationStore store;

	private final CheckStore checks;

	private final WebAccess access;

	private final JobStarter jobs;

	private final JobFiles jobFiles;

	private final ModelCatalog catalog;

	private final BrowserChat chat;

	private final Comparisons comparisons;

	private final DmrProperties properties;

	private final ReportModel report = new ReportModel();

	private final RunEvents events;

	PagesController(RunHistory history, ConversationStore store, CheckStore checks,
			WebAccess access, JobStarter jobs, JobFiles jobFiles, ModelCatalog catalog, BrowserChat chat,
			Comparisons comparisons, DmrProperties properties, RunEvents events) {
		this.events = events;
		this.history = history;
		this.store = store;
		this.checks = checks;
		this.access = access;
		this.jobs = jobs;
		this.jobFiles = jobFiles;
		this.catalog = catalog;
		this.chat = chat;
		this.comparisons = comparisons;
		this.properties = properties;
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
	ModelAndView runs(@RequestParam(required = false) String job,
			@RequestParam(required = false) String status) {
		List<RunSummary> all = this.history.list(null);
		List<Map<String, Object>> rows = new ArrayList<>();
		for (RunSummary run : ApiController.runList(this.history, this.events, job, status)) {
			Map<String, Object> row = new HashMap<>(run.facts());
			row.put("run", (run.label() != null) ? run.label() : "-");
			row.put("running", this.events.running(run));
			row.put("status", this.events.status(run));
			row.put("chat", run.status().equals("CHAT SESSION"));
			row.put("started", TIME.format(run.started()));
			row.put("exit_code", (run.exitCode() != null) ? String.valueOf(run.exitCode()) : "-");
			row.put("model", "");
			rows.add(row);
		}
		Map<String, Object> model = new HashMap<>();
		model.put("runs", rows);
		model.put("jobs", all.stream().map(RunSummary::job).distinct().sorted().toList());
		model.put("job", (job != null) ? job : "");
		model.put("status", (status != null) ? status : "");
		model.put("statuses", List.of("running", "COMPLETED", "FAILED", "STOPPED", "CHAT SESSION"));
		return page("runs", "Runs", "runs", model);
	}

	@GetMapping("/runs/{run}")
	ModelAndView run(@PathVariable String run, @RequestParam(required = false) String status,
			@RequestParam(required = false) String q, @RequestParam(defaultValue = "1") int page) {
		RunRecord record = this.history.find(run);
		RunSummary summary = this.history.summary(record);
		long id = record.id();
		ConversationStore.ItemPage found = ApiController.page(this.store, id, status, q, page,
				ApiController.DEFAULT_SIZE);
		List<Map<String, Object>> shown = new ArrayList<>();
		List<Conversation> conversations = new ArrayList<>();
		this.store.forEachOf(id, found.itemSeqs(), conversations::add);
		Map<Long, List<Conversation>> byItem = new LinkedHashMap<>();
		conversations.forEach((c) -> byItem.computeIfAbsent(c.itemSeq(), (k) -> new ArrayList<>()).add(c));
		for (List<Conversation> item : byItem.values()) {
			Map<String, Object> row = new HashMap<>();
			Conversation first = item.get(0);
			row.put("seq", first.itemSeq());
			row.put("id", first.itemId());
			row.put("status", item.stream().allMatch(Conversation::isOk) ? "ok" : "failed");
			row.put("models", String.join(", ", item.stream().map(Conversation::model).toList()));
			row.put("tokens", item.stream().mapToLong(Conversation::completionTokens).sum());
			row.put("latency_ms", item.stream().mapToLong(Conversation::latencyMillis).max().orElse(0));
			String error = item.stream().map(Conversation::error).filter(java.util.Objects::nonNull).findFirst().orElse("");
			row.put("error", error);
			shown.add(row);
		}
		Map<String, Object> model = new HashMap<>();
		Map<String, Object> facts = new LinkedHashMap<>();
		facts.put("job", summary.job());
		facts.put("run", (summary.label() != null) ? summary.label() + " (id " + id + ")" : String.valueOf(id));
		facts.put("input", String.valueOf(summary.input()));
		facts.put("model", String.valueOf(summary.settings()));
		facts.put("status", this.events.status(summary) + ((summary.exitCode() != null) ? ", exit code " + summary.exitCode() : ""));
		facts.put("started", TIME.format(summary.started()));
		facts.put("items", summary.items() + ": " + summary.ok() + " ok, " + summary.failed() + " failed");
		facts.put("tokens", summary.promptTokens() + " in, " + summary.completionTokens() + " out");
		model.put("facts", facts);
		model.put("id", id);
		model.put("running", this.events.running(summary));
		ConversationStore.ItemCounts counts = this.store.itemCounts(id);
		model.put("done", counts.items());
		model.put("total", this.store.totalItems(id).map(String::valueOf).orElse(""));
		model.put("failed_count", counts.failed());
		model.putAll(RunCharts.of(this.store, record));
		List<Map<String, Object>> failures = new ArrayList<>();
		this.store.forEachFailure(id, (f) -> {
			if (failures.size() < 20) {
				failures.add(Map.of("seq", f.itemSeq(), "id", f.itemId(), "model", f.model(), "error",
						String.valueOf(f.error())));
			}
		});
		model.put("failures", failures);
		model.put("items", shown);
		model.put("page", found.page());
		model.put("pages", found.pages());
		model.put("matching", found.total());
		model.put("q", (q != null) ? q : "");
		model.put("status", (status != null) ? status : "");
		return page("run", summary.job() + " run " + id, "runs", model);
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
		Map<String, List<dev.dmrbatch.conversation.Verdict>> verdicts = new HashMap<>();
		for (ItemVerdicts v : this.checks.latestIn(record.id(), seq - 1, seq)) {
			verdicts.put(v.model(), v.verdicts());
		}
		List<Conversation> conversations = new ArrayList<>();
		this.store.forEachOf(record.id(), List.of(seq),
				(c) -> conversations.add(c.withVerdicts(verdicts.getOrDefault(c.model(), List.of()), List.of())));
		List<Map<String, Object>> calls = new ArrayList<>();
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
		}
		Map<String, Object> model = new HashMap<>();
		model.put("id", record.id());
		model.put("job", record.jobName());
		model.put("item", this.report.item(conversations));
		model.put("calls", calls);
		model.put("continue", record.id() + ":" + item);
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
			Matcher nonce = NONCE.matcher(html);
			String csp = nonce.find() ? "default-src 'none'; style-src 'nonce-" + nonce.group(1) + "'; script-src 'nonce-"
					+ nonce.group(1) + "'; img-src data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
					: "default-src 'none'";
			html = html.replaceFirst("<body>", "<body><p><a href=\"/\">← runs</a></p>");
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
		model.put("continue", (continueFrom != null) ? continueFrom : "");
		List<Map<String, Object>> turns = new ArrayList<>();
		if (session != null && !session.isBlank()) {
			for (Conversation.Turn turn : this.chat.turns(session)
				.orElseThrow(() -> new NotFoundException("there is no session named '" + SafeText.firstLine(session) + "'"))) {
				Map<String, Object> shown = new HashMap<>();
				shown.put("role", turn.role());
				shown.put("content", turn.content());
				shown.put("reasoning", turn.reasoning());
				shown.put("answer", turn.role().equals("assistant") ? this.report.markdown(turn.content()) : null);
				turns.add(shown);
			}
		}
		model.put("turns", turns);
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
			@RequestParam(required = false) String run) {
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
		this.jobs.start(name, input, model, given, run);
		return ResponseEntity.status(HttpStatus.SEE_OTHER).header(HttpHeaders.LOCATION, "/?job=" + name).build();
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

}
