package dev.dmrbatch.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;

import dev.dmrbatch.check.CheckTotals;
import dev.dmrbatch.run.job.RunOutcome;
import dev.dmrbatch.text.SafeText;

/**
 * A run's summary as GitHub Actions shows it on the job's page: the file {@code GITHUB_STEP_SUMMARY} names gets the
 * summary's lines and the checks' table as Markdown, appended to what the job's other steps wrote there.
 */
final class StepSummary {

	/** The variable GitHub Actions names the step's summary file in. */
	static final String VARIABLE = "GITHUB_STEP_SUMMARY";

	private StepSummary() {
	}

	/**
	 * The Markdown of a run's summary.
	 * @param lines the summary's lines as the command line printed them
	 */
	static String markdown(RunOutcome outcome, List<String> lines, int exitCode) {
		StringBuilder md = new StringBuilder();
		md.append("### dmr-batch: ").append(cell(outcome.name())).append("\n\n");
		for (String line : lines) {
			md.append("- ").append(cell(line)).append('\n');
		}
		md.append("- exit code ").append(exitCode).append('\n');
		if (!outcome.checks().isEmpty()) {
			md.append("\n| check | passed | total | rate |\n|---|---:|---:|---:|\n");
			for (CheckTotals check : outcome.checks()) {
				md.append(String.format(Locale.ROOT, "| %s | %d | %d | %.1f%% |%n", cell(check.checkKey()),
						check.passed(), check.total(), check.rate() * 100));
			}
		}
		if (!outcome.agreementLines().isEmpty()) {
			// a run that asked each item several times: how its answers agree
			md.append('\n');
			outcome.agreementLines().forEach((line) -> md.append("- ").append(cell(line)).append('\n'));
		}
		return md.append('\n').toString();
	}

	/** Appends the run's summary to the file; a file that cannot be written is said as a warning, the run stands. */
	static void append(String file, RunOutcome outcome, List<String> lines, int exitCode) {
		try {
			Files.writeString(Path.of(file), markdown(outcome, lines, exitCode), StandardCharsets.UTF_8,
					StandardOpenOption.CREATE, StandardOpenOption.APPEND);
		}
		catch (IOException | RuntimeException ex) {
			Console.warning(VARIABLE + " names " + SafeText.excerpt(file, 200) + ", which cannot be written ("
					+ SafeText.excerpt(String.valueOf(ex.getMessage()), 200) + "); the run's summary is not in it");
		}
	}

	/** Text as a Markdown line or table cell shows it literally: control characters drawn, markup escaped. */
	static String cell(String text) {
		String shown = SafeText.excerpt(text, 1000);
		StringBuilder out = new StringBuilder(shown.length() + 8);
		for (char c : shown.toCharArray()) {
			if ("\\`*_[]<>|#!~&".indexOf(c) >= 0) {
				out.append('\\');
			}
			out.append(c);
		}
		return out.toString();
	}

}
