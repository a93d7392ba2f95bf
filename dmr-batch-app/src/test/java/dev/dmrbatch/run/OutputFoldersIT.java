package dev.dmrbatch.run;

import java.nio.file.Files;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.FaultProxy;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An output folder holds one run's exports: another run, of this store or of a store made anew, is refused before
 * it sends anything, and the run itself (started again, or exported again) keeps its folder.
 */
@ExtendWith(WorkspaceExtension.class)
class OutputFoldersIT {

	Workspace workspace;

	@BeforeEach
	void setUp() {
		this.workspace.file("input/one.jsonl", "{\"id\": \"a\", \"text\": \"one\"}\n{\"id\": \"b\", \"text\": \"two\"}\n");
		this.workspace.file("input/two.jsonl", "{\"id\": \"c\", \"text\": \"three\"}\n");
		this.workspace.file("jobs/echo.yaml", """
				input: { format: jsonl, path: input/one.jsonl, id: id }
				model: { name: ai/tiny, max_tokens: 4 }
				steps: [ { name: a, prompt: "Say ${text}" } ]
				concurrency: 2
				""");
	}

	@Test
	void aSecondRunWithTheSameLabelIsRefusedBeforeAnythingIsSent() throws Exception {
		assertThat(this.workspace.dmr("job=echo", "run=x").exitCode()).isZero();
		String results = this.workspace.read("output/echo/x/results.jsonl");
		String log = this.workspace.read("output/echo/x/dmr-batch.log");

		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			Dmr.Result other = Dmr.run(this.workspace, proxy.baseUrl(), "job=echo", "run=x", "input=input/two.jsonl");
			assertThat(other.exitCode()).as(other.toString()).isEqualTo(2);
			assertThat(other.err()).contains("error: output folder " + this.workspace.path("output/echo/x")
					+ " holds the exports of echo run x (id 1); give another output=<folder> or run=<label>")
				.doesNotContain("Exception");
			assertThat(proxy.chatRequests()).isZero();
		}
		assertThat(this.workspace.read("output/echo/x/results.jsonl")).isEqualTo(results);
		assertThat(this.workspace.read("output/echo/x/dmr-batch.log")).isEqualTo(log);

		// the run itself keeps its folder: asked again, and exported again into it
		assertThat(this.workspace.dmr("job=echo", "run=x").out())
			.contains("is already complete");
		Dmr.Result export = Dmr.run(this.workspace, null, "job=export", "run=x", "export=jsonl");
		assertThat(export.exitCode()).as(export.toString()).isZero();
		assertThat(this.workspace.read("output/echo/x/results.jsonl")).isEqualTo(results);

		// nor does job=export write one run's exports over another's
		assertThat(this.workspace.dmr("job=echo", "run=y", "input=input/two.jsonl")
			.exitCode()).isZero();
		Dmr.Result over = Dmr.run(this.workspace, null, "job=export", "run=y", "output=output/echo/x");
		assertThat(over.exitCode()).isEqualTo(2);
		assertThat(over.err()).contains("holds the exports of echo run x (id 1)");
		assertThat(this.workspace.read("output/echo/x/results.jsonl")).isEqualTo(results);
	}

	@Test
	void aStoreMadeAnewDoesNotWriteIntoTheFormerStoresFolders() throws Exception {
		assertThat(this.workspace.dmr("job=echo").exitCode()).isZero();
		String results = this.workspace.read("output/echo/run-1/results.jsonl");
		String log = this.workspace.read("output/echo/run-1/dmr-batch.log");
		FileSystemUtils.deleteRecursively(this.workspace.path("data"));

		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			Dmr.Result again = Dmr.run(this.workspace, proxy.baseUrl(), "job=echo", "input=input/two.jsonl");
			assertThat(again.exitCode()).as(again.toString()).isEqualTo(2);
			assertThat(again.err()).contains("error: output folder " + this.workspace.path("output/echo/run-1")
					+ " holds the exports of echo run 1 of another conversation store")
				.doesNotContain("Exception");
			assertThat(proxy.chatRequests()).isZero();
		}
		assertThat(this.workspace.read("output/echo/run-1/results.jsonl")).isEqualTo(results);
		assertThat(this.workspace.read("output/echo/run-1/dmr-batch.log")).isEqualTo(log);
	}

	@Test
	void aFolderWithExportsOfNoKnownRunIsRefused() throws Exception {
		this.workspace.file("elsewhere/results.jsonl", "{\"id\": \"old\"}\n");
		this.workspace.file("notes/readme.txt", "mine");
		Dmr.Result result = this.workspace.dmr("job=echo", "output=elsewhere");
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
		assertThat(result.err()).contains("output folder " + this.workspace.path("elsewhere")
				+ " already holds exports (results.jsonl) of a run that did not mark it as its own");
		assertThat(this.workspace.read("elsewhere/results.jsonl")).isEqualTo("{\"id\": \"old\"}\n");
		assertThat(this.workspace.path("elsewhere/dmr-batch.log")).doesNotExist();

		// a folder with other files than exports takes them
		Dmr.Result beside = this.workspace.dmr("job=echo", "output=notes");
		assertThat(beside.exitCode()).as(beside.toString()).isZero();
		assertThat(Files.readAllLines(this.workspace.path("notes/results.jsonl"))).hasSize(2);
	}

}
