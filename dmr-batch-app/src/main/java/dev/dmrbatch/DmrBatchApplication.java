package dev.dmrbatch;

import dev.dmrbatch.cli.CommandLine;
import dev.dmrbatch.launch.AtOnce;
import dev.dmrbatch.launch.ExtractedJar;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * dmr-batch: runs conversations with local language models in bulk.
 *
 * <pre>java -jar dmr-batch.jar job=summarize input=input/articles.csv</pre>
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class DmrBatchApplication {

	public static void main(String[] args) {
		if (!AtOnce.answers(args)) {
			ExtractedJar.runFromIt(DmrBatchApplication.class, args);
		}
		CommandLine.runAndExit(DmrBatchApplication.class, args);
	}

	/** Runs the application and returns its exit code (without exiting, so tests can call it). */
	public static int run(String... args) {
		return CommandLine.launch(DmrBatchApplication.class, args);
	}

}
