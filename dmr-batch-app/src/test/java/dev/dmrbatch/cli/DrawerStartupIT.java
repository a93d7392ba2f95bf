package dev.dmrbatch.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import dev.dmrbatch.support.DmrProcess;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The commands that open a drawer ({@code runs}, {@code config}) start only what they use: no JSON library for a
 * table, nothing of the web server's, which only {@code serve} starts. Seen in the classes a JVM of their own loads.
 */
@ExtendWith(WorkspaceExtension.class)
class DrawerStartupIT {

	Workspace workspace;

	@Test
	void runsAsATableLoadsNoJsonLibraryNorAnythingOfTheWebServers() throws Exception {
		List<String> loaded = loadedBy("runs");
		// a signature may name the mapper's class; its serializers load only when a mapper is made
		assertThat(loaded).noneMatch((name) -> name.startsWith("tools.jackson.databind.ser."))
			.noneMatch((name) -> name.startsWith("org.apache.catalina.authenticator."));
	}

	@Test
	void configLoadsNothingOfTheWebServers() throws Exception {
		List<String> loaded = loadedBy("config");
		// a condition may look for the server's class; its parts load only when it is warmed up or started
		assertThat(loaded).noneMatch((name) -> name.startsWith("org.apache.catalina.authenticator."))
			.noneMatch((name) -> name.startsWith("org.springframework.http.converter."));
	}

	/** The names of the classes the command loaded, in a JVM of its own; it must succeed. */
	private List<String> loadedBy(String command) throws Exception {
		Path log = this.workspace.path("classes-" + command + ".log");
		List<String> line = new java.util.ArrayList<>(DmrProcess.command(this.workspace, "http://127.0.0.1:9/v1", command));
		line.add(1, "-Xlog:class+load=info:file=" + log);
		Process process = new ProcessBuilder(line).directory(this.workspace.root().toFile())
			.redirectErrorStream(true)
			.start();
		String output = new String(process.getInputStream().readAllBytes());
		assertThat(process.waitFor()).as(command + ": " + output).isZero();
		try (Stream<String> lines = Files.lines(log)) {
			return lines.map((entry) -> entry.replaceFirst("^\\[[^]]*\\]\\[[^]]*\\]\\[[^]]*\\] ", ""))
				.map((entry) -> entry.split(" ", 2)[0])
				.toList();
		}
	}

}
