package dev.dmrbatch.input;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.plugin.api.Options;
import dev.dmrbatch.support.Kinds;
import dev.dmrbatch.support.Pdfs;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The formats that read documents: {@code pdf}, {@code html}, and {@code files}, a folder mixing them. */
@ExtendWith(WorkspaceExtension.class)
class DocumentInputTest {

	Workspace workspace;

	private InputSource source(String format, String path, Map<String, Object> options) {
		return new InputSource(Kinds.inputFormat(format), this.workspace.root().resolve(path), null, path,
				Options.of(options));
	}

	private static List<InputItem> readAll(ItemStreamReader<InputItem> reader, ExecutionContext context)
			throws Exception {
		List<InputItem> items = new ArrayList<>();
		reader.open(context);
		for (InputItem item = reader.read(); item != null; item = reader.read()) {
			items.add(item);
		}
		reader.close();
		return items;
	}

	private List<InputItem> read(InputSource source) throws Exception {
		InputReaders.check(source);
		return readAll(InputReaders.reader(source), new ExecutionContext());
	}

	private void pdfs() {
		this.workspace.bytes("docs/a-report.pdf", Pdfs.pages("Quarterly report", "First page, with a hyphen-\nated word.",
				Pdfs.PICTURE, "Third page."));
		this.workspace.bytes("docs/b-scan.pdf", Pdfs.pages(null, Pdfs.PICTURE));
		this.workspace.bytes("docs/c-locked.pdf", Pdfs.encrypted("Secret text"));
		this.workspace.bytes("docs/d-cut.pdf", Pdfs.truncated(Pdfs.pages(null, "Cut short", "Two", "Three")));
		this.workspace.bytes("docs/e-junk.pdf", Pdfs.notAPdf());
		this.workspace.bytes("docs/f-empty.pdf", Pdfs.pages("Blank", "One", Pdfs.EMPTY));
		this.workspace.file("docs/notes.txt", "not a PDF: not read by format pdf");
	}

