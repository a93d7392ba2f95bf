package dev.dmrbatch.export;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import javax.xml.parsers.DocumentBuilderFactory;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.DmrProcess;
import dev.dmrbatch.support.FaultProxy;
import dev.dmrbatch.support.JunitXml;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.w3c.dom.Element;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A run reported to CI against the real runner: {@code junit=} writes JUnit XML that the common schema accepts, with
 * an error for the item the runner refused and a failure for each failed check, and {@code GITHUB_STEP_SUMMARY} gets
 * the summary and the checks' table; the exit code stays that of a run with failed items. In a process of its own,
 * for its environment.
 */
@ExtendWith(WorkspaceExtension.class)
class JunitIT {

	Workspace workspace;

	FaultProxy proxy;

	@BeforeEach
	void setUp() throws Exception {
		this.proxy = new FaultProxy(LocalRunner.baseUrl());
	}

	@AfterEach
	void tearDown() {
		this.proxy.close();
	}

	@Test
	void aRunWithAFailedItemAndFailedChecksIsReportedToCi() throws Exception {
		// given: three items, the second refused by the runner; a check every call passes, one every call fails
		this.workspace.file("input/items.csv", "id,text\nr1,apples\nr2,pears\nr3,plums\n");
		this.workspace.file("jobs/ci.yaml", """
				input: { format: csv, path: input/items.csv, id: id }
				model: { name: ai/tiny, max_tokens: 6, temperature: 0, seed: 3 }
				steps:
				  - name: answer
				    prompt: "Item ${record.id}: ${text}"
				    checks:
				      - { name: short, type: tokens, max: 6 }
				      - { name: instant, type: latency, max-ms: 0 }
				""");
		Files.createDirectories(this.workspace.path("reports"));
		Path summary = this.workspace.path("step-summary.md");
		Files.writeString(summary, "## earlier step\n");
		this.proxy.faultsPerItem((seen) -> seen.item().equals("r2")
				? new FaultProxy.Status(400, "{\"error\": {\"message\": \"refused\"}}") : FaultProxy.FORWARD);

		// when
		DmrProcess run = DmrProcess.start(this.workspace, Map.of("GITHUB_STEP_SUMMARY", summary.toString()),
				this.proxy.baseUrl(), "job=ci", "run=first", "junit=reports/dmr-batch.xml");
		int exitCode = run.waitFor(Duration.ofMinutes(3));

		// then: the run's own exit code, each item sent once
		assertThat(exitCode).as(run.err()).isEqualTo(3);
		assertThat(this.proxy.chatRequests()).isEqualTo(3);
		Path junit = this.workspace.path("reports/dmr-batch.xml");
		assertThat(run.out()).contains("exports: " + junit);
		JunitXml.assertValid(junit);
		assertThat(Files.readString(junit)).isEqualTo(this.workspace.read("output/ci/first/junit.xml"));
		Element root = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(junit.toFile())
			.getDocumentElement();
		// three items by two checks: the refused item's two are errors, the other two items fail the latency check
		assertThat(root.getAttribute("tests")).isEqualTo("6");
		assertThat(root.getAttribute("errors")).isEqualTo("2");
		assertThat(root.getAttribute("failures")).isEqualTo("2");
		assertThat(root.getElementsByTagName("testsuite").getLength()).isEqualTo(1);
		assertThat(((Element) root.getElementsByTagName("testsuite").item(0)).getAttribute("name")).isEqualTo("ai/tiny");
		Element failure = (Element) root.getElementsByTagName("failure").item(0);
		assertThat(failure.getAttribute("message")).matches("\\d+ ms, more than 0");
		assertThat(((Element) root.getElementsByTagName("error").item(0)).getAttribute("message")).contains("refused");

		// and the step summary kept what was there and got the run's summary and its checks' table
		String markdown = Files.readString(summary);
		assertThat(markdown).startsWith("## earlier step\n### dmr-batch: ci run first\n");
		assertThat(markdown).contains("3 items, 2 ok, 1 failed").contains("- exit code 3")
			.contains("| answer.short | 2 | 2 | 100.0% |")
			.contains("| answer.instant | 0 | 2 | 0.0% |")
			.contains("- exports: " + junit);
	}

	@Test
	void aJunitFileThatCannotBeWrittenIsRefusedBeforeAnythingIsSent() throws Exception {
		this.workspace.file("input/items.csv", "id,text\nr1,apples\n");
		this.workspace.file("jobs/ci.yaml", """
				input: { format: csv, path: input/items.csv, id: id }
				model: { name: ai/tiny, max_tokens: 6 }
				steps:
				  - { name: answer, prompt: "Item ${record.id}: ${text}" }
				""");
		Files.createDirectories(this.workspace.path("reports"));

		Dmr.Result folder = this.workspace.dmrAt(this.proxy.baseUrl(), "job=ci", "junit=reports");
		Dmr.Result nowhere = this.workspace.dmrAt(this.proxy.baseUrl(), "job=ci", "junit=missing/ci.xml");

		assertThat(folder.exitCode()).as(folder.toString()).isEqualTo(2);
		assertThat(folder.err()).contains("error: junit=reports is a folder; junit= names the file");
		assertThat(nowhere.exitCode()).as(nowhere.toString()).isEqualTo(2);
		assertThat(nowhere.err()).contains("error: junit=missing/ci.xml: the folder ").contains("is not there");
		assertThat(this.proxy.chatRequests()).isZero();
	}

}
