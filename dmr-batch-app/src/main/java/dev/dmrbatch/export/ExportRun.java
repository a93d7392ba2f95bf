package dev.dmrbatch.export;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.check.CheckTotals;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.conversation.RunTotals;
import tools.jackson.databind.json.JsonMapper;

/**
 * The facts every export shows about its run.
 *
 * @param steps the names of the run's steps, in order (the CSV's answer columns)
 * @param jsonColumns the steps that answer in JSON and their schema's top-level properties (the CSV's data columns;
 * an empty list for a step without a schema: one column with the whole object)
 * @param models each model's totals
 * @param checks how often each check passed in the run's latest evaluation, in the job file's order; empty when the
 * run has no checks
 * @param checksByModel the same per model
 * @param repeat how many times each item was asked of each model ({@code repeat=N}); 1 for once
 */
record ExportRun(RunRecord run, RunTotals totals, List<String> steps, Map<String, List<String>> jsonColumns,
		List<ConversationStore.ModelTotals> models, Instant finished, List<CheckTotals> checks,
		List<CheckTotals> checksByModel, int repeat) {

	ExportRun(RunRecord run, RunTotals totals, List<String> steps, Map<String, List<String>> jsonColumns,
			List<ConversationStore.ModelTotals> models, Instant finished, List<CheckTotals> checks,
			List<CheckTotals> checksByModel) {
		this(run, totals, steps, jsonColumns, models, finished, checks, checksByModel, 1);
	}

	/** Whether each item was asked more than once of each model: its conversations then say which answer they are. */
	boolean repeats() {
		return this.repeat > 1;
	}

	ExportRun(RunRecord run, RunTotals totals, List<String> steps, Map<String, List<String>> jsonColumns,
			List<ConversationStore.ModelTotals> models, Instant finished) {
		this(run, totals, steps, jsonColumns, models, finished, List.of(), List.of());
	}

	/** The checks' keys, {@code <step>.<check>}, in the job file's order. */
	List<String> checkKeys() {
		return this.checks.stream().map(CheckTotals::checkKey).toList();
	}

	String name() {
		return this.run.jobName() + " run " + ((this.run.label() != null) ? this.run.label() : this.run.id());
	}

	/** The facts as plain data, for JSON and for layouts. The settings never hold the API key. */
	Map<String, Object> facts(JsonMapper json) {
		Map<String, Object> facts = new LinkedHashMap<>();
		facts.put("job", this.run.jobName());
		facts.put("run", (this.run.label() != null) ? this.run.label() : String.valueOf(this.run.id()));
		facts.put("id", this.run.id());
		facts.put("input", this.run.input());
		Object settings = (this.run.settings() != null) ? json.readValue(this.run.settings(), Object.class) : Map.of();
		// several models: "model" stays the first one's settings, so layouts written for one model keep working
		facts.put("model", (settings instanceof List<?> list && !list.isEmpty()) ? list.get(0) : settings);
		facts.put("started", this.run.createdAt().toString());
		facts.put("finished", this.finished.toString());
		facts.put("items", this.totals.conversations());
		facts.put("ok", this.totals.ok());
		facts.put("failed", this.totals.failed());
		facts.put("prompt_tokens", this.totals.promptTokens());
		facts.put("completion_tokens", this.totals.completionTokens());
		if (repeats()) {
			facts.put("repeat", this.repeat);
		}
		List<Map<String, Object>> perModel = new ArrayList<>();
		for (ConversationStore.ModelTotals model : this.models) {
			Map<String, Object> m = new LinkedHashMap<>();
			m.put("model", model.model());
			m.put("items", model.conversations());
			m.put("ok", model.ok());
			m.put("failed", model.failed());
			m.put("prompt_tokens", model.promptTokens());
			m.put("completion_tokens", model.completionTokens());
			m.put("latency_ms_avg", model.latencyMillisAverage());
			perModel.add(m);
		}
		facts.put("models", perModel);
		if (!this.checks.isEmpty()) {
			// each check's pass count, all models together: {"<step>.<check>": {passed, total, rate}}
			Map<String, Object> checks = new LinkedHashMap<>();
			for (CheckTotals check : this.checks) {
				checks.put(check.checkKey(), passCount(check));
			}
			facts.put("checks", checks);
		}
		return facts;
	}

	static Map<String, Object> passCount(CheckTotals check) {
		Map<String, Object> count = new LinkedHashMap<>();
		count.put("passed", check.passed());
		count.put("total", check.total());
		count.put("rate", check.rate());
		return count;
	}

}
