package dev.dmrbatch.progress;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.dmrbatch.support.DmrProcess;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Progress both ways: a live line redrawn in place on a terminal (a real pseudo-terminal from script(1)), and plain
 * lines without a single control character through a pipe; {@code --quiet} keeps only the summary.
 */
@ExtendWith(WorkspaceExtension.class)
class ProgressIT {

	private static final Pattern LOG_LINE = Pattern.compile("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (INFO|WARN|DEBUG|ERROR) ");

	Workspace workspace;

	@BeforeEach
	void setUp() {
		StringBuilder input = new StringBuilder();
		for (int i = 1; i <= 120; i++) {
			input.append("{\"id\": \"i").append(i).append("\", \"text\": \"item number ").append(i).append("\"}\n");
		}
		// one item without text: it fails, so the run logs mid-way and the counts show a failure
		input.append("{\"id\": \"broken\"}\n");
		this.workspace.file("input/items.jsonl", input.toString());
		this.workspace.file("jobs/count.yaml", """
				name: count
				input: { format: jsonl, path: input/items.jsonl, id: id }
				model: { name: ai/tiny, max_tokens: 48 }
				steps: [ { name: answer, prompt: "Continue: ${text}" } ]
				concurrency: 2
				""");
	}

	@Test
	void onATerminalOneLineIsRedrawnInPlaceAndLogLinesStayWhole() throws Exception {
		// given: a pseudo-terminal, as an interactive shell has
		List<String> command = DmrProcess.launched(this.workspace, LocalRunner.baseUrl(), "job=count", "--verbose");
		String shell = command.stream().map((arg) -> "'" + arg.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
		Path typescript = this.workspace.root().resolve("typescript");
		ProcessBuilder builder = new ProcessBuilder("script", "-qefc", shell, "/dev/null").redirectErrorStream(true)
			.redirectOutput(typescript.toFile())
			.directory(this.workspace.root().toFile());
		builder.environment().put("TERM", "xterm-256color");
		builder.environment().put("COLUMNS", "200");

		// when
		Process process = builder.start();
		assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
		String screen = Files.readString(typescript, StandardCharsets.UTF_8);

		// then: finished with one failed item
		assertThat(process.exitValue()).as(screen).isEqualTo(3);
		assertThat(screen).contains("count run 1 COMPLETED: 121 items, 120 ok, 1 failed");
		// the live line: carriage return, the counts, clear to the end of the line; redrawn many times
		Matcher redraws = Pattern.compile("\r(\\d+)/121 \\(\\d+%\\) \\| (\\d+) failed \\| [^\r\n]*\u001b\\[K").matcher(screen);
		int count = 0;
		int lastDone = 0;
		while (redraws.find()) {
			count++;
			assertThat(Integer.parseInt(redraws.group(1))).isGreaterThanOrEqualTo(lastDone);
			lastDone = Integer.parseInt(redraws.group(1));
		}
		assertThat(count).as(screen).isGreaterThan(3);
		assertThat(lastDone).isEqualTo(121);
		// every log line (--verbose: one per stored item, written while the line is live) starts on a clean line
		Matcher logs = LOG_LINE.matcher(screen);
		int logLines = 0;
		while (logs.find()) {
			logLines++;
			String before = screen.substring(Math.max(0, logs.start() - 4), logs.start());
			assertThat(logs.start() == 0 || before.endsWith("\n") || before.endsWith("\r\u001b[K"))
				.as("a log line at %d follows %s", logs.start(), before.replace("\u001b", "ESC"))
				.isTrue();
		}
		assertThat(logLines).isGreaterThan(121);
		assertThat(screen).contains("stored record 121 (id broken, ai/tiny): failed");
	}

	@Test
	void throughAPipeProgressIsPlainLinesAtTheGivenStep() throws Exception {
		// when: stdout and stderr are files, as under cron or CI
		DmrProcess run = DmrProcess.start(this.workspace, LocalRunner.baseUrl(), "job=count",
				"--dmr.progress.every=25%");
		int exit = run.waitFor();

		// then
		String err = run.err();
		String out = run.out();
		assertThat(exit).as(out + err).isEqualTo(3);
		assertThat(out + err).doesNotContain("\r").doesNotContain("\u001b");
		List<String> progress = err.lines().filter((l) -> l.contains("progress: ")).toList();
		assertThat(progress).as(err).hasSizeBetween(2, 5);
		assertThat(progress.get(progress.size() - 1)).contains("progress: 121/121 items (100%), 1 failed");
		// the summary and where the results are on stdout, the logs on stderr and in the run's folder
		assertThat(out).startsWith("count run 1 COMPLETED").contains("exports: ").contains("log: ");
		assertThat(out).doesNotContain("INFO");
		Path log = this.workspace.path("output/count/run-1/dmr-batch.log");
		assertThat(Files.readString(log)).contains("progress: 121/121 items (100%)").contains("count run 1 (execution");
	}

	@Test
	void quietKeepsTheSummaryAndNothingElse() throws Exception {
		DmrProcess run = DmrProcess.start(this.workspace, LocalRunner.baseUrl(), "job=count", "--quiet");
		int exit = run.waitFor();
		assertThat(exit).isEqualTo(3);
		assertThat(run.err()).doesNotContain("INFO").doesNotContain("progress");
		assertThat(run.out()).startsWith("count run 1 COMPLETED: 121 items, 120 ok, 1 failed");
	}

}
