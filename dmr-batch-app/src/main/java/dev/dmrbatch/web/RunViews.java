package dev.dmrbatch.web;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import dev.dmrbatch.check.CheckStore;
import dev.dmrbatch.check.CheckTotals;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.history.RunHistory;
import dev.dmrbatch.history.RunSummary;
import dev.dmrbatch.run.job.RemotePartitions;
import dev.dmrbatch.run.job.RunOutcome;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.text.SafeText;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.stereotype.Component;

/**
 * What the pages and the API both ask of the runs: the run history filtered and sorted, a page of a run's items
 * filtered as the grid offers (all, passes, failures, errors, different between models, failing one check, text or a
 * pattern over the answers), and a run's checks with their pass rates and quality gate. Every parameter is checked
 * here: a value that is not one is a 400 naming it and what it may be.
 */
@Component
@ConditionalOnWebApplication
class RunViews {

	static final int DEFAULT_SIZE = 50;

	/** The most items a page holds. */
	static final int MAX_SIZE = 200;

	/** The statuses a run list is filtered by: every run status, and {@code running} for those going on. */
	static final List<String> STATUS_FILTERS;

	static {
		List<String> all = new ArrayList<>();
		all.add("running");
		all.addAll(RunHistory.STATUSES);
		STATUS_FILTERS = List.copyOf(all);
	}

	/** What the run list sorts by. */
	static final List<String> SORTS = List.of("id", "job", "model", "status", "pass_rate", "tokens", "time", "items");

	/** The views of a run's items, as the grid's filter names them. */
	static final List<String> VIEWS = List.of("all", "passes", "failures", "errors", "different");

	private static final JsonMapper JSON = JsonMapper.shared();

	private final RunHistory history;

	private final CheckStore checks;

	RunViews(RunHistory history, CheckStore checks) {
		this.history = history;
		this.checks = checks;
	}

	/**
	 * The run list's filters and order; {@code null} or blank for each is all, newest first. Besides job, status,
	 * model and tag, a pass rate range in percent ({@code pass_min}, {@code pass_max}: runs without checks have none
	 * and are left out by either), a range of tokens in and out together ({@code tokens_min}, {@code tokens_max}),
	 * and how recently a run started ({@code since}: {@code 1h}, {@code 24h}, {@code 7d}, {@code 30d}).
	 */
	record RunQuery(String job, String status, String model, String tag, String sort, String order, Range passRate,
			Range tokens, String since) {

		/** The parameters the list takes, in the order the pages' links write them. */
		static final List<String> PARAMETERS = List.of("job", "status", "model", "tag", "pass_min", "pass_max",
				"tokens_min", "tokens_max", "since", "sort", "order");

		/** How recently a run started, as {@code since} names it. */
		static final Map<String, java.time.Duration> SINCE = new LinkedHashMap<>();

		static {
			SINCE.put("1h", java.time.Duration.ofHours(1));
			SINCE.put("24h", java.time.Duration.ofDays(1));
			SINCE.put("7d", java.time.Duration.ofDays(7));
			SINCE.put("30d", java.time.Duration.ofDays(30));
		}

		/**
		 * The query the request's parameters say; others are ignored.
		 * @throws RunException naming a range bound or {@code since} that is not one
		 */
		static RunQuery of(Map<String, String> parameters) {
			String since = text(parameters.get("since"));
			if (since != null && !SINCE.containsKey(since)) {
				throw new RunException("since=" + SafeText.excerpt(since, 80) + " is not one of "
						+ String.join(", ", SINCE.keySet()));
			}
			return new RunQuery(text(parameters.get("job")), text(parameters.get("status")),
					text(parameters.get("model")), text(parameters.get("tag")), text(parameters.get("sort")),
					text(parameters.get("order")), Range.of(parameters, "pass_min", "pass_max", 100),
					Range.of(parameters, "tokens_min", "tokens_max", Long.MAX_VALUE), since);
		}

		boolean filtered() {
			return this.job != null || this.status != null || this.model != null || this.tag != null
					|| this.passRate.given() || this.tokens.given() || this.since != null;
		}

		/** The query's parameters by name, blank for those not given, to write the links that keep them. */
		Map<String, String> parameters() {
			Map<String, String> all = new LinkedHashMap<>();
			all.put("job", java.util.Objects.toString(this.job, ""));
			all.put("status", java.util.Objects.toString(this.status, ""));
			all.put("model", java.util.Objects.toString(this.model, ""));
			all.put("tag", java.util.Objects.toString(this.tag, ""));
			all.put("pass_min", this.passRate.minText());
			all.put("pass_max", this.passRate.maxText());
			all.put("tokens_min", this.tokens.minText());
			all.put("tokens_max", this.tokens.maxText());
			all.put("since", java.util.Objects.toString(this.since, ""));
			all.put("sort", java.util.Objects.toString(this.sort, ""));
			all.put("order", java.util.Objects.toString(this.order, ""));
			return all;
		}

	}

