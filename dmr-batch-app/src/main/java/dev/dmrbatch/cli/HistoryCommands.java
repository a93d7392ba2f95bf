package dev.dmrbatch.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.history.RunHistory;
import dev.dmrbatch.history.RunSummary;
import dev.dmrbatch.run.job.OutputFolders;
import dev.dmrbatch.run.plan.RunException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * {@code job=runs} and {@code job=show}: the run history, as a table for people or JSON for scripts. The store is
 * asked for when the command runs, not when it is made, so that its store server is looked for meanwhile
 * ({@link Command#usesStore()}).
 */
@Component
class HistoryCommands {

	/** {@code job=show} lists this many failed items; {@code --json} lists them all. */
	static final int FAILURES_SHOWN = 50;

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT)
		.withZone(ZoneId.systemDefault());

	private final ObjectProvider<RunHistory> history;

	private final ObjectProvider<ConversationStore> store;

	HistoryCommands(ObjectProvider<RunHistory> history, ObjectProvider<ConversationStore> store) {
		this.history = history;
		this.store = store;
	}

	int runs(Arguments arguments, boolean json) {
		String job = arguments.get("of");
		List<RunSummary> runs = this.history.getObject().list(job);
		if (json) {
			// the mapper is made when asked for: a table loads no JSON library
			Console.out(JsonMapper.shared()
				.writerWithDefaultPrettyPrinter()
				.writeValueAsString(runs.stream().map(this::facts).toList()));
			return 0;
		}
		if (runs.isEmpty()) {
			Console.out((job != null) ? "no runs of " + job + " yet" : "no runs yet");
			return 0;
		}
		List<String[]> rows = new ArrayList<>();
		rows.add(new String[] { "ID", "RUN", "JOB", "STARTED", "TIME", "STATUS", "OK", "FAILED", "TOKENS IN", "TOKENS OUT",
				"EXIT", "WORKERS", "TAGS", "OUTPUT" });
		for (RunSummary run : runs) {
			rows.add(new String[] { String.valueOf(run.id()), (run.label() != null) ? run.label() : "-", run.job(),
					TIME.format(run.started()), duration(run.seconds()), run.status(), String.valueOf(run.ok()),
					String.valueOf(run.failed()), String.valueOf(run.promptTokens()),
					String.valueOf(run.completionTokens()), (run.exitCode() != null) ? String.valueOf(run.exitCode()) : "-",
					workers(run), run.tags().isEmpty() ? "-" : String.join(",", run.tags()), run.outputDir() });
		}
		Console.out(table(rows));
		return 0;
	}

	/** How many cluster workers took a part of the run, and how many of them are gone; {@code -} for one process. */
	private static String workers(RunSummary run) {
		if (run.workers().isEmpty()) {
			return "-";
		}
		long gone = run.workers().stream().filter((worker) -> !worker.alive()).count();
		return run.workers().size() + ((gone > 0) ? ", " + gone + " gone" : "");
	}

	int show(Arguments arguments, boolean json) {
		String which = arguments.get("run");
		if (which == null) {
			throw new RunException("job=show needs run=<run id or label> (job=runs lists them)");
		}
		RunHistory history = this.history.getObject();
		RunRecord record = history.find(which);
		RunSummary run = history.summary(record);
		List<ConversationStore.Failure> failures = new ArrayList<>();
		long[] failureCount = { 0 };
		this.store.getObject().forEachFailure(run.id(), (failure) -> {
			if (json || failures.size() < FAILURES_SHOWN) {
				failures.add(failure);
			}
			failureCount[0]++;
		});
		List<Path> exports = exports(run.outputDir());
		if (json) {
			Map<String, Object> facts = facts(run);
			facts.put("executions", run.executions());
			facts.put("failures", failures);
			facts.put("exports", exports.stream().map(Path::toString).toList());
			Console.out(JsonMapper.shared().writerWithDefaultPrettyPrinter().writeValueAsString(facts));
			return 0;
		}
		StringBuilder text = new StringBuilder();
		text.append(run.job()).append(" run ").append(run.id());
		if (run.label() != null) {
			text.append(" (run=").append(run.label()).append(')');
		}
		text.append('\n');
		line(text, "input", run.input());
		line(text, "model", run.settings());
		line(text, "status", run.status() + ((run.exitCode() != null) ? ", exit code " + run.exitCode()
				: run.running() ? " (running)"
				: RunHistory.ABANDONED.equals(run.status())
						? " (left running by a process that is gone: the same command resumes it)" : ""));
		line(text, "items", run.items() + ": " + run.ok() + " ok, " + run.failed() + " failed");
		line(text, "tokens", run.promptTokens() + " in, " + run.completionTokens() + " out");
		line(text, "started", TIME.format(run.started()));
		if (!run.tags().isEmpty()) {
			line(text, "tags", String.join(", ", run.tags()));
		}
		if (run.note() != null) {
			line(text, "note", dev.dmrbatch.text.SafeText.excerpt(run.note(), 2000));
		}
		line(text, "time", duration(run.seconds()) + " over " + run.executions().size()
				+ ((run.executions().size() == 1) ? " execution" : " executions"));
		for (RunSummary.Execution execution : run.executions()) {
			text.append(String.format(Locale.ROOT, "    execution %d: %s to %s, %s, %s%n", execution.id(),
					(execution.started() != null) ? TIME.format(execution.started()) : "-",
					(execution.ended() != null) ? TIME.format(execution.ended()) : "-", duration(execution.seconds()),
					execution.status()));
		}
		if (!run.workers().isEmpty()) {
			text.append("workers:\n");
			run.workers().forEach((worker) -> text.append("    ").append(worker.line().substring("worker ".length()))
				.append('\n'));
		}
		if (failureCount[0] > 0) {
			text.append("failed items:\n");
			for (ConversationStore.Failure failure : failures) {
				text.append(String.format(Locale.ROOT, "    record %d, id %s (%s): %s%n", failure.itemSeq(),
						failure.itemId(), failure.model(), failure.error()));
			}
			if (failureCount[0] > failures.size()) {
				text.append("    ... and ").append(failureCount[0] - failures.size())
					.append(" more (job=show run=").append(which).append(" --json lists them all)\n");
			}
		}
		if (exports.isEmpty()) {
			text.append("exports: none in ").append(run.outputDir())
				.append(" (job=export run=").append(which).append(" writes them)\n");
		}
		else {
			text.append("exports in ").append(run.outputDir()).append(":\n");
			exports.forEach((file) -> text.append("    ").append(file.getFileName()).append('\n'));
		}
		Console.out(text.toString().stripTrailing());
		return 0;
	}

	private Map<String, Object> facts(RunSummary run) {
		return run.facts();
	}

	/** The files in a run's output folder, the log included; none when it was never written or was removed. */
	private static List<Path> exports(String outputDir) {
		if (outputDir == null || !Files.isDirectory(Path.of(outputDir))) {
			return List.of();
		}
		try (Stream<Path> files = Files.list(Path.of(outputDir))) {
			// the folder's owner marker is no export
			return files.filter(Files::isRegularFile)
				.filter((file) -> !file.getFileName().toString().equals(OutputFolders.MARKER))
				.sorted()
				.toList();
		}
		catch (IOException ex) {
			return List.of();
		}
	}

	private static void line(StringBuilder text, String name, String value) {
		text.append(String.format(Locale.ROOT, "  %-9s %s%n", name + ":", value));
	}

	static String duration(double seconds) {
		return RunSummary.duration(seconds);
	}

	/** Columns padded to their widest cell; the last column is never padded. */
	static String table(List<String[]> rows) {
		int columns = rows.get(0).length;
		int[] widths = new int[columns];
		for (String[] row : rows) {
			for (int i = 0; i < columns; i++) {
				widths[i] = Math.max(widths[i], row[i].length());
			}
		}
		StringBuilder text = new StringBuilder();
		for (String[] row : rows) {
			for (int i = 0; i < columns; i++) {
				text.append((i < columns - 1) ? String.format(Locale.ROOT, "%-" + widths[i] + "s  ", row[i]) : row[i]);
			}
			text.append('\n');
		}
		return text.toString().stripTrailing();
	}

}
