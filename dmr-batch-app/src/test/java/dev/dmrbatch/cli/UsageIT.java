package dev.dmrbatch.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.dmrbatch.DmrBatchApplication;
import dev.dmrbatch.config.LaunchSettings;
import dev.dmrbatch.run.plan.BuiltInJob;
import dev.dmrbatch.support.DmrProcess;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code help} is answered before the application starts, from the usage lines the build kept: they must be the
 * commands' own, and asking for help (or the version) must start, open and write nothing.
 */
@ExtendWith(WorkspaceExtension.class)
class UsageIT {

	/** Where the kept usage lines live in the source tree (the tests run in the top folder). */
	private static final Path KEPT = Path.of("dmr-batch-app/src/main/resources/dev/dmrbatch/cli", Usage.LINES);

	Workspace workspace;

	@Test
	void theKeptUsageLinesAreThoseTheCommandsGive() throws IOException {
		String closedPort = "http://127.0.0.1:9/v1";
		try (ConfigurableApplicationContext context = SpringApplication.run(DmrBatchApplication.class, "runs",
				"--dmr.home=" + this.workspace.root(), "--dmr.base-url=" + closedPort)) {
			String fromCommands = context.getBean(JobCommand.class).usageLines();
			if (Boolean.getBoolean("dmr.usage.write")) {
				Files.writeString(KEPT, fromCommands);
			}
			assertThat(Usage.keptLines())
				.as("%s differs from the commands' usage: ./mvnw verify -Dit.test=UsageIT -Ddmr.usage.write=true "
						+ "writes it again", KEPT)
				.isEqualTo(fromCommands)
				.contains("java -jar dmr-batch.jar job=<name> [input=<path>]", "java -jar dmr-batch.jar job=chat ");
			everyArgumentIsOneTheCommandLineTakesAndItsCommandNames(context);
		}
	}

	/**
	 * The arguments the command line accepts as it reads them are those the commands and a job run use, and each
	 * command's usage names its own: a new argument is added to its command alone.
	 */
	private static void everyArgumentIsOneTheCommandLineTakesAndItsCommandNames(ConfigurableApplicationContext context) {
		Set<String> used = new HashSet<>(Set.of("job", "profile"));
		JobRun jobRun = context.getBean(JobRun.class);
		named(jobRun.usage(), JobRun.arguments(), "a job run", Set.of());
		used.addAll(JobRun.arguments());
		for (Command command : context.getBeansOfType(Command.class).values()) {
			// the request settings are named once, by the job run's usage, which the other commands refer to
			named(command.usage(), command.arguments(), command.name(), LaunchSettings.KEYS.keySet());
			used.addAll(command.arguments());
		}
		for (BuiltInJob job : context.getBeansOfType(BuiltInJob.class).values()) {
			assertThat(JobRun.arguments()).as("job=%s's arguments", job.name()).containsAll(job.arguments());
		}
		used.removeAll(Set.of("of", "var."));
		assertThat(Arguments.KEYS).as("the arguments the command line reads").isEqualTo(used);
	}

	private static void named(String usage, Set<String> arguments, String command, Set<String> namedElsewhere) {
		for (String key : arguments) {
			String named = switch (key) {
				case "of" -> "job";
				case "var." -> "var.<key>";
				default -> key;
			};
			if (!namedElsewhere.contains(key)) {
				assertThat(Pattern.compile("(?<![\\w.-])" + Pattern.quote(named) + "(=|\\])").matcher(usage).find())
					.as("%s takes %s= but its usage does not name it", command, named)
					.isTrue();
			}
		}
	}

	@Test
	void helpAndTheVersionInAnEmptyFolderExitZeroAndLeaveNothingBehind(@TempDir Path empty) throws Exception {
		for (String asked : List.of("--help", "help", "-h", "version", "--version")) {
			List<String> command = DmrProcess.command(this.workspace, "http://127.0.0.1:9/v1", asked);
			command.removeIf((arg) -> arg.startsWith("--dmr."));
			Process process = new ProcessBuilder(command).directory(empty.toFile()).start();
			String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
			assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
			assertThat(process.exitValue()).as(asked + ": " + out + err).isZero();
			assertThat(err).as(asked).isEmpty();
			assertThat(out).as(asked).startsWith(asked.contains("version") ? "dmr-batch " : "usage: java -jar ");
			try (Stream<Path> left = Files.list(empty)) {
				assertThat(left).as(asked + " left files behind").isEmpty();
			}
		}
	}

}