	/** A range of whole numbers from {@code min} to {@code max}, each bound included and either absent. */
	record Range(Long min, Long max) {

		static Range of(Map<String, String> parameters, String minName, String maxName, long most) {
			Long min = bound(parameters, minName, most);
			Long max = bound(parameters, maxName, most);
			if (min != null && max != null && min > max) {
				throw new RunException(minName + "=" + min + " is more than " + maxName + "=" + max);
			}
			return new Range(min, max);
		}

		private static Long bound(Map<String, String> parameters, String name, long most) {
			String value = text(parameters.get(name));
			if (value == null) {
				return null;
			}
			try {
				long bound = Long.parseLong(value);
				if (bound >= 0 && bound <= most) {
					return bound;
				}
			}
			catch (NumberFormatException ex) {
				// said below
			}
			throw new RunException(name + "=" + SafeText.excerpt(value, 80) + " is not a whole number from 0"
					+ ((most == Long.MAX_VALUE) ? " up" : " to " + most));
		}

		boolean given() {
			return this.min != null || this.max != null;
		}

		boolean holds(double value) {
			return (this.min == null || value >= this.min) && (this.max == null || value <= this.max);
		}

		String minText() {
			return (this.min != null) ? String.valueOf(this.min) : "";
		}

		String maxText() {
			return (this.max != null) ? String.valueOf(this.max) : "";
		}

	}

	/**
	 * The runs the query asks for.
	 * @throws RunException naming a status, sort or order that is not one
	 */
	List<RunSummary> runs(RunQuery query) {
		if (query.status() != null && STATUS_FILTERS.stream().noneMatch((s) -> s.equalsIgnoreCase(query.status()))) {
			throw new RunException("status=" + SafeText.excerpt(query.status(), 80) + " is not a run status: "
					+ String.join(", ", STATUS_FILTERS));
		}
		if (query.sort() != null && !SORTS.contains(query.sort())) {
			throw new RunException("sort=" + SafeText.excerpt(query.sort(), 80) + " is not one of " + String.join(", ",
					SORTS));
		}
		if (query.order() != null && !List.of("asc", "desc").contains(query.order())) {
			throw new RunException("order=" + SafeText.excerpt(query.order(), 80) + " is not asc or desc");
		}
		List<RunSummary> runs = new ArrayList<>(this.history.list(query.job()).stream()
			.filter((run) -> query.status() == null || (query.status().equalsIgnoreCase("running") ? run.running()
					: run.status().equalsIgnoreCase(query.status())))
			.filter((run) -> query.model() == null || models(run).contains(query.model()))
			.filter((run) -> query.tag() == null || run.tags().contains(query.tag()))
			.filter((run) -> !query.passRate().given() || (run.passRate() != null
					&& query.passRate().holds(Math.round(run.passRate() * 1000) / 10.0)))
			.filter((run) -> query.tokens().holds(run.promptTokens() + run.completionTokens()))
			.filter((run) -> query.since() == null
					|| !run.started().isBefore(java.time.Instant.now().minus(RunQuery.SINCE.get(query.since()))))
			.toList());
		if (query.sort() != null) {
			Comparator<RunSummary> order = switch (query.sort()) {
				case "job" -> Comparator.comparing(RunSummary::job);
				case "model" -> Comparator.comparing((RunSummary run) -> String.join(",", models(run)));
				case "status" -> Comparator.comparing(RunSummary::status);
				case "pass_rate" -> Comparator.comparing((RunSummary run) -> (run.passRate() != null) ? run.passRate()
						: -1.0);
				case "tokens" -> Comparator.comparingLong((RunSummary run) -> run.promptTokens() + run.completionTokens());
				case "time" -> Comparator.comparingDouble(RunSummary::seconds);
				case "items" -> Comparator.comparingLong(RunSummary::items);
				default -> Comparator.comparingLong(RunSummary::id);
			};
			order = order.thenComparing(Comparator.comparingLong(RunSummary::id).reversed());
			runs.sort("desc".equals(query.order()) ? order.reversed() : order);
		}
		else if ("asc".equals(query.order())) {
			runs.sort(Comparator.comparingLong(RunSummary::id));
		}
		return runs;
	}

