package dev.dmrbatch.export;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.dmrbatch.export.ExportsTest.assertOwnerOnly;
import static dev.dmrbatch.export.ExportsTest.permissions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What runs write beside the store is as private as the store: every export (a plugin's too), the run's log, what
 * {@code job=export}, {@code job=compare} and the {@code openai-batch} job write, in folders only their owner can
 * open, under a umask that would let everyone read them.
 */
@ExtendWith(WorkspaceExtension.class)
class OutputPermissionsIT {

	/** The example plugin's jar, as the plugin tests find it. */
	private static final Path EXAMPLE_JAR = Path.of(System.getProperty("dmr.test.example-plugin",
			"examples/xlsx-plugin/target/dmr-batch-xlsx-plugin.jar"));

	Workspace workspace;

	@BeforeEach
	void setUp() throws IOException {
		assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
		// what these tests prove needs a umask that lets others read what is created: 022
		Path probe = Files.createFile(this.workspace.path("umask-probe"));
		assertThat(permissions(probe)).as("the umask the tests run under").isEqualTo("rw-r--r--");
		Files.createDirectories(this.workspace.path("plugins"));
		Files.copy(EXAMPLE_JAR, this.workspace.path("plugins/xlsx.jar"));
		this.workspace.file("input/items.jsonl", "{\"id\": \"a\", \"text\": \"one\"}\n{\"id\": \"b\", \"text\": \"two\"}\n");
		this.workspace.file("jobs/private.yaml", """
				input: { format: jsonl, path: input/items.jsonl, id: id }
				model: { name: ai/tiny, max_tokens: 4, temperature: 0, seed: 1 }
				steps: [ { name: answer, prompt: "Say: ${text}" } ]
				export: [jsonl, json, markdown, text, csv, pdf, html, xlsx]
				""");
	}

	@Test
	void everyFileOfARunItsExportsAndItsComparisonIsItsOwnersOnly() throws Exception {
		// when: a run with every format, a plugin's among them
		Dmr.Result run = this.workspace.dmr("job=private", "run=one");

		// then
		assertThat(run.exitCode()).as(run.toString()).isZero();
		Path folder = this.workspace.path("output/private/one");
		assertThat(folder.resolve("results.xlsx")).isRegularFile();
		assertThat(folder.resolve("dmr-batch.log")).isRegularFile();
		assertOwnerOnly(folder);
		assertThat(permissions(this.workspace.path("output"))).isEqualTo("rwx------");
		assertThat(permissions(this.workspace.path("output/private"))).isEqualTo("rwx------");

		// and so are the exports job=export writes again, and a comparison of two runs
		Dmr.Result again = this.workspace.dmr("job=export", "run=one");
		assertThat(again.exitCode()).as(again.toString()).isZero();
		assertOwnerOnly(folder);
		Dmr.Result second = this.workspace.dmr("job=private", "run=two");
		assertThat(second.exitCode()).as(second.toString()).isZero();
		Dmr.Result compare = this.workspace.dmr("job=compare", "run=one", "run=two");
		assertThat(compare.exitCode()).as(compare.toString()).isZero();
		Path comparison = this.workspace.path("output/compare/one-vs-two");
		assertThat(comparison.resolve("compare.json")).isRegularFile();
		assertOwnerOnly(comparison);
		assertThat(permissions(this.workspace.path("output/compare"))).isEqualTo("rwx------");
	}

	@Test
	void anOpenAiBatchRunsFilesAreItsOwnersOnly() throws Exception {
		this.workspace.file("input/requests.jsonl", "{\"custom_id\": \"a\", \"method\": \"POST\", \"url\": "
				+ "\"/v1/chat/completions\", \"body\": {\"model\": \"ai/tiny\", \"max_tokens\": 4, \"messages\": "
				+ "[{\"role\": \"user\", \"content\": \"hello\"}]}}\n");

		Dmr.Result result = this.workspace.dmr("job=openai-batch", "input=input/requests.jsonl", "output=batch");

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(this.workspace.path("batch/output.jsonl")).isRegularFile();
		assertOwnerOnly(this.workspace.path("batch"));
	}

}