	@Test
	void aFolderOfPdfsIsOneItemADocumentAndEachThatCannotBeReadFailsAlone() throws Exception {
		pdfs();
		List<InputItem> items = read(source("pdf", "docs", null));
		assertThat(items).extracting(InputItem::id)
			.containsExactly("a-report.pdf", "b-scan.pdf", "c-locked.pdf", "d-cut.pdf", "e-junk.pdf", "f-empty.pdf");
		assertThat(items).extracting(InputItem::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
		InputItem report = items.get(0);
		assertThat(report.error()).isNull();
		assertThat(report.fields()).containsEntry("title", "Quarterly report")
			.containsEntry("pages", 3)
			.containsEntry("file", "a-report.pdf")
			.containsEntry("name", "a-report")
			.containsEntry("textless_pages", "2");
		assertThat((String) report.fields().get("text")).contains("First page, with a hyphen-\nated word.")
			.contains("Third page.");
		assertThat(items.get(1).error()).isEqualTo("b-scan.pdf: page 1 has no text layer");
		assertThat(items.get(2).error()).isEqualTo("c-locked.pdf: encrypted with a password (not read)");
		assertThat(items.get(3).error())
			.isEqualTo("d-cut.pdf: not a PDF that can be read (damaged, truncated or not a PDF)");
		assertThat(items.get(4).error())
			.isEqualTo("e-junk.pdf: not a PDF that can be read (damaged, truncated or not a PDF)");
		assertThat(items.get(5).fields()).containsEntry("textless_pages", "2").containsEntry("title", "Blank");
	}

	@Test
	void perPageIsOneItemAPageWithItsNumberInItsId() throws Exception {
		pdfs();
		List<InputItem> items = read(source("pdf", "docs/a-report.pdf", Map.of("per", "page")));
		assertThat(items).extracting(InputItem::id).containsExactly("a-report.pdf#1", "a-report.pdf#2", "a-report.pdf#3");
		assertThat(items.get(0).fields()).containsEntry("page", 1).containsEntry("pages", 3)
			.containsEntry("title", "Quarterly report");
		assertThat((String) items.get(0).fields().get("text")).contains("First page").doesNotContain("Third");
		assertThat(items.get(1).error()).isEqualTo("a-report.pdf: page 2 has no text layer");
		assertThat((String) items.get(2).fields().get("text")).isEqualTo("Third page.\n");
	}

	@Test
	void aPageWithNoTextLayerIsBroughtAsAnImageWhenAStepAsksAndRenderedSmaller() throws Exception {
		pdfs();
		Path pdf = this.workspace.root().resolve("docs/a-report.pdf");
		InputSource source = new InputSource(Kinds.inputFormat("pdf"), pdf, null, "docs/a-report.pdf",
				Options.of(Map.of("per", "page")), null, List.of("page"));
		List<InputItem> items = read(source);
		assertThat(items).extracting(InputItem::error).containsOnlyNulls();
		assertThat(items.get(0).images()).isEmpty();
		assertThat(items.get(1).fields()).containsEntry("page", 2).containsEntry("text", "");
		assertThat(items.get(1).images()).containsOnly(Map.entry("page", pdf));
		ImageFiles.Prepared page = ImageFiles.preparePage(pdf, "a-report.pdf", 2, 300);
		assertThat(page.mediaType()).isEqualTo("image/png");
		java.awt.image.BufferedImage sent = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(page.sent()));
		assertThat(sent.getHeight()).isEqualTo(300);
		assertThat(page.reference()).containsEntry("file", "a-report.pdf").containsEntry("page", 2)
			.containsEntry("width", 1240).containsEntry("height", 1754).containsEntry("sent", sent.getWidth() + "x300")
			.containsEntry("bytes", java.nio.file.Files.size(pdf));
		assertThatThrownBy(() -> ImageFiles.preparePage(pdf, "a-report.pdf", 9, 300))
			.hasMessage("a-report.pdf page 9 cannot be rendered (the PDF has 3 pages)");
	}

	@Test
	void aDocumentBringsItsPagesWithNoTextLayerAsImagesWhenAStepAsksAndAScanIsNoLongerFailed() throws Exception {
		pdfs();
		String[] many = new String[PdfFile.MAX_RENDERED_PAGES + 1];
		java.util.Arrays.fill(many, Pdfs.PICTURE);
		this.workspace.bytes("docs/g-long-scan.pdf", Pdfs.pages(null, many));
		Path docs = this.workspace.root().resolve("docs");
		for (String format : List.of("pdf", "files")) {
			List<InputItem> items = read(new InputSource(Kinds.inputFormat(format), docs, null, "docs", Options.none(),
					null, List.of("page")));
			InputItem report = items.get(0);
			assertThat(report.error()).isNull();
			assertThat((String) report.fields().get("text")).contains("First page").contains("Third page.");
			assertThat(report.fields()).containsEntry("textless_pages", "2");
			assertThat(report.images()).containsOnly(Map.entry("page", docs.resolve("a-report.pdf")));
			InputItem scan = items.get(1);
			assertThat(scan.error()).isNull();
			assertThat(scan.fields()).containsEntry("text", "").containsEntry("textless_pages", "1");
			assertThat(scan.images()).containsOnly(Map.entry("page", docs.resolve("b-scan.pdf")));
			InputItem blank = items.stream().filter((item) -> "f-empty.pdf".equals(item.id())).findFirst().orElseThrow();
			assertThat(blank.images()).containsOnly(Map.entry("page", docs.resolve("f-empty.pdf")));
			InputItem tooMany = items.stream().filter((item) -> "g-long-scan.pdf".equals(item.id())).findFirst()
				.orElseThrow();
			assertThat(tooMany.error()).isEqualTo("g-long-scan.pdf: 21 pages have no text layer, more than the 20 a "
					+ "document sends as images (read it with per: page)");
		}
		// the pages of a document rendered in the order asked, one at a time, each as a page alone is
		Path report = docs.resolve("a-report.pdf");
		List<ImageFiles.Prepared> pages = ImageFiles.preparePages(report, "a-report.pdf", List.of(2, 3), 300);
		assertThat(pages).extracting(ImageFiles.Prepared::page).containsExactly(2, 3);
		assertThat(pages.get(0).sent()).isEqualTo(ImageFiles.preparePage(report, "a-report.pdf", 2, 300).sent());
		// without images: [page], as before: a scan fails, a document with text goes without images
		List<InputItem> plain = read(source("pdf", "docs", null));
		assertThat(plain.get(0).images()).isEmpty();
		assertThat(plain.get(1).error()).isEqualTo("b-scan.pdf: page 1 has no text layer");
	}

