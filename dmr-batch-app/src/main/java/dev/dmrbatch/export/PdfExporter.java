package dev.dmrbatch.export;

import java.awt.Color;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;

import com.vladsch.flexmark.ast.BlockQuote;
import com.vladsch.flexmark.ast.BulletList;
import com.vladsch.flexmark.ast.Code;
import com.vladsch.flexmark.ast.Emphasis;
import com.vladsch.flexmark.ast.FencedCodeBlock;
import com.vladsch.flexmark.ast.HardLineBreak;
import com.vladsch.flexmark.ast.Heading;
import com.vladsch.flexmark.ast.IndentedCodeBlock;
import com.vladsch.flexmark.ast.Link;
import com.vladsch.flexmark.ast.ListBlock;
import com.vladsch.flexmark.ast.ListItem;
import com.vladsch.flexmark.ast.OrderedList;
import com.vladsch.flexmark.ast.RefNode;
import com.vladsch.flexmark.ast.SoftLineBreak;
import com.vladsch.flexmark.ast.StrongEmphasis;
import com.vladsch.flexmark.ast.Text;
import com.vladsch.flexmark.ast.ThematicBreak;
import com.vladsch.flexmark.parser.Parser;
import com.vladsch.flexmark.util.ast.Node;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.StoreFolder;
import dev.dmrbatch.text.SafeText;
import com.lowagie.text.Chunk;
import com.lowagie.text.Document;
import com.lowagie.text.DocumentException;
import com.lowagie.text.Element;
import com.lowagie.text.Font;
import com.lowagie.text.PageSize;
import com.lowagie.text.Paragraph;
import com.lowagie.text.Phrase;
import com.lowagie.text.Rectangle;
import com.lowagie.text.pdf.BaseFont;
import com.lowagie.text.pdf.ColumnText;
import com.lowagie.text.pdf.PdfPCell;
import com.lowagie.text.pdf.PdfPTable;
import com.lowagie.text.pdf.PdfPageEventHelper;
import com.lowagie.text.pdf.PdfWriter;
import com.lowagie.text.pdf.draw.LineSeparator;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code results.pdf}: a title, the run's facts, then per item its conversation with the roles set apart. Answers
 * are Markdown more often than not, so they are parsed (flexmark) and laid out (headings, emphasis, lists, code)
 * rather than printed with their asterisks. Liberation fonts are embedded for Latin, Greek and Cyrillic text;
 * other scripts (CJK, Arabic, Hebrew, Devanagari, Thai, ...) fall back per run of text on fonts found on the machine
 * ({@link PdfFonts}), subsets of each embedded. Pages are written as they fill.
 */
final class PdfExporter implements Exporter {

	static final String FILE = "results.pdf";

	private static final Color SYSTEM = new Color(0x6b, 0x6b, 0x6b);

	private static final Color USER = new Color(0x1f, 0x4e, 0x99);

	private static final Color ASSISTANT = new Color(0x1b, 0x6e, 0x3a);

	private static final Color FAILED = new Color(0xb0, 0x1c, 0x1c);

	private static final Parser MARKDOWN = Parser.builder().build();

	private final OutputStream out;

	private final Document document;

	private final Fonts fonts;

	PdfExporter(Path folder, ExportRun run, Map<String, Object> facts, Path fontFolder) throws IOException {
		this.fonts = Fonts.load(PdfFonts.find(fontFolder));
		this.out = Files.newOutputStream(StoreFolder.privateFile(folder.resolve(FILE)));
		this.document = new Document(PageSize.A4, 54, 54, 54, 60);
		PdfWriter writer = PdfWriter.getInstance(this.document, this.out);
		writer.setPageEvent(new PageNumbers(this.fonts.small));
		this.document.addTitle(SafeText.document(run.name()));
		this.document.addCreator("dmr-batch");
		this.document.open();
		add(this.fonts.paragraph(run.name(), this.fonts.title));
		Paragraph about = new Paragraph();
		about.setSpacingBefore(6);
		about.setSpacingAfter(12);
		@SuppressWarnings("unchecked")
		Map<String, Object> model = (Map<String, Object>) facts.get("model");
		about.add(this.fonts.phrase("input " + facts.get("input") + "\nmodel " + model.getOrDefault("name", "-")
				+ "\nstarted " + facts.get("started") + ", finished " + facts.get("finished") + "\n" + facts.get("items") + " items: "
				+ facts.get("ok") + " ok, " + facts.get("failed") + " failed; tokens " + facts.get("prompt_tokens")
				+ " in, " + facts.get("completion_tokens") + " out", this.fonts.small));
		add(about);
	}

