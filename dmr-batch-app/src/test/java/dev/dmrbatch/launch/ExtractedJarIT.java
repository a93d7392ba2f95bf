package dev.dmrbatch.launch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code java -jar dmr-batch.jar} as users start it: a command that starts the application runs from the jar
 * extracted once into the cache folder, in the same JVM, and runs as from the packed jar (the store server it starts
 * included); help and the version write nothing there; a cache that cannot be written leaves the packed jar.
 */
@ExtendWith(WorkspaceExtension.class)
class ExtractedJarIT {

	Workspace workspace;

	/** The packed jar the build made before the integration tests, beside the launcher. */
	private static Path packedJar() {
		String launcher = System.getProperty("dmr.test.launcher");
		assertThat(launcher).as("dmr.test.launcher, set by mvn verify").isNotBlank();
		Path jar = Path.of(launcher).toAbsolutePath().getParent().resolveSibling("target").resolve("dmr-batch.jar");
		assertThat(jar).as("the packed jar (mvn verify packages it first)").isRegularFile();
		return jar;
	}

	private record Ran(int exitCode, String output) {
	}

	private Ran javaJar(Path cache, List<String> jvm, String... args) throws Exception {
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
		command.addAll(jvm);
		command.addAll(List.of("-jar", packedJar().toString()));
		command.addAll(List.of(args));
		// no dmr.home: the working folder is the home, as when a user types the command there
		ProcessBuilder builder = new ProcessBuilder(command).directory(this.workspace.root().toFile())
			.redirectErrorStream(true);
		builder.environment().put("DMR_JAR_CACHE", cache.toString());
		Process process = builder.start();
		String output = new String(process.getInputStream().readAllBytes());
		return new Ran(process.waitFor(), output);
	}

	/** Where the JVM found each of dmr-batch's classes it loaded, by class name. */
	private static Map<String, String> sources(Path log) throws Exception {
		Map<String, String> sources = new java.util.HashMap<>();
		try (Stream<String> lines = Files.lines(log)) {
			lines.map((entry) -> entry.replaceFirst("^\\[[^]]*\\]\\[[^]]*\\]\\[[^]]*\\] ", ""))
				.filter((entry) -> entry.startsWith("dev.dmrbatch.cli.CommandLine ")
						|| entry.startsWith("org.h2.Driver "))
				.forEach((entry) -> sources.merge(entry.split(" ", 2)[0], entry.split("source: ", 2)[1],
						(a, b) -> a + " | " + b));
		}
		return sources;
	}

	@Test
	void aCommandRunsFromTheJarExtractedOnceAndHelpWritesNothing() throws Exception {
		Path cache = this.workspace.path("cache");
		this.workspace.itemsJob();
		this.workspace.file("input/items.csv", "id,text\nr1,one\nr2,two\nr3,three\n");

		// help and the version: answered from the packed jar, nothing extracted
		assertThat(javaJar(cache, List.of(), "--help").exitCode()).isZero();
		assertThat(javaJar(cache, List.of(), "version").exitCode()).isZero();
		assertThat(cache).doesNotExist();

		// a run: extracted on its first start, run from there, its store server started from there too
		Path log = this.workspace.path("classes.log");
		Ran run = javaJar(cache, List.of("-Xlog:class+load=info:file=" + log), "job=items",
				"--dmr.base-url=" + LocalRunner.baseUrl());
		assertThat(run.exitCode()).as(run.output()).isZero();
		assertThat(run.output()).contains("items run 1 COMPLETED: 3 items, 3 ok, 0 failed");
		assertThat(this.workspace.results("output/items/run-1")).extracting((r) -> r.get("status"))
			.containsExactly("ok", "ok", "ok");
		List<Path> builds;
		try (Stream<Path> folders = Files.list(cache)) {
			builds = folders.toList();
		}
		assertThat(builds).singleElement().satisfies((folder) -> {
			assertThat(folder.resolve("classes/dev/dmrbatch/DmrBatchApplication.class")).isRegularFile();
			assertThat(folder.resolve("lib")).isDirectory();
		});
		Map<String, String> sources = sources(log);
		// the command line's classes are loaded from the cache only (the packed jar's main looks no further)
		assertThat(sources.get("dev.dmrbatch.cli.CommandLine")).contains(builds.get(0).resolve("classes").toString())
			.doesNotContain("nested:");
		assertThat(sources.get("org.h2.Driver")).contains(builds.get(0).resolve("lib").toString())
			.doesNotContain("nested:");

		// the same folder again: the list of runs, from another process
		Ran runs = javaJar(cache, List.of(), "runs");
		assertThat(runs.exitCode()).as(runs.output()).isZero();
		assertThat(runs.output()).contains("COMPLETED");
		try (Stream<Path> folders = Files.list(cache)) {
			assertThat(folders.toList()).containsExactlyElementsOf(builds);
		}

		// a file gone (a clean-up by hand) while the run's store server, started from the folder, still holds it:
		// the folder is left to the server, and the command runs from the packed jar, not a class missing half-way
		removeH2(builds.get(0));
		Path packedLog = this.workspace.path("classes-packed.log");
		Ran again = javaJar(cache, List.of("-Xlog:class+load=info:file=" + packedLog), "runs");
		assertThat(again.exitCode()).as(again.output()).isZero();
		assertThat(again.output()).contains("COMPLETED").doesNotContain("Exception");
		assertThat(sources(packedLog).get("dev.dmrbatch.cli.CommandLine")).contains("nested:");
		assertThat(builds.get(0).resolve("classes")).isDirectory();
	}

