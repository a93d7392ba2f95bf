package dev.dmrbatch.input;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.text.PDFTextStripper;

/**
 * A PDF, read from its text layer with PDFBox: the text of each page in reading order by position (lines top to
 * bottom, words left to right), hyphens kept as written. One item a document ({@code ${text}}, {@code ${pages}},
 * {@code ${title}}, {@code ${file}}, {@code ${name}}, {@code ${textless_pages}}), or one a page ({@code per: page}:
 * {@code ${page}} too, id {@code <file>#<page>}), the document held open while its pages are read, one page's text
 * at a time. A page with no text layer (a scan, an empty page) fails its item when it is one; a document keeps its
 * answered item and lists those pages in {@code ${textless_pages}}, failing only when no page has text. For a step that
 * asks for images ({@code images: [page]}), a page with no text layer is not failed: its item brings the PDF as its
 * image under {@code page}, and the step renders that page ({@link ImageFiles#preparePage}), or, for a document, each
 * page listed in {@code ${textless_pages}}, in page order, the text of the others as {@code ${text}} (empty when no
 * page has text); a document with more than {@link #MAX_RENDERED_PAGES} such pages fails its item. A PDF that needs a
 * password, or that cannot be parsed, fails its item naming the file.
 */
final class PdfFile implements FileType {

	/** The field of a step's {@code images:} that sends a PDF's pages without a text layer as images. */
	static final String PAGE = "page";

	/** The most pages without a text layer a document read as one item sends as images: one more fails its item. */
	static final int MAX_RENDERED_PAGES = 20;

	private final boolean perPage;

	private final boolean rendersTextless;

	PdfFile(boolean perPage) {
		this(perPage, false);
	}

	PdfFile(boolean perPage, boolean rendersTextless) {
		this.perPage = perPage;
		this.rendersTextless = rendersTextless;
	}

	/** The PDF reader of an input: its pages without text brought as images when a step's {@code images:} asks. */
	static PdfFile of(InputSource source, DocumentOptions options) {
		return new PdfFile(options.perPage(), source.imageFields().contains(PAGE));
	}

	@Override
	public List<String> extensions() {
		return List.of(".pdf");
	}

	@Override
	public Items open(Path file, String name) {
		PDDocument document;
		// the file opened here, so it is closed whatever the parser throws (the document closes it once read)
		org.apache.pdfbox.io.RandomAccessReadBufferedFile source = null;
		try {
			source = new org.apache.pdfbox.io.RandomAccessReadBufferedFile(file.toFile());
			document = Loader.loadPDF(source);
		}
		catch (InvalidPasswordException ex) {
			closeQuietly(source);
			return failed(name, "encrypted with a password (not read)");
		}
		catch (IOException | RuntimeException ex) {
			closeQuietly(source);
			return failed(name, "not a PDF that can be read (damaged, truncated or not a PDF)");
		}
		return this.perPage ? new Pages(document, file, name, this.rendersTextless)
				: new Whole(document, file, name, this.rendersTextless);
	}

	private static void closeQuietly(java.io.Closeable source) {
		if (source == null) {
			return;
		}
		try {
			source.close();
		}
		catch (IOException ex) {
			// the item fails already, naming the file
		}
	}

	private static Items failed(String name, String why) {
		return FileType.single(new InputItem(0, name, Map.of(), name + ": " + why, false));
	}

	private static PDFTextStripper stripper() {
		PDFTextStripper stripper = new PDFTextStripper();
		stripper.setSortByPosition(true);
		stripper.setLineSeparator("\n");
		return stripper;
	}

	private static Map<String, Object> fields(PDDocument document, String name) {
		Map<String, Object> fields = new LinkedHashMap<>();
		String title = document.getDocumentInformation().getTitle();
		fields.put("title", (title != null) ? title : "");
		fields.put("pages", document.getNumberOfPages());
		fields.put("file", name);
		fields.put("name", FileType.base(name));
		return fields;
	}

	/** Whether a page's text says nothing: no text layer, or one of spaces only. */
	private static boolean isTextless(String text) {
		return text.isBlank();
	}

	/** The document as one item. */
	private static final class Whole implements Items {

		private final PDDocument document;

		private final Path file;

		private final String name;

		private final boolean rendersTextless;