	@Override
	public void write(Conversation c) {
		Paragraph heading = new Paragraph();
		heading.setSpacingBefore(10);
		this.fonts.append(heading, c.itemId(), this.fonts.heading);
		this.fonts.append(heading, "   " + c.model() + (c.isOk() ? "" : ", failed"), this.fonts.small);
		add(heading);
		if (c.error() != null) {
			add(this.fonts.paragraph(c.error(), this.fonts.colored(this.fonts.regular, FAILED)));
		}
		for (Conversation.Turn turn : c.turns()) {
			if (!turn.isMessage()) {
				continue;
			}
			Color color = switch (turn.role()) {
				case "system" -> SYSTEM;
				case "user" -> USER;
				default -> ASSISTANT;
			};
			Paragraph label = this.fonts.paragraph(turn.role() + ((turn.step() != null) ? " · " + turn.step() : ""),
					this.fonts.colored(this.fonts.bold, color));
			label.setSpacingBefore(4);
			add(label);
			if (turn.role().equals("assistant")) {
				// made visible before parsing: Markdown would turn a NUL into U+FFFD
				new MarkdownLayout(this.fonts, this::add).render(MARKDOWN.parse(SafeText.document(turn.content())));
			}
			else {
				Paragraph text = this.fonts.paragraph(turn.content(), this.fonts.regular);
				text.setIndentationLeft(12);
				add(text);
			}
		}
		add(new Chunk(new LineSeparator(0.5f, 100, Color.LIGHT_GRAY, Element.ALIGN_CENTER, -4)));
	}

	private void add(Element element) {
		try {
			Element laidOut = (element instanceof Paragraph paragraph) ? bidi(paragraph) : element;
			synchronized (PdfFonts.LAYOUT) {
				this.document.add(laidOut);
			}
		}
		catch (DocumentException ex) {
			throw new UncheckedIOException(new IOException("cannot write " + FILE + ": " + ex.getMessage(), ex));
		}
	}

	/**
	 * A paragraph with Arabic or Hebrew in it goes into a borderless cell, where OpenPDF orders its runs (right to
	 * left from its first strong character) and joins the Arabic letters; other paragraphs stay as they are.
	 */
	static Element bidi(Paragraph paragraph) {
		int direction = runDirection(paragraph.getContent());
		if (direction == PdfWriter.RUN_DIRECTION_NO_BIDI) {
			return paragraph;
		}
		PdfPTable table = new PdfPTable(1);
		table.setWidthPercentage(100);
		table.setSplitLate(false);
		table.setSpacingBefore(paragraph.getSpacingBefore());
		table.setSpacingAfter(paragraph.getSpacingAfter());
		paragraph.setSpacingBefore(0);
		paragraph.setSpacingAfter(0);
		if (direction == PdfWriter.RUN_DIRECTION_RTL) {
			// right to left, "left" is the start of the line: flush with the right margin
			paragraph.setAlignment(Element.ALIGN_LEFT);
		}
		PdfPCell cell = new PdfPCell();
		cell.setBorder(Rectangle.NO_BORDER);
		cell.setPadding(0);
		cell.setRunDirection(direction);
		cell.addElement(paragraph);
		table.addCell(cell);
		return table;
	}

