package dev.dmrbatch.export;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.conversation.RunTotals;
import tools.jackson.databind.json.JsonMapper;

/**
 * The facts every export shows about its run.
 *
 * @param steps the names of the run's steps, in order (the CSV's answer columns)
 */
record ExportRun(RunRecord run, RunTotals totals, List<String> steps, Instant finished) {

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
		facts.put("model", (this.run.settings() != null) ? json.readValue(this.run.settings(), Map.class) : Map.of());
		facts.put("started", this.run.createdAt().toString());
		facts.put("finished", this.finished.toString());
		facts.put("items", this.totals.conversations());
		facts.put("ok", this.totals.ok());
		facts.put("failed", this.totals.failed());
		facts.put("prompt_tokens", this.totals.promptTokens());
		facts.put("completion_tokens", this.totals.completionTokens());
		return facts;
	}

}