	@Test
	void aScannedPageDrawingAnImageOfMoreThanTheMostPixelsIsRefusedBeforeItIsDecoded() throws Exception {
		// given: a page drawing an image whose dictionary says 40000 x 40000 (1,600 megapixels), in a small file
		Path file = this.workspace.path("bomb.pdf");
		try (org.apache.pdfbox.pdmodel.PDDocument document = new org.apache.pdfbox.pdmodel.PDDocument()) {
			org.apache.pdfbox.pdmodel.PDPage page = new org.apache.pdfbox.pdmodel.PDPage();
			document.addPage(page);
			org.apache.pdfbox.cos.COSStream stream = document.getDocument().createCOSStream();
			try (java.io.OutputStream out = stream.createOutputStream(org.apache.pdfbox.cos.COSName.FLATE_DECODE)) {
				out.write(new byte[1000]);
			}
			stream.setItem(org.apache.pdfbox.cos.COSName.TYPE, org.apache.pdfbox.cos.COSName.XOBJECT);
			stream.setItem(org.apache.pdfbox.cos.COSName.SUBTYPE, org.apache.pdfbox.cos.COSName.IMAGE);
			stream.setInt(org.apache.pdfbox.cos.COSName.WIDTH, 40000);
			stream.setInt(org.apache.pdfbox.cos.COSName.HEIGHT, 40000);
			stream.setInt(org.apache.pdfbox.cos.COSName.BITS_PER_COMPONENT, 8);
			stream.setItem(org.apache.pdfbox.cos.COSName.COLORSPACE, org.apache.pdfbox.cos.COSName.DEVICEGRAY);
			org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject image = new org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject(
					new org.apache.pdfbox.pdmodel.common.PDStream(stream), null);
			try (org.apache.pdfbox.pdmodel.PDPageContentStream content = new org.apache.pdfbox.pdmodel.PDPageContentStream(
					document, page)) {
				content.drawImage(image, 0, 0, 200, 200);
			}
			document.save(file.toFile());
		}
		assertThat(java.nio.file.Files.size(file)).isLessThan(100_000);

		// when / then: the page is refused, naming it, and nothing is decoded
		assertThatThrownBy(() -> ImageFiles.preparePage(file, "bomb.pdf", 1, 1024))
			.isInstanceOf(ImageFiles.ImageException.class)
			.hasMessage("bomb.pdf page 1 holds an image of 1600 megapixels, more than the 200 an image may have "
					+ "(not rendered)");
	}

	@Test
	void aPdfsPagesSentOneAtATimeHashItOnceAndAChangedFileIsHashedAgain() throws Exception {
		// given: a two-page PDF whose pages are rendered one at a time
		Path file = this.workspace.path("pages.pdf");
		java.nio.file.Files.write(file, Pdfs.pages("One", "First page.", "Second page."));
		String first = ImageFiles.preparePage(file, "pages.pdf", 1, 200).sha256();
		assertThat(ImageFiles.preparePage(file, "pages.pdf", 2, 200).sha256()).isEqualTo(first);

		// when: the file is replaced by another
		byte[] other = Pdfs.pages("Two", "Another first page.", "Another second page.");
		java.nio.file.Files.write(file, other);
		java.nio.file.Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(
				java.nio.file.Files.getLastModifiedTime(file).toInstant().plusSeconds(5)));