	/**
	 * A cluster run's workers as the run page and its progress events show them, one row each: {@code host},
	 * {@code pid}, {@code runner}, {@code partitions}, {@code items}, {@code rate} (items/s over the time it spent on
	 * its partitions), {@code state} ({@code running <partition>}, {@code alive} or {@code gone}), all text.
	 */
	static List<Map<String, String>> workers(List<RemotePartitions.WorkerShare> workers) {
		List<Map<String, String>> rows = new ArrayList<>();
		for (RemotePartitions.WorkerShare worker : workers) {
			Map<String, String> row = new LinkedHashMap<>();
			row.put("host", worker.host());
			row.put("pid", String.valueOf(worker.pid()));
			row.put("runner", worker.runner());
			row.put("partitions", String.valueOf(worker.partitions()));
			row.put("items", String.valueOf(worker.items()));
			row.put("rate", String.format(Locale.ROOT, "%.1f", worker.rate()));
			row.put("state", (worker.running() != null) ? "running " + worker.running()
					: worker.alive() ? "alive" : "gone");
			rows.add(row);
		}
		return rows;
	}

	/** The models a run asked, from its settings (one object, or a list of them). */
	static List<String> models(RunSummary run) {
		if (run.settings() == null) {
			return List.of();
		}
		JsonNode settings = JSON.readTree(run.settings());
		List<String> models = new ArrayList<>();
		for (JsonNode model : settings.isArray() ? settings : List.of(settings)) {
			if (model.path("name").isString()) {
				models.add(model.path("name").asString());
			}
		}
		return models;
	}

	/** The grid's filters of a run's items; {@code null} or blank for each is all. */
	record ItemQuery(String view, String status, String q, String regex, String check) {

		static ItemQuery of(String view, String status, String q, String regex, String check) {
			return new ItemQuery(text(view), text(status), text(q), text(regex), text(check));
		}

	}