	private static void removeH2(Path build) throws Exception {
		try (Stream<Path> libraries = Files.list(build.resolve("lib"))) {
			for (Path library : libraries.filter((p) -> p.getFileName().toString().startsWith("h2-")).toList()) {
				Files.delete(library);
			}
		}
	}

	@Test
	void twoProcessesStartingAtOnceBothRunFromOneExtraction() throws Exception {
		// a relative cache folder, as DMR_JAR_CACHE may give it, from the working folder
		Path cache = this.workspace.path("together");
		List<Process> started = new ArrayList<>();
		for (int i = 1; i <= 2; i++) {
			List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
					"-Xlog:class+load=info:file=" + this.workspace.path("classes-" + i + ".log"), "-jar",
					packedJar().toString(), "runs", "--dmr.home=" + this.workspace.root()));
			ProcessBuilder builder = new ProcessBuilder(command).directory(this.workspace.root().toFile())
				.redirectErrorStream(true)
				.redirectOutput(this.workspace.path("out-" + i + ".txt").toFile());
			builder.environment().put("DMR_JAR_CACHE", "sub/../together");
			started.add(builder.start());
		}
		for (Process process : started) {
			assertThat(process.waitFor()).isZero();
		}
		List<Path> builds;
		try (Stream<Path> folders = Files.list(cache)) {
			builds = folders.toList();
		}
		assertThat(builds).as("one folder, no extraction left half-way").singleElement()
			.satisfies((folder) -> assertThat(folder.getFileName().toString()).doesNotStartWith("."));
		for (int i = 1; i <= 2; i++) {
			assertThat(sources(this.workspace.path("classes-" + i + ".log")).get("dev.dmrbatch.cli.CommandLine"))
				.as("process " + i).contains(builds.get(0).resolve("classes").toString());
		}

		// the settings' paths are the file system's, not the extracted classes folder's
		Ran config = javaJar(cache, List.of(), "config");
		assertThat(config.exitCode()).as(config.output()).isZero();
		assertThat(config.output()).contains("home: " + this.workspace.root().toAbsolutePath().normalize() + "\n");
		// given as relative paths too: the home, and a plugin folder that is not there
		Ran relative = javaJar(cache, List.of(), "config", "--dmr.home=.");
		assertThat(relative.output()).contains("home: " + this.workspace.root().toAbsolutePath().normalize() + "\n");
		Ran plugins = javaJar(cache, List.of(), "plugins", "--dmr.plugins.path=web");
		assertThat(plugins.exitCode()).as(plugins.output()).isEqualTo(2);
		assertThat(plugins.output()).contains("dmr.plugins.path: folder web does not exist");

		// a file gone (a clean-up by hand) from a folder nothing runs from: extracted again, and run from
		removeH2(builds.get(0));
		Path again = this.workspace.path("classes-again.log");
		Ran runs = javaJar(cache, List.of("-Xlog:class+load=info:file=" + again), "runs");
		assertThat(runs.exitCode()).as(runs.output()).isZero();
		assertThat(sources(again).get("org.h2.Driver")).contains(builds.get(0).resolve("lib").toString());
		try (Stream<Path> folders = Files.list(cache)) {
			assertThat(folders.toList()).as("the broken folder removed, none left half-way").containsExactlyElementsOf(builds);
		}

		// one of the application's resources gone (a cleaner of old files): extracted again too, not missed half-way
		Path report = builds.get(0).resolve("classes/dmr-templates/report/report.ftlh");
		Files.delete(report);
		Ran afterCleaner = javaJar(cache, List.of(), "config");
		assertThat(afterCleaner.exitCode()).as(afterCleaner.output()).isZero();
		assertThat(report).isRegularFile();
	}

	@Test
	void aCacheThatCannotBeWrittenLeavesThePackedJar() throws Exception {
		Path file = this.workspace.path("not-a-folder");
		this.workspace.file("not-a-folder", "a file where the cache folder would be\n");
		Ran runs = javaJar(file, List.of(), "runs");
		assertThat(runs.exitCode()).as(runs.output()).isZero();
		assertThat(runs.output()).contains("no runs yet").doesNotContain("Exception");
		assertThat(Files.readString(file)).isEqualTo("a file where the cache folder would be\n");
	}

}