	/** Right to left or left to right by the first strong character when the text has any right-to-left one. */
	static int runDirection(String text) {
		int first = -1;
		boolean rtl = false;
		for (int i = 0; i < text.length() && !rtl;) {
			int cp = text.codePointAt(i);
			i += Character.charCount(cp);
			byte d = Character.getDirectionality(cp);
			boolean right = d == Character.DIRECTIONALITY_RIGHT_TO_LEFT
					|| d == Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC;
			if (first < 0 && (right || d == Character.DIRECTIONALITY_LEFT_TO_RIGHT)) {
				first = right ? PdfWriter.RUN_DIRECTION_RTL : PdfWriter.RUN_DIRECTION_LTR;
			}
			rtl = right;
		}
		return rtl ? first : PdfWriter.RUN_DIRECTION_NO_BIDI;
	}

	@Override
	public void finish() {
		synchronized (PdfFonts.LAYOUT) {
			this.document.close();
		}
	}

	/** The characters no font has, named once for the whole file. */
	@Override
	public List<String> warnings() {
		SortedSet<Integer> missing = this.fonts.fallback.missing();
		if (missing.isEmpty()) {
			return List.of();
		}
		List<String> named = new ArrayList<>();
		for (int cp : missing) {
			if (named.size() == 5) {
				named.add("and " + (missing.size() - 5) + " more");
				break;
			}
			String name = Character.getName(cp);
			named.add(Fonts.codePoint(cp) + ((name != null) ? " " + name : ""));
		}
		return List.of(FILE + ": no font has " + ((missing.size() == 1) ? "this character" : "these "
				+ missing.size() + " characters") + ", shown as [U+...] instead: " + String.join(", ", named)
				+ " (install fonts-noto-core and fonts-noto-cjk, or name a folder of fonts in dmr.export.font-folder)");
	}

	@Override
	public void close() throws IOException {
		if (this.document.isOpen()) {
			this.document.close();
		}
		this.out.close();
	}

	/** The embedded fonts, and those the text falls back on for characters they do not have. */
	static final class Fonts {

		final Font regular;

		final Font bold;

		final Font italic;

		final Font boldItalic;

		final Font mono;

		final Font title;

		final Font heading;

		final Font small;

		final PdfFonts fallback;

		private Fonts(BaseFont sans, BaseFont sansBold, BaseFont sansItalic, BaseFont sansBoldItalic, BaseFont mono,
				PdfFonts fallback) {
			this.fallback = fallback;
			this.regular = new Font(sans, 10);
			this.bold = new Font(sansBold, 10);
			this.italic = new Font(sansItalic, 10);
			this.boldItalic = new Font(sansBoldItalic, 10);
			this.mono = new Font(mono, 9);
			this.title = new Font(sansBold, 18);
			this.heading = new Font(sansBold, 13);
			this.small = new Font(sans, 8.5f, Font.NORMAL, SYSTEM);
		}

		static Fonts load(PdfFonts fallback) throws IOException {
			return new Fonts(font("LiberationSans-Regular"), font("LiberationSans-Bold"), font("LiberationSans-Italic"),
					font("LiberationSans-BoldItalic"), font("LiberationMono-Regular"), fallback);
		}

		Paragraph paragraph(String text, Font font) {
			Paragraph paragraph = new Paragraph("", font);
			append(paragraph, text, font);
			return paragraph;
		}

		Phrase phrase(String text, Font font) {
			Phrase phrase = new Phrase("", font);
			append(phrase, text, font);
			return phrase;
		}

		/**
		 * Adds the text in runs, each in a font that has its characters: the given one where it can, else the first
		 * fallback font that has the character. Spaces, punctuation and marks stay in the run they are in. Control
		 * characters are drawn as the other documents show them ({@link SafeText#document}). A character no font has
		 * is written as {@code [U+XXXX]} and noted for the export's warning.
		 */
		void append(Phrase into, String shown, Font font) {
			if (shown == null || shown.isEmpty()) {
				return;
			}
			String text = SafeText.document(shown);
			BaseFont primary = font.getBaseFont();
			BaseFont current = primary;
			StringBuilder run = new StringBuilder();
			for (int i = 0; i < text.length();) {
				int cp = text.codePointAt(i);
				i += Character.charCount(cp);
				if (cp >= 0x20 && cp < 0x80 && current == primary) {
					run.append((char) cp);
					continue;
				}
				BaseFont wanted;
				if (cp < 0x20 || ignorable(cp)) {
					if (cp >= 0x20 && !current.charExists(cp)) {
						continue; // invisible either way: a joiner or a variation selector the font lacks
					}
					wanted = current;
				}
				else if (common(cp) && current.charExists(cp)) {
					wanted = current;
				}
				else if (cp < 0x80 || primary.charExists(cp)) {
					wanted = primary;
				}
				else {
					wanted = this.fallback.fontFor(cp);
					if (wanted == null) {
						flush(into, run, current, font);
						into.add(new Chunk("[" + codePoint(cp) + "]", font));
						continue;
					}
				}
				if (wanted != current) {
					flush(into, run, current, font);
					current = wanted;
				}
				run.appendCodePoint(cp);
			}
			flush(into, run, current, font);
		}