	/**
	 * A page of a run's items as the query asks.
	 * @throws RunException naming a parameter that is not valid, or a page past the last
	 */
	ConversationStore.ItemPage items(ConversationStore store, long runId, ItemQuery query, int page, int size) {
		String status = query.status();
		if (status != null && !List.of("ok", "failed").contains(status)) {
			throw new RunException("status=" + SafeText.excerpt(status, 80) + " is not ok or failed");
		}
		if (query.view() != null && !VIEWS.contains(query.view())) {
			throw new RunException("view=" + SafeText.excerpt(query.view(), 80) + " is not one of " + String.join(", ",
					VIEWS));
		}
		if (page < 1) {
			throw new RunException("page=" + page + " must be 1 or more");
		}
		if (size < 1 || size > MAX_SIZE) {
			throw new RunException("size=" + size + " must be from 1 to " + MAX_SIZE);
		}
		Pattern pattern = null;
		if (query.regex() != null) {
			if (query.regex().length() > 500) {
				throw new RunException("regex: a pattern of at most 500 characters");
			}
			try {
				pattern = Pattern.compile(query.regex());
			}
			catch (PatternSyntaxException ex) {
				throw new RunException("regex=" + SafeText.excerpt(query.regex(), 80) + " is not a regular expression: "
						+ SafeText.firstLine(ex.getDescription()));
			}
		}
		List<Integer> evaluations = List.of(this.checks.latestEvaluation(runId).orElse(CheckStore.HUMAN),
				CheckStore.HUMAN);
		ConversationStore.VerdictFilter verdicts = null;
		if (query.check() != null) {
			if (!this.checks.checkKeys(runId).contains(query.check())) {
				throw new RunException("check=" + SafeText.excerpt(query.check(), 80) + " is not a check of run " + runId
						+ checkList(runId));
			}
			verdicts = new ConversationStore.VerdictFilter(evaluations, query.check(), true);
		}
		String view = (query.view() != null) ? query.view() : "all";
		if (view.equals("failures")) {
			verdicts = new ConversationStore.VerdictFilter(evaluations, query.check(), true);
		}
		else if (view.equals("passes")) {
			if (verdicts != null) {
				throw new RunException("view=passes and check= do not go together: check= shows the items failing it");
			}
			verdicts = new ConversationStore.VerdictFilter(evaluations, null, false);
		}
		else if (view.equals("errors")) {
			if (status != null && !status.equals("failed")) {
				throw new RunException("view=errors shows the failed items: it does not go with status=" + status);
			}
			status = "failed";
		}
		ConversationStore.ItemPage found = store.itemPage(runId, new ConversationStore.ItemFilter(status, query.q(),
				pattern, verdicts, view.equals("different")), page, size);
		if (page > found.pages()) {
			throw new RunException("page=" + page + " is past the last page, " + found.pages() + " (" + found.total()
					+ ((found.total() == 1) ? " item" : " items") + " of " + size + " a page)");
		}
		return found;
	}

	private String checkList(long runId) {
		List<String> keys = this.checks.checkKeys(runId);
		return keys.isEmpty() ? " (it has none)" : " (" + String.join(", ", keys) + ")";
	}

	/**
	 * A run's checks as the run page shows them: each with its pass rate (all models; the reviews' too), the least
	 * rate its quality gate asks and whether it holds; empty when the run has none.
	 */
	List<Map<String, Object>> checkRows(long runId) {
		List<CheckTotals> totals = this.checks.passCounts(runId);
		Map<String, Double> gate = this.checks.minPassRates(runId);
		List<String> below = RunOutcome.belowGate(totals, gate).stream().map(CheckTotals::checkKey).toList();
		List<Map<String, Object>> rows = new ArrayList<>();
		for (CheckTotals check : totals) {
			Map<String, Object> row = new LinkedHashMap<>();
			row.put("key", check.checkKey());
			row.put("passed", check.passed());
			row.put("total", check.total());
			row.put("rate", String.format(Locale.ROOT, "%.1f%%", check.rate() * 100));
			Double least = gate.get(check.checkKey());
			row.put("gate", (least != null) ? String.format(Locale.ROOT, "%s%%",
					java.math.BigDecimal.valueOf(least).movePointRight(2).stripTrailingZeros().toPlainString()) : "");
			row.put("met", !below.contains(check.checkKey()));
			rows.add(row);
		}
		return rows;
	}

	/** The quality gate's verdict in one line: held, or the checks below it; empty when no check has a gate. */
	String gateLine(long runId) {
		List<CheckTotals> totals = this.checks.passCounts(runId);
		Map<String, Double> gate = this.checks.minPassRates(runId);
		if (gate.isEmpty()) {
			return "";
		}
		String below = RunOutcome.gateLine(totals, gate);
		return (below != null) ? below.replaceFirst("^finished; ", "") : "quality gate met";
	}

	/** The checks' keys a run's items may be filtered by (its latest evaluation's, then its reviews'). */
	List<String> checkKeys(long runId) {
		return this.checks.checkKeys(runId);
	}

	/** The distinct values of a list, in order. */
	static List<String> distinct(List<String> values) {
		Set<String> seen = new LinkedHashSet<>(values);
		return List.copyOf(seen);
	}

	static String text(String value) {
		return (value != null && !value.isBlank()) ? value.strip() : null;
	}

}
