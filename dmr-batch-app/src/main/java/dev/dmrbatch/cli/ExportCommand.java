package dev.dmrbatch.cli;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.export.Exports;
import dev.dmrbatch.history.RunHistory;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.jobfile.JobFiles;
import dev.dmrbatch.run.job.OutputFolders;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.text.SafeText;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code job=export run=<id or label> [export=pdf,csv] [output=<dir>]}: writes a past run's exports again from the
 * store, without calling any model (the runner may be stopped).
 */
@Component
@Order(10)
class ExportCommand implements Command {

	private final ConversationStore store;

	private final Exports exports;

	private final DmrProperties properties;

	private final JobFiles jobFiles;

	private final RunHistory history;

	private final OutputFolders folders;

	ExportCommand(ConversationStore store, Exports exports, DmrProperties properties, JobFiles jobFiles,
			RunHistory history, OutputFolders folders) {
		this.folders = folders;
		this.history = history;
		this.store = store;
		this.jobFiles = jobFiles;
		this.exports = exports;
		this.properties = properties;
	}

	@Override
	public String name() {
		return "export";
	}

	@Override
	public String usage() {
		return "job=export run=<id|label> [export=jsonl,pdf,...] [output=<dir>]";
	}

	@Override
	public Set<String> arguments() {
		return Set.of("run", "export", "output");
	}

	/** An export could not be written, as a run's exit code 5: the job failed. */
	static final int EXPORT_FAILED = 5;

	@Override
	public int run(Arguments arguments) {
		String which = arguments.get("run");
		if (which == null) {
			throw new RunException("job=export needs run=<run id or label> (the summary of a run names it)");
		}
		RunRecord run = find(which);
		Optional<JobDefinition> job = jobFile(run.jobName());
		// export= when given; else the job file's own list; else every format
		List<String> formats = (arguments.get("export") != null)
				? Arrays.stream(arguments.get("export").split(",")).map(String::strip).toList()
				: this.exports.defaultFormats(run, job.map(JobDefinition::exportsOrDefault).orElse(null));
		for (String format : formats) {
			if (this.exports.formats().find(format) == null) {
				throw new RunException("export=" + format + " is not one of "
						+ String.join(", ", this.exports.formats().names()));
			}
		}
		if (arguments.get("output") != null) {
			Path output = this.properties.resolve(arguments.get("output")).toAbsolutePath();
			run = new RunRecord(run.id(), run.jobName(), run.label(), run.input(), output.toString(), run.settings(),
					run.createdAt());
		}
		this.folders.claim(Path.of(run.outputDir()), run.id(), run.jobName(), run.label());
		Exports.Written written;
		try {
			written = this.exports.write(run, formats, job.map(JobDefinition::layoutsOrEmpty).orElse(Map.of()),
					job.map(this.jobFiles::jsonColumns).orElse(Map.of()),
					(format) -> job.map((definition) -> definition.exportOptions(format)).orElse(Map.of()));
		}
		catch (UncheckedIOException ex) {
			// the command started and read the store: an export that cannot be written is the job's failure
			Console.error("job=export of " + run.jobName() + " run "
					+ ((run.label() != null) ? run.label() : run.id()) + " failed: "
					+ SafeText.firstLine(String.valueOf(ex.getMessage())));
			return EXPORT_FAILED;
		}
		var totals = this.store.totals(run.id());
		Console.out(run.jobName() + " run " + ((run.label() != null) ? run.label() : run.id()) + " exported again: "
				+ totals.conversations() + " items, " + totals.ok() + " ok, " + totals.failed() + " failed");
		written.files().forEach((file) -> Console.out("exports: " + file));
		written.warnings().forEach(Console::warning);
		return 0;
	}

	/** The run's job file, if it is still there and readable: its export list and layouts. */
	private Optional<JobDefinition> jobFile(String jobName) {
		try {
			return Optional.of(this.jobFiles.load(jobName));
		}
		catch (RuntimeException ex) {
			return Optional.empty();
		}
	}

	private RunRecord find(String which) {
		return this.history.find(which);
	}

}
