package dev.dmrbatch.history;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code job=runs} and {@code job=show} list what the job repository and the store hold, for people and scripts. */
@ExtendWith(WorkspaceExtension.class)
class RunHistoryIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	@SuppressWarnings("unchecked")
	void runsAndShowReportEveryRunNewestFirst(Workspace workspace) throws Exception {
		// given: two jobs, three runs, one with a failed item
		workspace.file("input/items.jsonl", """
				{"id": "a", "title": "Alpha"}
				{"id": "b"}
				{"id": "c", "title": "Gamma"}
				""");
		workspace.file("jobs/titles.yaml", """
				name: titles
				input: { format: jsonl, path: input/items.jsonl, id: id }
				model: { name: ai/tiny, max_tokens: 8 }
				steps: [ { name: answer, prompt: "About ${title}" } ]
				""");
		workspace.file("jobs/ids.yaml", """
				name: ids
				input: { format: jsonl, path: input/items.jsonl, id: id }
				model: { name: ai/tiny, max_tokens: 8 }
				steps: [ { name: answer, prompt: "About ${record.id}" } ]
				export: [jsonl, csv]
				""");
		String runner = LocalRunner.baseUrl();
		assertThat(Dmr.run(workspace, runner, "job=titles", "run=first").exitCode()).isEqualTo(3);
		assertThat(Dmr.run(workspace, runner, "job=ids").exitCode()).isZero();
		assertThat(Dmr.run(workspace, runner, "job=titles", "run=second").exitCode()).isEqualTo(3);

		// when / then: the table, newest first
		Dmr.Result table = Dmr.run(workspace, null, "job=runs");
		assertThat(table.exitCode()).as(table.toString()).isZero();
		List<String> lines = table.out().lines().toList();
		assertThat(lines.get(0)).startsWith("ID").contains("RUN", "JOB", "STARTED", "STATUS", "OK", "FAILED", "EXIT",
				"WORKERS", "OUTPUT");
		assertThat(lines).hasSize(4);
		assertThat(lines.get(1).split("\\s+")).startsWith("3", "second", "titles");
		assertThat(lines.get(2).split("\\s+")).startsWith("2", "-", "ids");
		assertThat(lines.get(3).split("\\s+")).startsWith("1", "first", "titles");
		assertThat(lines.get(1)).contains("COMPLETED").endsWith(workspace.path("output/titles/second").toString());

		// one job's runs, as JSON
		Dmr.Result json = Dmr.run(workspace, null, "job=runs", "job=titles", "--json");
		assertThat(json.exitCode()).as(json.toString()).isZero();
		List<Map<String, Object>> runs = JSON.readValue(json.out(), List.class);
		assertThat(runs).extracting((r) -> r.get("run")).containsExactly("second", "first");
		assertThat(runs.get(0)).containsEntry("job", "titles")
			.containsEntry("status", "COMPLETED")
			.containsEntry("items", 3)
			.containsEntry("ok", 2)
			.containsEntry("failed", 1)
			.containsEntry("exit_code", 3)
			.containsEntry("output", workspace.path("output/titles/second").toString());
		assertThat(((Number) runs.get(0).get("completion_tokens")).intValue()).isPositive();
		assertThat(((Map<String, Object>) runs.get(0).get("model"))).containsEntry("name", "ai/tiny");

		// one run: its facts, its failed item with the reason, its exports
		Dmr.Result show = Dmr.run(workspace, null, "job=show", "run=first");
		assertThat(show.exitCode()).as(show.toString()).isZero();
		assertThat(show.out()).contains("titles run 1 (run=first)")
			.contains("status:   COMPLETED, exit code 3")
			.contains("items:    3: 2 ok, 1 failed")
			.contains("failed items:")
			.containsPattern("record 2, id b \\(ai/tiny\\): .*title")
			.contains("exports in " + workspace.path("output/titles/first"))
			.contains("results.jsonl")
			.contains("report.html")
			.doesNotContain(".dmr-batch-run");
		Dmr.Result showJson = Dmr.run(workspace, null, "job=show", "run=2", "--json");
		Map<String, Object> ids = JSON.readValue(showJson.out(), Map.class);
		assertThat(ids).containsEntry("job", "ids").containsEntry("exit_code", 0).containsEntry("failures", List.of());
		assertThat((List<String>) ids.get("exports")).extracting((f) -> Path.of(f).getFileName().toString())
			.contains("results.jsonl", "results.csv");
		assertThat((List<Object>) ids.get("executions")).hasSize(1);

		// a run that is not there
		Dmr.Result missing = Dmr.run(workspace, null, "job=show", "run=nope");
		assertThat(missing.exitCode()).isEqualTo(2);
		assertThat(missing.err()).contains("error: there is no run labelled 'nope' (job=runs lists them)");
	}

}
