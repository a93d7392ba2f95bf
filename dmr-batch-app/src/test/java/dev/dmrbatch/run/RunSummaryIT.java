package dev.dmrbatch.run;

import java.nio.file.Files;
import java.util.List;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The summary says why items failed, counts only answered items as answered, and ends the run's log, whether the
 * run completed or failed.
 */
@ExtendWith(WorkspaceExtension.class)
class RunSummaryIT {

	Workspace workspace;

	@BeforeEach
	void setUp() {
		this.workspace.file("input/x.jsonl", """
				{"id": "a", "text": "one"}
				{oops
				{"id": "b"}
				{"id": "c", "text": "two"}
				not json either
				{"id": "d"}
				{"id": "e"}
				""");
		this.workspace.file("jobs/items.yaml", """
				input: { format: jsonl, path: input/x.jsonl, id: id }
				model: { name: ai/tiny, max_tokens: 4 }
				steps: [ { name: a, template: say.ftl } ]
				""");
		this.workspace.file("templates/say.ftl", "Say ${text}\n");
	}

	private List<String> log(String folder) throws Exception {
		return Files.readAllLines(this.workspace.path(folder).resolve("dmr-batch.log"));
	}

	@Test
	void theSummaryGroupsFailedItemsByReasonAndCountsOnlyAnsweredOnesAsAnswered() throws Exception {
		Dmr.Result result = this.workspace.dmr("job=items");

		assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
		assertThat(result.out()).contains("items run 1 COMPLETED: 7 items, 2 ok, 5 failed; 2 answered in this "
				+ "execution in ").contains(" and 5 failed; tokens ");
		String reasons = "5 failed: variable 'text' is missing in template say.ftl line 1 (3 items: ids b, d, e); "
				+ "input/x.jsonl line 2: not valid JSON";
		assertThat(result.out()).contains(reasons + " (2 items: ids 2, 5)");
		assertThat(result.err()).doesNotContain("Exception");
		List<String> log = log("output/items/run-1");
		assertThat(log.get(log.size() - 1)).contains("items run 1 COMPLETED: 7 items, 2 ok, 5 failed");
		assertThat(log.get(log.size() - 2)).contains(reasons);
	}

	@Test
	void aFailedRunsLogEndsWithItsErrorAndTheSummary() throws Exception {
		this.workspace.file("jobs/items.yaml", """
				input: { format: jsonl, path: input/x.jsonl, id: id }
				model: { name: ai/tiny, max_tokens: 4 }
				skip-limit: 1
				steps: [ { name: a, template: say.ftl } ]
				""");

		Dmr.Result result = this.workspace.dmr("job=items");

		assertThat(result.exitCode()).as(result.toString()).isEqualTo(5);
		List<String> log = log("output/items/run-1");
		assertThat(log.get(log.size() - 1)).contains("items run 1 FAILED: ");
		assertThat(log.get(log.size() - 2)).contains("ERROR").contains("the run failed: ").contains("skip");
		assertThat(String.join("\n", log)).doesNotContain("Exception");
	}

}
