package dev.dmrbatch.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.check.CheckTotals;
import dev.dmrbatch.conversation.RunTotals;
import dev.dmrbatch.run.job.RunOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.batch.core.BatchStatus;

import static org.assertj.core.api.Assertions.assertThat;

/** The run's summary as Markdown for GitHub Actions' step summary. */
class StepSummaryTest {

	@TempDir
	Path dir;

	@Test
	void aRepeatedRunsAgreementFollowsTheChecksTable() throws Exception {
		dev.dmrbatch.check.Agreement agreement = new dev.dmrbatch.check.Agreement(2, Map.of(), false);
		agreement.add(dev.dmrbatch.conversation.Conversation.answered(1, "r1", "ai/tiny", List.of(), List.of()));
		RunOutcome outcome = RunOutcome.of("ci", 4, null, BatchStatus.COMPLETED, new RunTotals(1, 1, 0, 3, 1))
			.agreement(agreement.totals())
			.build();
		Path file = this.dir.resolve("summary.md");

		StepSummary.append(file.toString(), outcome, List.of("ci run 4: 1 items, 1 ok, 0 failed"), 0);

		assertThat(Files.readString(file)).isEqualTo("""
				### dmr-batch: ci run 4

				- ci run 4: 1 items, 1 ok, 0 failed
				- exit code 0

				- repeat 2 (2 requests per item and model, one answer each): answers given, per item: 2/2 on 0 items, 1/2 on 1, 0/2 on 0

				""");
	}

	@Test
	void theSummaryLinesAndTheChecksTableAreAppendedWithTheirMarkupEscaped() throws Exception {
		RunOutcome outcome = RunOutcome.of("ci", 4, "first", BatchStatus.COMPLETED, new RunTotals(3, 2, 1, 30, 12))
			.checks(List.of(new CheckTotals("answer.short", null, 2, 2), new CheckTotals("answer.fast", null, 1, 4)),
					Map.of())
			.build();
		Path file = this.dir.resolve("summary.md");
		Files.writeString(file, "before\n");

		StepSummary.append(file.toString(), outcome,
				List.of("ci run first: 3 items, 2 ok, 1 failed", "1 failed: <b>bad</b> | *x*\u001b[2J"), 3);

		assertThat(Files.readString(file)).isEqualTo("""
				before
				### dmr-batch: ci run first

				- ci run first: 3 items, 2 ok, 1 failed
				- 1 failed: \\<b\\>bad\\</b\\> \\| \\*x\\*␛\\[2J
				- exit code 3

				| check | passed | total | rate |
				|---|---:|---:|---:|
				| answer.short | 2 | 2 | 100.0% |
				| answer.fast | 1 | 4 | 25.0% |

				""");
	}

	@Test
	void aFileThatCannotBeWrittenIsAWarningNotAFailure() {
		RunOutcome outcome = RunOutcome.of("ci", 4, null, BatchStatus.COMPLETED, new RunTotals(0, 0, 0, 0, 0)).build();
		StepSummary.append(this.dir.resolve("missing/summary.md").toString(), outcome, List.of(), 0);
		assertThat(this.dir.resolve("missing")).doesNotExist();
	}

}
