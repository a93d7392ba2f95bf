package dev.dmrbatch.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The usage text of {@code help}, {@code --help} and a command line without arguments, and the version, written
 * without starting the application: nothing is opened, started or written, so it answers at once. The commands'
 * usage lines are those their beans give ({@link Command#usage()}), kept in {@value #LINES} as the build left them:
 * {@code UsageIT} fails when a command's usage and that file differ, and {@code -Ddmr.usage.write=true} writes the
 * file again. The jobs are listed from the working folder's {@code jobs/} with their descriptions.
 */
final class Usage {

	/** The commands' usage lines, one command after another, as {@link #lines} makes them. */
	static final String LINES = "usage-lines.txt";

	static final String ABOUT = """

			Runs jobs/<name>.yaml over its input: renders each item's prompts, asks the model, keeps the
			conversations and writes the exports (output/<job>/<run>/ unless output= says otherwise).
			Spring Boot options (--dmr.base-url=..., --spring.profiles.active=...) work beside these.
			--quiet: warnings, errors and the summary only; --verbose: every stored item and Spring Batch's
			own account. Progress: a live line on a terminal, else a line every --dmr.progress.every=10s (or 5%).
			The summary and where the results are go to stdout; logs to stderr and <output>/dmr-batch.log.
			java -jar dmr-batch.jar version prints the version.

			exit codes: 0 every item answered, 3 finished with failed items, 4 stopped (resumable),
			            5 failed (resumable), 6 finished but a check is below its quality gate,
			            2 nothing ran (bad arguments, job file, template, input, model)

			""";

	private Usage() {
	}

	/** The usage lines of a job run and of each command, as {@code help} shows them. */
	static String lines(String jobRun, List<Command> commands) {
		StringBuilder text = new StringBuilder();
		Stream.concat(Stream.of(jobRun), commands.stream().map(Command::usage))
			.flatMap((usage) -> usage.lines())
			.forEach((line) -> text.append(text.isEmpty() ? "usage: " : "       ")
				.append(line.startsWith(" ") ? line : "java -jar dmr-batch.jar " + line)
				.append('\n'));
		return text.toString();
	}

	/** The commands' usage lines as the build kept them. */
	static String keptLines() {
		try (InputStream in = Usage.class.getResourceAsStream(LINES)) {
			if (in == null) {
				throw new IllegalStateException(LINES + " is missing from the application");
			}
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The whole usage text: the commands' lines, what a run does, and the jobs of the working folder. */
	static String text(String lines, Path home) {
		StringBuilder text = new StringBuilder(lines).append(ABOUT);
		Path folder = home.resolve("jobs").normalize();
		List<String> names = jobs(folder);
		text.append(names.isEmpty() ? "no job files in " + folder + "\n" : "jobs in " + folder + ":\n");
		for (String name : names) {
			text.append(String.format(Locale.ROOT, "  %-16s %s%n", name, description(folder, name)));
		}
		return text.toString().stripTrailing();
	}

	/** The working folder as the command line names it: {@code --dmr.home=}, else {@code DMR_HOME}, else here. */
	static Path home(String[] args) {
		for (String arg : args) {
			if (arg.startsWith("--dmr.home=")) {
				return Path.of(arg.substring("--dmr.home=".length()));
			}
		}
		String home = System.getProperty("dmr.home", System.getenv("DMR_HOME"));
		return Path.of((home != null && !home.isBlank()) ? home : ".");
	}

	/** This build's version, from the jar's manifest; {@code development build} when run from classes. */
	static String version() {
		String version = Usage.class.getPackage().getImplementationVersion();
		return "dmr-batch " + ((version != null) ? version : "(development build)") + ", Java "
				+ Runtime.version();
	}

	/** The names of the job files in a folder, sorted, as {@code JobFiles.available} lists them. */
	private static List<String> jobs(Path folder) {
		if (!Files.isDirectory(folder)) {
			return List.of();
		}
		try (Stream<Path> files = Files.list(folder)) {
			return files.map((file) -> file.getFileName().toString())
				.filter((name) -> name.endsWith(".yaml") || name.endsWith(".yml"))
				.map((name) -> name.substring(0, name.lastIndexOf('.')))
				.sorted()
				.distinct()
				.toList();
		}
		catch (IOException ex) {
			return List.of();
		}
	}

	/**
	 * A job file's {@code description:}, read as YAML and nothing more: the whole check of a job file is the run's
	 * ({@code job=<name>} names what is wrong). A top-level description written as a plain one-line scalar, as job
	 * files write it, is taken from its line; any other is read by the YAML parser, whose classes would otherwise
	 * double the memory this answer takes.
	 */
	private static String description(Path folder, String name) {
		Path file = Files.isRegularFile(folder.resolve(name + ".yaml")) ? folder.resolve(name + ".yaml")
				: folder.resolve(name + ".yml");
		try {
			String plain = plainDescription(Files.readAllLines(file, StandardCharsets.UTF_8));
			if (plain != null) {
				return plain;
			}
		}
		catch (IOException | RuntimeException ex) {
			return "(invalid: job=" + name + " says why)";
		}
		try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
			Object read = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
			if (!(read instanceof Map<?, ?> job)) {
				return "(invalid: not a job file; job=" + name + " says why)";
			}
			Object description = job.get("description");
			return (description != null) ? String.valueOf(description).strip() : "";
		}
		catch (IOException | RuntimeException ex) {
			return "(invalid: job=" + name + " says why)";
		}
	}

	/**
	 * The value of a {@code description:} line at the top level of a one-document file when it is a plain scalar on
	 * that line alone (no quotes, block or flow indicators, anchors, tags or comment, not continued on the next
	 * line), empty when a block mapping's top level has none; {@code null} for anything else, which the YAML parser
	 * reads.
	 */
	static String plainDescription(List<String> lines) {
		for (int i = 0; i < lines.size(); i++) {
			String line = lines.get(i);
			if (line.startsWith("---") || line.startsWith("%") || line.startsWith("\t")
					|| (line.startsWith("description") && !line.startsWith("description:"))) {
				return null;
			}
			if (!line.startsWith("description:")) {
				// a top-level key of another name, or a comment; anything else (quoted or complex keys, merges, flow
				// collections, a document that is not a mapping) is the parser's
				if (!line.isEmpty() && !Character.isLetterOrDigit(line.charAt(0)) && line.charAt(0) != '_'
						&& line.charAt(0) != '#' && line.charAt(0) != ' ') {
					return null;
				}
				continue;
			}
			String rest = line.substring("description:".length());
			String value = rest.strip();
			if (!rest.isEmpty() && rest.charAt(0) != ' ' || !PLAIN.matcher(value).matches()
					|| NOT_TEXT.matcher(value).matches()) {
				return null;
			}
			for (int j = i + 1; j < lines.size(); j++) {
				String next = lines.get(j);
				if (next.isBlank()) {
					continue;
				}
				// an indented line continues the scalar; another key, a comment or the end does not
				if (next.startsWith(" ") || next.startsWith("\t")) {
					return null;
				}
				break;
			}
			return value;
		}
		// a block mapping with no description at its top level
		return lines.stream().anyMatch((line) -> !line.isBlank() && Character.isLetterOrDigit(line.charAt(0))) ? ""
				: null;
	}

	/** A plain scalar YAML reads as a number, a boolean or null, not as the text it is written as. */
	private static final java.util.regex.Pattern NOT_TEXT = java.util.regex.Pattern
		.compile("(?i)[0-9+.].*|true|false|yes|no|on|off|y|n|null|~");

	/** A plain scalar needing no YAML to read: no indicator first, no comment, no mapping inside, printable. */
	private static final java.util.regex.Pattern PLAIN = java.util.regex.Pattern
		.compile("[^\\s\\-?:,\\[\\]{}#&*!|>'\"%@`](?:(?! #)(?!: )[^\\p{Cntrl}])*(?<![\\s:])");

}