		// then: its pages carry the new file's hash
		String expected = java.util.HexFormat.of()
			.formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(other));
		assertThat(ImageFiles.preparePage(file, "pages.pdf", 2, 200).sha256()).isEqualTo(expected).isNotEqualTo(first);
	}

	@Test
	void twoColumnsAreReadByPosition() throws Exception {
		this.workspace.bytes("cols.pdf", Pdfs.twoColumns(List.of("Left one", "Left two"), List.of("Right one", "Right two")));
		String text = (String) read(source("pdf", "cols.pdf", null)).get(0).fields().get("text");
		// by position: a line of the page at a time, left to right (PDFBox knows no columns without article beads)
		assertThat(text).isEqualTo("Left one Right one\nLeft two Right two\n");
	}

	@Test
	void aTextFolderRunSavedBeforeFilesCouldBeSeveralItemsGoesOnAtItsNextFile() throws Exception {
		this.workspace.file("notes/a.txt", "A").file("notes/b.txt", "B").file("notes/c.txt", "C");
		ExecutionContext saved = new ExecutionContext();
		saved.putLong("input.read.count", 2);
		saved.putLong(InputReaders.POSITION, 2);
		List<InputItem> rest = readAll(InputReaders.reader(source("text", "notes", null)), saved);
		assertThat(rest).extracting(InputItem::id).containsExactly("c.txt");
		assertThat(rest).extracting(InputItem::seq).containsExactly(3L);
	}

	@Test
	void aRestartGoesOnAtTheNextPageOfTheDocumentItWasReading() throws Exception {
		this.workspace.bytes("docs/a.pdf", Pdfs.pages(null, "a1", "a2", "a3"));
		this.workspace.bytes("docs/b.pdf", Pdfs.pages(null, "b1", "b2"));
		InputSource source = source("pdf", "docs", Map.of("per", "page"));
		ItemStreamReader<InputItem> first = InputReaders.reader(source);
		ExecutionContext context = new ExecutionContext();
		first.open(context);
		for (int i = 0; i < 2; i++) {
			first.read();
		}
		first.update(context); // what a chunk commit saves
		first.read(); // read, not committed: read again after the restart
		first.close();
		List<InputItem> rest = readAll(InputReaders.reader(source), context);
		assertThat(rest).extracting(InputItem::id).containsExactly("a.pdf#3", "b.pdf#1", "b.pdf#2");
		assertThat(rest).extracting(InputItem::seq).containsExactly(3L, 4L, 5L);
		assertThat((String) rest.get(1).fields().get("text")).isEqualTo("b1\n");
	}

	@Test
	void aWebPageIsItsVisibleTextAndTitle() throws Exception {
		this.workspace.file("pages/a.html", """
				<!doctype html><html><head><title>The  title</title><style>p { color: red }</style>
				<script>var secret = "script text";</script></head>
				<body><nav aria-hidden="true">Menu</nav>
				<article><h1>Heading</h1><p>First   paragraph,
				  two lines.</p><p hidden>Hidden paragraph</p><div style="color: red; display : none">Styled away</div>
				<ul><li>One</li><li>Two</li></ul><template><p>Template text</p></template>
				<noscript>Enable scripts</noscript><p>Line<br>break</p></article>
				<footer>Footer text</footer></body></html>
				""");
		this.workspace.file("pages/b.htm", "<html><body><script>only()</script></body></html>");
		List<InputItem> items = read(source("html", "pages", null));
		assertThat(items).extracting(InputItem::id).containsExactly("a.html", "b.htm");
		assertThat(items.get(0).fields()).containsEntry("title", "The title")
			.containsEntry("text", "Heading\nFirst paragraph, two lines.\nOne\nTwo\nLine\nbreak\nFooter text")
			.containsEntry("name", "a");
		assertThat(items.get(1).error()).isEqualTo("b.htm: no visible text");
		List<InputItem> selected = read(source("html", "pages/a.html", Map.of("select", "article p")));
		assertThat(selected.get(0).fields()).containsEntry("text", "First paragraph, two lines.\n\nLine\nbreak");
		assertThat(read(source("html", "pages/b.htm", Map.of("select", "article"))).get(0).error())
			.isEqualTo("b.htm: nothing in it matches the selector 'article' (input.options.select)");
	}

	@Test
	void aMixedFolderIsReadFileByFileEachByItsKind() throws Exception {
		this.workspace.file("mixed/c.md", "# C").file("mixed/a.txt", "A").file("mixed/sub/d.html", "<p>D</p>")
			.file("mixed/e.csv", "not read");
		this.workspace.bytes("mixed/b.pdf", Pdfs.pages("B", "Bee"));
		this.workspace.bytes("mixed/f.png", png(12, 7));
		List<InputItem> items = read(source("files", "mixed", null));
		assertThat(items).extracting(InputItem::id).containsExactly("a.txt", "b.pdf", "c.md", "f.png", "sub/d.html");
		assertThat(items).extracting((item) -> item.fields().get("text"))
			.containsExactly("A", "Bee\n", "# C", null, "D");
		// an image as format images reads it: its sides, and the file to send
		InputItem image = items.get(3);
		assertThat(image.fields()).containsEntry("width", 12).containsEntry("height", 7).containsEntry("name", "f");
		assertThat(image.images().get("file")).hasFileName("f.png");
		assertThat(read(source("files", "mixed", Map.of("per", "page")))).extracting(InputItem::id)
			.containsExactly("a.txt", "b.pdf#1", "c.md", "f.png", "sub/d.html");
	}

	private static byte[] png(int width, int height) throws java.io.IOException {
		java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
		javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(width, height,
				java.awt.image.BufferedImage.TYPE_INT_RGB), "png", bytes);
		return bytes.toByteArray();
	}

	@Test
	void optionsAndInputsAreCheckedBeforeARun() {
		this.workspace.file("in/a.txt", "A");
		assertThatThrownBy(() -> InputReaders.check(source("pdf", "in", Map.of("per", "chapter"))))
			.hasMessage("input.options.per 'chapter' must be document or page");
		assertThatThrownBy(() -> InputReaders.check(source("pdf", "in", Map.of("select", "p"))))
			.hasMessage("input.options.select is not an option of input format pdf (it takes per)");
		assertThatThrownBy(() -> InputReaders.check(source("html", "in", Map.of("select", "p[["))))
			.hasMessage("input.options.select 'p[[' is not a CSS selector that jsoup reads");
		assertThatThrownBy(() -> InputReaders.check(source("pdf", "nope", null)))
			.hasMessage("input nope does not exist (format pdf reads a .pdf file or a folder of them)");
		assertThatThrownBy(() -> InputReaders.check(source("files", "in/a.txt", null)))
			.hasMessage("input folder in/a.txt does not exist (it is a file; format files reads a folder)");
		// the formats that read a folder share the check, each saying what it reads
		assertThatThrownBy(() -> InputReaders.check(source("text", "in/a.txt", null)))
			.hasMessage("input folder in/a.txt does not exist (it is a file; format text reads a folder of .txt and .md "
					+ "files)");
		assertThatThrownBy(() -> InputReaders.check(source("images", "in/a.txt", null)))
			.hasMessage("input folder in/a.txt does not exist (it is a file; format images reads a folder of .png, "
					+ ".jpg, .jpeg, .webp, .gif files)");
		assertThatThrownBy(() -> InputReaders.check(source("images", "nope", null)))
			.hasMessage("input folder nope does not exist");
	}

}
