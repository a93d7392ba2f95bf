package dev.dmrbatch.history;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.run.job.RemotePartitions;

import tools.jackson.databind.json.JsonMapper;

/**
 * A run as {@code job=runs} and {@code job=show} report it, and the web app shows it.
 *
 * @param seconds the time its executions worked, added up: up to now for one going on, up to its last stored item
 * for one whose process was killed
 * @param status one of {@link RunHistory#STATUSES}: the last execution's Spring Batch status, {@code ABANDONED} for
 * a run left running by a process that is gone, {@code CHAT SESSION} for a chat session
 * @param exitCode the exit code the run's last execution gave (or would give), null while it is running or was left
 * running by a process that is gone
 * @param settings the model settings as JSON, never the API key
 * @param workers what each worker of the cluster did for the run, live while it runs; empty for a run of one process
 * @param tags its tags, sorted
 * @param note its note, or {@code null}
 * @param passRate the share of its checks' verdicts and reviews that passed (the latest evaluation's), {@code null}
 * when it has none
 */
public record RunSummary(long id, String label, String job, String input, Instant started, double seconds,
		String status, long items, long ok, long failed, long promptTokens, long completionTokens, Integer exitCode,
		String outputDir, String settings, List<Execution> executions, List<RemotePartitions.WorkerShare> workers,
		List<String> tags, String note, Double passRate) {

	/** Whether it is going on now, in this process or another. */
	public boolean running() {
		return RunHistory.RUNNING.contains(this.status);
	}

	/** Whether it is a chat session rather than a batch run. */
	public boolean chatSession() {
		return RunHistory.CHAT_SESSION.equals(this.status);
	}

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
		facts.put("running", running());
		facts.put("items", this.items);
		facts.put("ok", this.ok);
		facts.put("failed", this.failed);
		facts.put("prompt_tokens", this.promptTokens);
		facts.put("completion_tokens", this.completionTokens);
		facts.put("exit_code", this.exitCode);
		facts.put("output", this.outputDir);
		facts.put("model", (this.settings != null) ? JsonMapper.shared().readValue(this.settings, Object.class) : null);
		facts.put("pass_rate", this.passRate);
		facts.put("tags", this.tags);
		facts.put("note", this.note);
		if (!this.workers.isEmpty()) {
			facts.put("workers", this.workers);
		}
		return facts;
	}

	/** A time as the run history shows it: {@code 4.2 s}, {@code 3m07s}, {@code 2h05m}. */
	public static String duration(double seconds) {
		if (seconds < 60) {
			return String.format(java.util.Locale.ROOT, "%.1f s", seconds);
		}
		long s = Math.round(seconds);
		return (s < 3600) ? String.format(java.util.Locale.ROOT, "%dm%02ds", s / 60, s % 60)
				: String.format(java.util.Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
	}

	/** One execution: the first start, or a restart; {@code seconds} as the run's are counted. */
	public record Execution(long id, Instant started, Instant ended, double seconds, String status, String exitStatus) {
	}

}
