package dev.dmrbatch.export;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.check.CheckStore;
import dev.dmrbatch.check.CheckTotals;
import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.conversation.StoreFolder;
import dev.dmrbatch.openaibatch.OpenAiBatch;
import dev.dmrbatch.progress.ProgressListener;
import dev.dmrbatch.prompt.PromptException;
import dev.dmrbatch.prompt.PromptTemplates;
import freemarker.cache.ClassTemplateLoader;
import freemarker.cache.FileTemplateLoader;
import freemarker.cache.MultiTemplateLoader;
import freemarker.cache.TemplateLoader;
import freemarker.core.ParseException;
import freemarker.template.Configuration;
import freemarker.template.TemplateNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * Writes a run's exports from the store in one pass over its conversations, one conversation in memory at a time.
 * File names are fixed, so nothing from the input can place a file outside the output folder.
 */
@Component
public class Exports {

	private static final Logger RUN_LOG = LoggerFactory.getLogger(ProgressListener.RUN_LOG_ONLY);

	private static final Logger log = LoggerFactory.getLogger(Exports.class);

	private final ConversationStore store;

	private final CheckStore checkStore;

	private final JsonMapper json = JsonMapper.shared();

	private final Configuration layouts;

	private final Path fontFolder;

	private final ExportFormats formats;

	private final DmrProperties properties;

	Exports(ConversationStore store, CheckStore checkStore, DmrProperties properties, ExportFormats formats) {
		this.formats = formats;
		this.properties = properties;
		this.store = store;
		this.checkStore = checkStore;
		this.layouts = layouts(properties.resolve("templates"));
		this.fontFolder = properties.export().fontFolder();
	}

	/**
	 * The folder a run's image references are relative to: its input folder, or the folder of its input file; the
	 * working folder when its input is not a path there (a chat's images are named from the working folder).
	 */
	private Path imageFolder(RunRecord run) {
		try {
			Path input = (run.input() != null && !run.input().isBlank()) ? this.properties.resolve(run.input()) : null;
			if (input != null && Files.isDirectory(input)) {
				return input;
			}
			if (input != null && Files.isRegularFile(input) && input.getParent() != null) {
				return input.getParent();
			}
		}
		catch (java.nio.file.InvalidPathException ex) {
			// not a path: the working folder's
		}
		return this.properties.resolve(".");
	}

	/** Layouts from the working folder's {@code templates/} first, then the built-in ones. */
	static Configuration layouts(Path templates) {
		List<TemplateLoader> loaders = new ArrayList<>();
		if (Files.isDirectory(templates)) {
			try {
				loaders.add(new FileTemplateLoader(templates.toFile()));
			}
			catch (IOException ex) {
				log.warn("templates folder {} cannot be read: {}; using the built-in export layouts", templates,
						ex.getMessage());
			}
		}
		loaders.add(new ClassTemplateLoader(Exports.class.getClassLoader(), "dmr-templates"));
		return PromptTemplates.configuration(new MultiTemplateLoader(loaders.toArray(TemplateLoader[]::new)));
	}

	/** The exports, by name. */
	public ExportFormats formats() {
		return this.formats;
	}

	/**
	 * The formats a stored run is exported to again when none are asked for: an OpenAI Batch run's own files; else
	 * its job file's list, when the job file is still there; else every built-in export for any run.
	 * @param jobExports the job file's export list, or {@code null} when the job file is gone
	 */
	public List<String> defaultFormats(RunRecord run, List<String> jobExports) {
		if (OpenAiBatch.JOB.equals(run.jobName())) {
			return List.of(OpenAiBatch.EXPORT);
		}
		if (jobExports != null) {
			return jobExports;
		}
		return this.formats.everyRun().stream().map(ExportKind::name).toList();
	}

	/**
	 * Loads the layouts the exports among the formats are written with, so a missing or broken one stops the run
	 * before its first request rather than after its last.
	 * @throws PromptException naming the layout, and the line of a syntax error
	 */
	public void checkLayouts(List<String> formats, Map<String, String> layouts) {
		for (String format : formats) {
			ExportKind kind = this.formats.builtIn(format);
			if (kind == null || kind.layout() == null) {
				continue;
			}
			String layout = layouts.getOrDefault(format, kind.layout());
			try {
				this.layouts.getTemplate(layout);
			}
			catch (TemplateNotFoundException ex) {
				throw new PromptException("export layout " + layout + " (" + format + ") is not in templates/");
			}
			catch (ParseException ex) {
				String detail = (ex.getEditorMessage() != null) ? ex.getEditorMessage().replaceAll("\\s+", " ").strip()
						: "syntax error";
				throw new PromptException("export layout " + layout + " line " + ex.getLineNumber() + ": syntax error: "
						+ detail);
			}
			catch (IOException ex) {
				throw new PromptException("export layout " + layout + " cannot be read: " + ex.getMessage());
			}
		}
	}

