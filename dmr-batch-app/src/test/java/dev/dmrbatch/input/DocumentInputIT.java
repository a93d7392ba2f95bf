package dev.dmrbatch.input;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.DmrProcess;
import dev.dmrbatch.support.FaultProxy;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Pdfs;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs over folders of PDFs and web pages against the real local model runner, a kill -9 in the middle of one. */
@ExtendWith(WorkspaceExtension.class)
class DocumentInputIT {

	Workspace workspace;

	@SuppressWarnings("unchecked")
	private static String prompt(Map<String, Object> result) {
		return ((List<Map<String, String>>) result.get("messages")).get(0).get("content");
	}

	@Test
	void aFolderOfPdfsGivenOnTheCommandLineIsOneItemADocumentAndThoseThatCannotBeReadFailAlone() throws Exception {
		this.workspace.bytes("input/docs/a.pdf", Pdfs.pages("Report A", "Alpha page one.", "Alpha page two."));
		this.workspace.bytes("input/docs/b-scan.pdf", Pdfs.pages(null, Pdfs.PICTURE));
		this.workspace.bytes("input/docs/c-locked.pdf", Pdfs.encrypted("Locked"));
		this.workspace.bytes("input/docs/d-cut.pdf", Pdfs.truncated(Pdfs.pages(null, "Cut", "short")));
		this.workspace.file("jobs/docs.yaml", """
				input: { format: pdf, path: input/elsewhere }
				model: { name: ai/tiny, max_tokens: 2, temperature: 0 }
				steps:
				  - name: read
				    prompt: "[${record.id}|${title}|${pages}] ${text}"
				""");

		// a folder given as input= is read as the job's format says, not as a folder of text files
		Dmr.Result result = Dmr.run(this.workspace, LocalRunner.baseUrl(), "job=docs", "input=input/docs");

		assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
		assertThat(result.out()).contains("docs run 1 COMPLETED: 4 items, 1 ok, 3 failed");
		List<Map<String, Object>> lines = this.workspace.results("output/docs/run-1");
		assertThat(lines).extracting((line) -> line.get("id"))
			.containsExactly("a.pdf", "b-scan.pdf", "c-locked.pdf", "d-cut.pdf");
		assertThat(prompt(lines.get(0))).startsWith("[a.pdf|Report A|2] Alpha page one.\n")
			.contains("Alpha page two.");
		assertThat(lines).extracting((line) -> line.get("error"))
			.containsExactly(null, "b-scan.pdf: page 1 has no text layer",
					"c-locked.pdf: encrypted with a password (not read)",
					"d-cut.pdf: not a PDF that can be read (damaged, truncated or not a PDF)");
	}

	@Test
	void aMixedFolderIsReadFileByFileEachByItsKind() throws Exception {
		this.workspace.file("input/mixed/a.txt", "Plain text.")
			.file("input/mixed/b.html", "<title>B</title><script>hidden()</script><main><p>Visible</p></main><p>Out</p>");
		this.workspace.bytes("input/mixed/c.pdf", Pdfs.pages("C", "Page one.", "Page two."));
		this.workspace.file("jobs/mixed.yaml", """
				input: { format: files, path: input/mixed, options: { per: page, select: main } }
				model: { name: ai/tiny, max_tokens: 2, temperature: 0 }
				steps:
				  - name: read
				    prompt: "[${record.id}] ${text}"
				""");

		Dmr.Result result = Dmr.run(this.workspace, LocalRunner.baseUrl(), "job=mixed");

		assertThat(result.exitCode()).as(result.toString()).isZero();
		List<Map<String, Object>> lines = this.workspace.results("output/mixed/run-1");
		assertThat(lines).extracting(DocumentInputIT::prompt)
			.containsExactly("[a.txt] Plain text.", "[b.html] Visible", "[c.pdf#1] Page one.\n", "[c.pdf#2] Page two.\n");
	}

	@Test
	void killDashNineInTheMiddleOfAPdfReadPageByPageThenTheSameCommandGoesOnAtTheNextPage() throws Exception {
		int pages = 400;
		this.workspace.bytes("input/big.pdf", Pdfs.pages("Big", IntStream.rangeClosed(1, pages)
			.mapToObj((page) -> "Text of page " + page + ".")
			.toArray(String[]::new)));
		this.workspace.file("jobs/big.yaml", """
				input: { format: pdf, path: input/big.pdf, options: { per: page } }
				model: { name: ai/tiny, max_tokens: 4 }
				steps:
				  - name: read
				    prompt: "Item p${page}: ${text}"
				""");
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			DmrProcess first = DmrProcess.start(this.workspace, proxy.baseUrl(), "job=big");
			first.awaitRequests(proxy::forwarded, 120);

			first.kill();
			Dmr.Result resumed = Dmr.run(this.workspace, proxy.baseUrl(), "job=big");

			assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
			assertThat(resumed.err()).contains("resuming run 1 of big");
			assertThat(resumed.out()).contains("big run 1 COMPLETED: " + pages + " items, " + pages + " ok, 0 failed");
			List<Map<String, Object>> lines = this.workspace.results("output/big/run-1");
			assertThat(lines).extracting((line) -> line.get("id"))
				.containsExactlyElementsOf(IntStream.rangeClosed(1, pages).mapToObj((page) -> "big.pdf#" + page).toList());
			assertThat(prompt(lines.get(pages - 1))).isEqualTo("Item p" + pages + ": Text of page " + pages + ".\n");
			Map<String, Integer> perItem = proxy.forwardedPerItem();
			assertThat(perItem).hasSize(pages);
			// what was answered before the crash is not asked again, but for the chunks in flight (ReliabilityIT)
			assertThat(proxy.forwarded() - pages).isBetween(0, 18);
		}
	}

}