		Whole(PDDocument document, Path file, String name, boolean rendersTextless) {
			this.document = document;
			this.file = file;
			this.name = name;
			this.rendersTextless = rendersTextless;
		}

		@Override
		public InputItem item(int index) {
			if (index > 0) {
				return null;
			}
			PageMarks stripper = new PageMarks();
			StringWriter text = new StringWriter();
			try {
				stripper.writeText(this.document, text);
			}
			catch (IOException | RuntimeException ex) {
				return new InputItem(0, this.name, Map.of(), this.name + ": its text cannot be read (damaged)", false);
			}
			int pages = this.document.getNumberOfPages();
			List<Integer> textless = stripper.textless;
			if (pages == 0) {
				return new InputItem(0, this.name, Map.of(), this.name + ": a PDF without pages", false);
			}
			if (textless.size() == pages && !this.rendersTextless) {
				return new InputItem(0, this.name, Map.of(), this.name + ": " + ((pages == 1)
						? "page 1 has no text layer" : "none of its " + pages + " pages has a text layer"), false);
			}
			if (this.rendersTextless && textless.size() > MAX_RENDERED_PAGES) {
				return new InputItem(0, this.name, Map.of(), this.name + ": " + textless.size() + " pages have no text "
						+ "layer, more than the " + MAX_RENDERED_PAGES + " a document sends as images (read it with "
						+ "per: page)", false);
			}
			Map<String, Object> fields = fields(this.document, this.name);
			fields.put("text", (textless.size() == pages) ? "" : text.toString());
			fields.put("textless_pages", textless.stream().map(String::valueOf).collect(Collectors.joining(", ")));
			// scans: the step that asks for images renders those pages and sends them with the text
			return new InputItem(0, this.name, fields, null, false,
					(this.rendersTextless && !textless.isEmpty()) ? Map.of(PAGE, this.file) : Map.of());
		}

		@Override
		public void close() throws IOException {
			this.document.close();
		}

	}

	/** Notes the pages that have no text as the text of the whole document is written. */
	private static final class PageMarks extends PDFTextStripper {

		final List<Integer> textless = new ArrayList<>();

		private int start;

		PageMarks() {
			setSortByPosition(true);
			setLineSeparator("\n");
		}

		@Override
		protected void startPage(PDPage page) throws IOException {
			super.startPage(page);
			this.start = buffer().length();
		}

		@Override
		protected void endPage(PDPage page) throws IOException {
			super.endPage(page);
			if (isTextless(buffer().substring(this.start))) {
				this.textless.add(getCurrentPageNo());
			}
		}

		private StringBuffer buffer() {
			return ((StringWriter) getOutput()).getBuffer();
		}

	}

	/** The document as one item a page. */
	private static final class Pages implements Items {

		private final PDDocument document;

		private final String name;

		private final PDFTextStripper stripper = stripper();

		private final Path file;

		private final boolean rendersTextless;

		Pages(PDDocument document, Path file, String name, boolean rendersTextless) {
			this.document = document;
			this.file = file;
			this.name = name;
			this.rendersTextless = rendersTextless;
		}

		@Override
		public InputItem item(int index) {
			int pages = this.document.getNumberOfPages();
			if (pages == 0 && index == 0) {
				return new InputItem(0, this.name, Map.of(), this.name + ": a PDF without pages", false);
			}
			if (index >= pages) {
				return null;
			}
			int page = index + 1;
			String id = this.name + "#" + page;
			String text;
			try {
				this.stripper.setStartPage(page);
				this.stripper.setEndPage(page);
				text = this.stripper.getText(this.document);
			}
			catch (IOException | RuntimeException ex) {
				return new InputItem(0, id, Map.of(), id + ": its text cannot be read (damaged)", false);
			}
			boolean textless = isTextless(text);
			if (textless && !this.rendersTextless) {
				return new InputItem(0, id, Map.of(), this.name + ": page " + page + " has no text layer", false);
			}
			Map<String, Object> fields = fields(this.document, this.name);
			fields.put("page", page);
			fields.put("text", textless ? "" : text);
			// a scan: the step that asks for images renders the page and sends it instead
			return new InputItem(0, id, fields, null, false, textless ? Map.of(PAGE, this.file) : Map.of());
		}

		@Override
		public void close() throws IOException {
			this.document.close();
		}

	}

}
