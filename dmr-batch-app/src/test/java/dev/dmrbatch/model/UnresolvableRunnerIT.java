package dev.dmrbatch.model;

import java.util.List;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A runner whose host name does not resolve is a mistake in the settings, not a fault that passes: every path that
 * talks to the runner says so at once, naming the URL, instead of retrying with backoff (with the default retry
 * settings, four attempts with 1, 2 and 4 seconds between them).
 */
@ExtendWith(WorkspaceExtension.class)
class UnresolvableRunnerIT {

	private static final String URL = "http://model-runner.invalid/engines/llama.cpp/v1";

	Workspace workspace;

	@Test
	void aHostNameThatDoesNotResolveIsNotRetried() {
		this.workspace.file("jobs/ok.yaml", """
				input: { format: csv, path: input/a.csv }
				model: { name: ai/tiny, max_tokens: 4 }
				steps: [ { name: a, prompt: "Hello ${text}" } ]
				""");
		this.workspace.file("input/a.csv", "text\nx\n");
		this.workspace.file("input/requests.jsonl", "{\"custom_id\": \"c\", \"method\": \"POST\", \"url\": "
				+ "\"/v1/chat/completions\", \"body\": {\"model\": \"ai/tiny\", \"max_tokens\": 4, \"messages\": "
				+ "[{\"role\": \"user\", \"content\": \"hi\"}]}}\n");
		this.workspace.dmrAt(URL, "job=models"); // the first start in this JVM loads the classes: not timed
		for (List<String> args : List.of(List.of("job=models"), List.of("job=ok"), List.of("job=probe", "model=ai/tiny"),
				List.of("job=openai-batch", "input=input/requests.jsonl", "output=batch"))) {
			long start = System.nanoTime();
			Dmr.Result result = this.workspace.dmrAt(URL, args.toArray(String[]::new));
			long elapsed = (System.nanoTime() - start) / 1_000_000;
			assertThat(result.exitCode()).as(result.toString()).isNotZero();
			assertThat(result.err()).as(args.toString()).contains(URL).contains("does not resolve")
				.doesNotContain("retrying").doesNotContain("Exception");
			// a retry with the default backoff alone waits at least 1 s, all of them 7 s
			assertThat(elapsed).as(args + " took " + elapsed + " ms").isLessThan(4000);
		}
	}

}
