package dev.dmrbatch.conversation.server;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.DmrProcess;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Brief commands ({@code runs}, {@code show}) open the store themselves while no store server runs, and start none;
 * commands that need no store ({@code config}, {@code plugins}) start none either; a command that comes while a brief
 * one has the store open waits for it, then goes on. Each command a JVM of its own, as {@code java -jar} runs it.
 */
@ExtendWith(WorkspaceExtension.class)
class StoreAloneIT {

	/** No runner: none of these commands asks one. */
	private static final String NO_RUNNER = "http://127.0.0.1:9/v1";

	Workspace workspace;

	@Test
	void briefCommandsAndThoseWithoutAStoreStartNoStoreServer() throws Exception {
		// given: a run in the store, made without a server
		this.workspace.file("jobs/j.yaml", """
				input: { format: csv, path: input/j.csv, id: id }
				model: { name: ai/tiny, max_tokens: 4 }
				steps: [ { name: answer, prompt: "Item ${record.id}: ${text}" } ]
				""");
		this.workspace.file("input/j.csv", "id,text\nr1,one\n");
		DmrProcess run = DmrProcess.start(this.workspace, LocalRunner.baseUrl(), "job=j", "run=first",
				"--dmr.store.shared=false");
		assertThat(run.waitFor()).as(run.err()).isZero();

		for (String[] command : new String[][] { { "runs" }, { "show", "run=first" }, { "config" }, { "plugins" } }) {
			DmrProcess process = DmrProcess.start(this.workspace, NO_RUNNER, command);
			assertThat(process.waitFor()).as(process.err()).isZero();
			if (command[0].equals("runs") || command[0].equals("show")) {
				assertThat(process.out()).as(String.join(" ", command)).contains("first");
			}
			assertThat(serverFile()).as(String.join(" ", command) + " started a store server").doesNotExist();
		}
		Dmr.Result runs = this.workspace.dmrAt(NO_RUNNER, "runs");
		assertThat(runs.exitCode()).as(runs.toString()).isZero();
		assertThat(serverFile()).as("runs in-process started a store server").doesNotExist();
	}

	@Test
	void aCommandThatComesWhileABriefOneHasTheStoreOpenWaitsForItThenGoesOn() throws Exception {
		assertThat(this.workspace.dmrAt(NO_RUNNER, "runs").exitCode()).isZero();
		Path database = this.workspace.path("data/dmr-batch");
		// given: the store held and open in this JVM, as a brief command holds it while it reads
		SharedStore.Located held = SharedStore.findOrHold(database, Duration.ofSeconds(30), LogFactory.getLog(getClass()));
		assertThat(held.server()).isNull();
		DmrProcess runs;
		try (Connection store = DriverManager.getConnection("jdbc:h2:file:" + database, "sa", "")) {
			// when: another process comes meanwhile, and the store gets a run before it is let go
			runs = DmrProcess.start(this.workspace, NO_RUNNER, "runs");
			Thread.sleep(Duration.ofSeconds(4).toMillis());
			try (Statement insert = store.createStatement()) {
				insert.executeUpdate("insert into dmr_run (id, job_name, label, input, output_dir, settings, created_at) "
						+ "values (99, 'j', 'while-held', 'in.csv', 'out', '{}', current_timestamp)");
			}
		}
		finally {
			held.held().close();
		}
		// then: it waited for the store instead of finding it in use, and read it once let go
		assertThat(runs.waitFor()).as(runs.err()).isZero();
		assertThat(runs.out()).contains("while-held");
	}

	private Path serverFile() {
		return this.workspace.path("data/dmr-batch.server");
	}

}