	/** Writes the formats asked for into the run's output folder and returns the files written. */
	public List<Path> write(RunRecord run, List<String> formats) {
		return write(run, formats, Map.of(), Map.of()).files();
	}

	/**
	 * Writes the formats asked for, with the job's own layouts where it has them ({@code markdown}, {@code text}:
	 * template names in {@code templates/}) and the JSON steps' columns for the CSV, and returns the files written
	 * and the exports' warnings, each logged once.
	 */
	public Written write(RunRecord run, List<String> formats, Map<String, String> layouts,
			Map<String, List<String>> jsonColumns) {
		return write(run, formats, layouts, jsonColumns, (format) -> Map.of());
	}

	/**
	 * Writes the formats asked for, as {@link #write(RunRecord, List, Map, Map)} does, the exports that take options
	 * (plugins') with theirs.
	 * @param pluginOptions the job file's {@code export-options}, by export name
	 */
	public Written write(RunRecord run, List<String> formats, Map<String, String> layouts,
			Map<String, List<String>> jsonColumns, java.util.function.Function<String, Map<String, Object>> pluginOptions) {
		Path folder = Path.of(run.outputDir());
		List<CheckTotals> checks = this.checkStore.passCounts(run.id());
		ExportRun facts = new ExportRun(run, this.store.totals(run.id()), this.store.stepNames(run.id()), jsonColumns,
				this.store.totalsByModel(run.id()), Instant.now(), checks,
				checks.isEmpty() ? List.of() : this.checkStore.passCountsByModel(run.id()),
				this.store.repetitions(run.id()));
		java.util.function.UnaryOperator<Conversation> verdicts = checks.isEmpty() ? null
				: this.checkStore.latestVerdicts(run.id());
		Map<String, Object> factsData = facts.facts(this.json);
		List<Path> files = new ArrayList<>();
		List<Exporter> exporters = new ArrayList<>();
		List<String> warnings = new ArrayList<>();
		ExportTarget target = new ExportTarget(folder, facts, factsData, this.json, this.store, this.layouts, layouts,
				this.fontFolder, pluginOptions, imageFolder(run));
		try {
			StoreFolder.createPrivate(folder);
			for (String format : formats) {
				ExportKind kind = this.formats.find(format);
				if (kind == null) {
					throw new IllegalArgumentException("unknown export format '" + format + "'");
				}
				exporters.add(kind.open(target));
				kind.files().forEach((file) -> files.add(folder.resolve(file)));
			}
			// the vectors of embed steps, whatever the formats: the matrix the JSON exports hold as arrays
			NpyExporter matrices = new NpyExporter(folder, this.store.embedStepNames(run.id()), this.json);
			exporters.add(matrices);
			this.store.forEach(run.id(), (stored) -> {
				Conversation conversation = (verdicts != null) ? verdicts.apply(stored) : stored;
				for (Exporter exporter : exporters) {
					try {
						exporter.write(conversation);
					}
					catch (IOException ex) {
						throw new UncheckedIOException(ex.getMessage(), ex);
					}
				}
			});
			for (Exporter exporter : exporters) {
				exporter.finish();
			}
			// then the files named only as they were written: plugins' exports', the vectors
			exporters.forEach((exporter) -> files.addAll(exporter.files()));
			for (Exporter exporter : exporters) {
				for (String warning : exporter.warnings()) {
					// into the run's own log; the command line prints it once with the summary
					RUN_LOG.warn(warning);
					warnings.add(warning);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write the exports into " + folder + ": " + ex.getMessage(), ex);
		}
		finally {
			for (Exporter exporter : exporters) {
				try {
					exporter.close();
				}
				catch (IOException ex) {
					log.warn("closing an export in {} failed: {}", folder, ex.getMessage());
				}
			}
		}
		return new Written(files, warnings);
	}

	/**
	 * What {@link #write} did.
	 *
	 * @param files the files written
	 * @param warnings what the user should know about them (text an export could not draw), each one sentence
	 */
	public record Written(List<Path> files, List<String> warnings) {
	}

}
