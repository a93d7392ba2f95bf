package dev.dmrbatch.history;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.run.job.RemotePartitions;

import tools.jackson.databind.json.JsonMapper;

/**
 * A run as {@code job=runs} and {@code job=show} report it.
 *
 * @param seconds the time its executions took, added up
 * @param status the last execution's Spring Batch status
 * @param exitCode the exit code the run's last execution gave (or would give), null while it is running or was left
 * running by a process that is gone
 * @param settings the model settings as JSON, never the API key
 * @param workers what each worker of the cluster did for the run, live while it runs; empty for a run of one process
 */
public record RunSummary(long id, String label, String job, String input, Instant started, double seconds,
		String status, long items, long ok, long failed, long promptTokens, long completionTokens, Integer exitCode,
		String outputDir, String settings, List<Execution> executions, List<RemotePartitions.WorkerShare> workers) {

	/**
	 * The run as {@code job=runs --json} lists it (and the web app's {@code /api/runs}): these keys, in this order; the
	 * settings parsed back into JSON.
	 */
	public Map<String, Object> facts() {
		Map<String, Object> facts = new LinkedHashMap<>();
		facts.put("id", this.id);
		facts.put("run", this.label);
		facts.put("job", this.job);
		facts.put("input", this.input);
		facts.put("started", this.started);
		facts.put("seconds", this.seconds);
		facts.put("status", this.status);
		facts.put("items", this.items);
		facts.put("ok", this.ok);
		facts.put("failed", this.failed);
		facts.put("prompt_tokens", this.promptTokens);
		facts.put("completion_tokens", this.completionTokens);
		facts.put("exit_code", this.exitCode);
		facts.put("output", this.outputDir);
		facts.put("model", (this.settings != null) ? JsonMapper.shared().readValue(this.settings, Object.class) : null);
		if (!this.workers.isEmpty()) {
			facts.put("workers", this.workers);
		}
		return facts;
	}

	/** One execution: the first start, or a restart. */
	public record Execution(long id, Instant started, Instant ended, double seconds, String status, String exitStatus) {
	}

}
