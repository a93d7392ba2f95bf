package dev.dmrbatch.web;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.export.ExportKind;
import dev.dmrbatch.export.Exports;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.jobfile.JobFiles;
import dev.dmrbatch.run.job.OutputFolders;
import dev.dmrbatch.run.plan.NotFoundException;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.text.SafeText;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.util.FileSystemUtils;

/**
 * A run's files: the exports in its output folder, each served by its name (only the names the folder lists, so no
 * request reaches another file), and any export written on request from the store by the code {@code job=export}
 * uses ({@link Exports#write}), into a folder of its own that is removed once it is sent.
 */
@Component
@ConditionalOnWebApplication
class RunFiles {

	/** The nonce of a report's own Content-Security-Policy, which the app's policy gives way to for it. */
	static final Pattern NONCE = Pattern.compile("'nonce-([0-9a-f]+)'");

	private final Exports exports;

	private final JobFiles jobFiles;

	RunFiles(Exports exports, JobFiles jobFiles) {
		this.exports = exports;
		this.jobFiles = jobFiles;
	}

	/** The exports in a run's output folder, by name, sorted; none when it was never written or was removed. */
	List<String> list(RunRecord run) {
		if (run.outputDir() == null || !Files.isDirectory(Path.of(run.outputDir()))) {
			return List.of();
		}
		try (Stream<Path> files = Files.list(Path.of(run.outputDir()))) {
			return files.filter(Files::isRegularFile)
				.map((file) -> file.getFileName().toString())
				.filter((name) -> !name.equals(OutputFolders.MARKER) && !name.startsWith("."))
				.sorted()
				.toList();
		}
		catch (IOException ex) {
			return List.of();
		}
	}

	/** The export formats a run can be written to. */
	List<String> formats() {
		return this.exports.formats().names();
	}

	/**
	 * One of the run's exports.
	 * @throws NotFoundException when its output folder does not list that name
	 */
	ResponseEntity<byte[]> file(RunRecord run, String name) throws IOException {
		if (!list(run).contains(name)) {
			throw new NotFoundException("run " + run.id() + " has no export named '" + SafeText.excerpt(name, 80)
					+ "' in its output folder" + (list(run).isEmpty() ? "" : " (" + String.join(", ", list(run)) + ")"));
		}
		return answer(Files.readAllBytes(Path.of(run.outputDir()).resolve(name)), name, false);
	}

	/**
	 * A format written from the store now, as {@code job=export} writes it (with the run's job file's layouts and
	 * options while it is there), sent as a download: its file, or a zip of its files.
	 * @throws RunException when the format is not one
	 */
	ResponseEntity<byte[]> download(RunRecord run, String format) throws IOException {
		ExportKind kind = (format != null) ? this.exports.formats().find(format) : null;
		if (kind == null) {
			throw new RunException("format=" + SafeText.excerpt(String.valueOf(format), 80) + " is not one of "
					+ String.join(", ", formats()));
		}
		Optional<JobDefinition> job = jobFile(run.jobName());
		Path folder = Files.createTempDirectory("dmr-download");
		try {
			RunRecord into = new RunRecord(run.id(), run.jobName(), run.label(), run.input(), folder.toString(),
					run.settings(), run.createdAt());
			List<Path> written;
			try {
				written = this.exports.write(into, List.of(format), job.map(JobDefinition::layoutsOrEmpty).orElse(Map.of()),
						job.map(this.jobFiles::jsonColumns).orElse(Map.of()),
						(name) -> job.map((definition) -> definition.exportOptions(name)).orElse(Map.of()))
					.files();
			}
			catch (UncheckedIOException ex) {
				throw new IOException("the " + format + " export of run " + run.id() + " could not be written: "
						+ SafeText.firstLine(String.valueOf(ex.getMessage())), ex);
			}
			String base = run.jobName() + "-" + ((run.label() != null) ? run.label() : run.id());
			if (written.size() == 1) {
				return answer(Files.readAllBytes(written.get(0)), base + "-" + written.get(0).getFileName(), true);
			}
			java.io.ByteArrayOutputStream zip = new java.io.ByteArrayOutputStream();
			try (ZipOutputStream out = new ZipOutputStream(zip)) {
				for (Path file : written) {
					out.putNextEntry(new ZipEntry(file.getFileName().toString()));
					Files.copy(file, (OutputStream) out);
					out.closeEntry();
				}
			}
			return answer(zip.toByteArray(), base + "-" + format + ".zip", true);
		}
		finally {
			FileSystemUtils.deleteRecursively(folder);
		}
	}

	private Optional<JobDefinition> jobFile(String jobName) {
		try {
			return Optional.of(this.jobFiles.load(jobName));
		}
		catch (RuntimeException ex) {
			return Optional.empty();
		}
	}

	/**
	 * A file as the browser gets it: report.html shown under its own policy (its style and script carry a nonce, and
	 * nothing may be fetched), anything else under a policy that runs nothing; a download as an attachment.
	 */
	private static ResponseEntity<byte[]> answer(byte[] content, String name, boolean download) {
		String lower = name.toLowerCase(Locale.ROOT);
		MediaType type = lower.endsWith(".html") ? MediaType.TEXT_HTML
				: lower.endsWith(".pdf") ? MediaType.APPLICATION_PDF
				: lower.endsWith(".json") ? MediaType.APPLICATION_JSON
				: lower.endsWith(".jsonl") ? MediaType.parseMediaType("application/jsonl")
				: lower.endsWith(".csv") ? MediaType.parseMediaType("text/csv")
				: lower.endsWith(".md") ? MediaType.parseMediaType("text/markdown")
				: (lower.endsWith(".txt") || lower.endsWith(".log")) ? MediaType.TEXT_PLAIN
				: MediaType.APPLICATION_OCTET_STREAM;
		if (type.getType().equals("text") || type.equals(MediaType.APPLICATION_JSON)) {
			type = new MediaType(type, java.nio.charset.StandardCharsets.UTF_8);
		}
		String policy = "default-src 'none'; sandbox";
		if (lower.endsWith(".html") && !download) {
			Matcher nonce = NONCE.matcher(new String(content, 0, Math.min(content.length, 4096),
					java.nio.charset.StandardCharsets.UTF_8));
			policy = nonce.find() ? "default-src 'none'; style-src 'nonce-" + nonce.group(1) + "'; script-src 'nonce-"
					+ nonce.group(1) + "'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
					: policy;
		}
		ContentDisposition disposition = (download ? ContentDisposition.attachment() : ContentDisposition.inline())
			.filename(name, java.nio.charset.StandardCharsets.UTF_8)
			.build();
		return ResponseEntity.ok()
			.contentType(type)
			.header(HttpHeaders.CONTENT_DISPOSITION, disposition.toString())
			.header("Content-Security-Policy", policy)
			.body(content);
	}

}