		private static void flush(Phrase into, StringBuilder run, BaseFont base, Font font) {
			if (run.isEmpty()) {
				return;
			}
			if (base == font.getBaseFont()) {
				into.add(new Chunk(run.toString(), font));
			}
			else {
				// the fallback fonts are regular: bold and italic are drawn by OpenPDF (stroked, slanted)
				String name = font.getBaseFont().getPostscriptFontName();
				int style = (name.contains("Bold") ? Font.BOLD : 0) | (name.contains("Italic") ? Font.ITALIC : 0);
				into.add(new Chunk(run.toString(), new Font(base, font.getSize(), style, font.getColor())));
			}
			run.setLength(0);
		}

		/** Spaces, punctuation, digits and combining marks: whatever run they are in may draw them. */
		private static boolean common(int cp) {
			Character.UnicodeScript script = Character.UnicodeScript.of(cp);
			return script == Character.UnicodeScript.COMMON || script == Character.UnicodeScript.INHERITED;
		}

		/** Joiners, direction marks and variation selectors: nothing to draw of their own. */
		private static boolean ignorable(int cp) {
			return Character.getType(cp) == Character.FORMAT || (cp >= 0xFE00 && cp <= 0xFE0F)
					|| (cp >= 0xE0100 && cp <= 0xE01EF);
		}

		static String codePoint(int cp) {
			return String.format(Locale.ROOT, "U+%04X", cp);
		}

		private static BaseFont font(String name) throws IOException {
			String resource = "liberation/" + name + ".ttf";
			try (InputStream in = PdfExporter.class.getClassLoader().getResourceAsStream(resource)) {
				if (in == null) {
					throw new IOException("font " + resource + " is missing from the classpath");
				}
				byte[] bytes = in.readAllBytes();
				return PdfFonts.unshaped(() -> BaseFont.createFont(name + ".ttf", BaseFont.IDENTITY_H,
						BaseFont.EMBEDDED, true, bytes, null));
			}
			catch (IOException ex) {
				throw ex;
			}
			catch (Exception ex) {
				throw new IOException("font " + resource + " cannot be read: " + ex.getMessage(), ex);
			}
		}

		Font colored(Font font, Color color) {
			Font copy = new Font(font);
			copy.setColor(color);
			return copy;
		}

		Font heading(int level) {
			return new Font(this.bold.getBaseFont(), Math.max(10, 15 - level));
		}

	}

	/** "page N" at the foot of every page. */
	private static final class PageNumbers extends PdfPageEventHelper {

		private final Font font;

		PageNumbers(Font font) {
			this.font = font;
		}

		@Override
		public void onEndPage(PdfWriter writer, Document document) {
			ColumnText.showTextAligned(writer.getDirectContent(), Element.ALIGN_CENTER,
					new Phrase("page " + writer.getPageNumber(), this.font),
					(document.left() + document.right()) / 2, document.bottom() - 24, 0);
		}

	}

	/** Lays a Markdown answer out as PDF elements. */
	private record MarkdownLayout(Fonts fonts, java.util.function.Consumer<Element> sink) {

		void render(Node document) {
			for (Node block = document.getFirstChild(); block != null; block = block.getNext()) {
				block(block, 12);
			}
		}

