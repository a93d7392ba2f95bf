package dev.dmrbatch.conversation.server;

import java.nio.file.Path;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.DmrProcess;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Commands that need no store ({@code config}, {@code plugins}) start no store server and open no store; one that
 * only reads it for a moment ({@code runs}) opens the file itself while no server is up; a run starts the server.
 * Each command a JVM of its own, as {@code java -jar} runs it.
 */
@ExtendWith(WorkspaceExtension.class)
class StorelessCommandsIT {

	/** No runner: none of these commands asks one. */
	private static final String NO_RUNNER = "http://127.0.0.1:9/v1";

	Workspace workspace;

	@Test
	void commandsWithoutAStoreStartNoStoreServerAndThoseWithOneDo() throws Exception {
		for (String command : new String[] { "config", "plugins" }) {
			DmrProcess process = DmrProcess.start(this.workspace, NO_RUNNER, command);
			assertThat(process.waitFor()).as(process.err()).isZero();
			assertThat(serverFile()).as(command + " started a store server").doesNotExist();
			assertThat(this.workspace.path("data/dmr-batch.mv.db")).as(command + " opened the store").doesNotExist();
		}

		DmrProcess runs = DmrProcess.start(this.workspace, NO_RUNNER, "runs");
		assertThat(runs.waitFor()).as(runs.err()).isZero();
		assertThat(runs.out()).contains("no runs yet");
		assertThat(this.workspace.path("data/dmr-batch.mv.db")).as("runs opened the store").exists();
		assertThat(serverFile()).as("runs started a store server").doesNotExist();

		this.workspace.file("input/one.csv", "id,text\n1,hello\n").file("jobs/one.yaml", """
				input: { format: csv, path: input/one.csv, id: id }
				model: { name: ai/tiny }
				steps:
				  - { name: answer, prompt: "${text}" }
				""");
		DmrProcess run = DmrProcess.start(this.workspace, NO_RUNNER, "job=one");
		assertThat(run.waitFor()).as(run.err()).isNotZero(); // no runner answers
		assertThat(serverFile()).as("a run started its store server").exists();
	}

	@Test
	void aBriefReaderRefusedBeforeItOpensTheStoreLeavesNoLockBehind() throws Exception {
		// in this JVM, as the store server's users: a lock left held would refuse every later finder here
		this.workspace.shareStore();
		Dmr.Result refused = this.workspace.dmrAt(NO_RUNNER, "show");
		assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
		assertThat(refused.err()).contains("job=show needs run=");

		Dmr.Result runs = this.workspace.dmrAt(NO_RUNNER, "runs");
		assertThat(runs.exitCode()).as(runs.toString()).isZero();
		assertThat(runs.out()).contains("no runs yet");
		assertThat(this.workspace.count("select count(*) from batch_job_instance")).isZero();
	}

	private Path serverFile() {
		return this.workspace.path("data/dmr-batch.server");
	}

}
