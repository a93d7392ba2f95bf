package dev.dmrbatch.conversation;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.dmrbatch.support.DmrProcess;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starting dmr-batch on an existing store changes nothing in it: no schema is created again. In JVMs of their own,
 * as {@code java -jar} runs (no {@code -ea}, which trips an assertion of H2's own when it closes).
 */
@ExtendWith(WorkspaceExtension.class)
class StoreStartIT {

	@Test
	void aSecondStartLeavesNoTraceOfTablesCreatedAgain(Workspace workspace) throws Exception {
		assertThat(start(workspace)).isZero();
		long before = traceSize(workspace);
		assertThat(start(workspace)).isZero();
		assertThat(start(workspace)).isZero();
		Path trace = workspace.path("data/dmr-batch.trace.db");
		assertThat(traceSize(workspace)).as(Files.exists(trace) ? Files.readString(trace) : "no trace file")
			.isEqualTo(before);
		assertThat(trace).doesNotExist();
	}

	private static int start(Workspace workspace) throws Exception {
		DmrProcess process = DmrProcess.start(workspace, "http://127.0.0.1:9/v1", "job=runs");
		int code = process.waitFor();
		assertThat(code).as(process.err()).isZero();
		return code;
	}

	private static long traceSize(Workspace workspace) throws Exception {
		Path trace = workspace.path("data/dmr-batch.trace.db");
		return Files.exists(trace) ? Files.size(trace) : 0;
	}

}