		private void block(Node block, float indent) {
			if (block instanceof Heading heading) {
				Paragraph p = inline(heading, this.fonts.heading(heading.getLevel()));
				p.setIndentationLeft(indent);
				p.setSpacingBefore(4);
				this.sink.accept(p);
			}
			else if (block instanceof FencedCodeBlock || block instanceof IndentedCodeBlock) {
				String code = (block instanceof FencedCodeBlock fenced) ? fenced.getContentChars().toString()
						: block.getChars().toString();
				Paragraph p = this.fonts.paragraph(code.stripTrailing(), this.fonts.mono);
				p.setIndentationLeft(indent + 8);
				this.sink.accept(p);
			}
			else if (block instanceof ListBlock list) {
				int number = (list instanceof OrderedList ordered) ? ordered.getStartNumber() : 0;
				for (Node item = list.getFirstChild(); item != null; item = item.getNext()) {
					String marker = (list instanceof BulletList) ? "•  " : (number++) + ".  ";
					if (item instanceof ListItem) {
						boolean first = true;
						for (Node inner = item.getFirstChild(); inner != null; inner = inner.getNext()) {
							if (first && !(inner instanceof ListBlock)) {
								Paragraph p = inline(inner, this.fonts.regular);
								p.add(0, new Chunk(marker, this.fonts.regular));
								p.setIndentationLeft(indent + 10);
								p.setFirstLineIndent(-10);
								this.sink.accept(p);
								first = false;
							}
							else {
								block(inner, indent + 14);
							}
						}
					}
				}
			}
			else if (block instanceof BlockQuote quote) {
				for (Node inner = quote.getFirstChild(); inner != null; inner = inner.getNext()) {
					block(inner, indent + 16);
				}
			}
			else if (block instanceof ThematicBreak) {
				this.sink.accept(new Chunk(new LineSeparator(0.3f, 60, Color.LIGHT_GRAY, Element.ALIGN_LEFT, -2)));
			}
			else {
				Paragraph p = block.hasChildren() ? inline(block, this.fonts.regular)
						: this.fonts.paragraph(block.getChars().toString().strip(), this.fonts.regular);
				p.setIndentationLeft(indent);
				this.sink.accept(p);
			}
		}

		private Paragraph inline(Node parent, Font font) {
			Paragraph p = new Paragraph();
			p.setFont(font);
			p.setSpacingAfter(2);
			inlines(parent, font, p);
			return p;
		}

		private void inlines(Node parent, Font font, Paragraph into) {
			for (Node node = parent.getFirstChild(); node != null; node = node.getNext()) {
				if (node instanceof Text) {
					this.fonts.append(into, node.getChars().toString(), font);
				}
				else if (node instanceof StrongEmphasis) {
					inlines(node, (font == this.fonts.italic) ? this.fonts.boldItalic : this.fonts.bold, into);
				}
				else if (node instanceof Emphasis) {
					inlines(node, (font == this.fonts.bold) ? this.fonts.boldItalic : this.fonts.italic, into);
				}
				else if (node instanceof Code code) {
					this.fonts.append(into, code.getText().toString(), this.fonts.mono);
				}
				else if (node instanceof RefNode ref && !ref.isDefined()) {
					// "[1]" with no link defined for it: its brackets are text, as the other exports show them
					this.fonts.append(into, ref.getChars().toString(), font);
				}
				else if (node instanceof Link link) {
					inlines(link, font, into);
					this.fonts.append(into, " (" + link.getUrl() + ")", this.fonts.small);
				}
				else if (node instanceof SoftLineBreak) {
					into.add(new Chunk(" ", font));
				}
				else if (node instanceof HardLineBreak) {
					into.add(Chunk.NEWLINE);
				}
				else if (node.hasChildren()) {
					inlines(node, font, into);
				}
				else {
					this.fonts.append(into, node.getChars().toString(), font);
				}
			}
		}

	}

	/** The export {@code pdf}. */
	@Component
	@Order(60)
	static final class Format implements ExportKind {

		@Override
		public String name() {
			return "pdf";
		}

		@Override
		public List<String> files() {
			return List.of(FILE);
		}

		@Override
		public Exporter open(ExportTarget target) throws IOException {
			return new PdfExporter(target.folder(), target.facts(), target.factsData(), target.fontFolder());
		}

	}

}
