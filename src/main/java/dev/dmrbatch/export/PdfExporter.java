package dev.dmrbatch.export;

import java.awt.Color;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

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
import com.vladsch.flexmark.ast.SoftLineBreak;
import com.vladsch.flexmark.ast.StrongEmphasis;
import com.vladsch.flexmark.ast.Text;
import com.vladsch.flexmark.ast.ThematicBreak;
import com.vladsch.flexmark.parser.Parser;
import com.vladsch.flexmark.util.ast.Node;
import dev.dmrbatch.conversation.Conversation;
import com.lowagie.text.Chunk;
import com.lowagie.text.Document;
import com.lowagie.text.DocumentException;
import com.lowagie.text.Element;
import com.lowagie.text.Font;
import com.lowagie.text.PageSize;
import com.lowagie.text.Paragraph;
import com.lowagie.text.Phrase;
import com.lowagie.text.pdf.BaseFont;
import com.lowagie.text.pdf.ColumnText;
import com.lowagie.text.pdf.PdfPageEventHelper;
import com.lowagie.text.pdf.PdfWriter;
import com.lowagie.text.pdf.draw.LineSeparator;

/**
 * {@code results.pdf}: a title, the run's facts, then per item its conversation with the roles set apart. Answers
 * are Markdown more often than not, so they are parsed (flexmark) and laid out (headings, emphasis, lists, code)
 * rather than printed with their asterisks. Liberation fonts are embedded, so any Latin, Greek or Cyrillic text
 * comes out as itself. Pages are written as they fill.
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

	PdfExporter(Path folder, ExportRun run, Map<String, Object> facts) throws IOException {
		this.fonts = Fonts.load();
		this.out = Files.newOutputStream(folder.resolve(FILE));
		this.document = new Document(PageSize.A4, 54, 54, 54, 60);
		PdfWriter writer = PdfWriter.getInstance(this.document, this.out);
		writer.setPageEvent(new PageNumbers(this.fonts.small));
		this.document.addTitle(run.name());
		this.document.addCreator("dmr-batch");
		this.document.open();
		add(new Paragraph(run.name(), this.fonts.title));
		Paragraph about = new Paragraph();
		about.setSpacingBefore(6);
		about.setSpacingAfter(12);
		@SuppressWarnings("unchecked")
		Map<String, Object> model = (Map<String, Object>) facts.get("model");
		about.add(new Phrase("input " + facts.get("input") + "\nmodel " + model.getOrDefault("name", "-") + "\nstarted "
				+ facts.get("started") + ", finished " + facts.get("finished") + "\n" + facts.get("items") + " items: "
				+ facts.get("ok") + " ok, " + facts.get("failed") + " failed; tokens " + facts.get("prompt_tokens")
				+ " in, " + facts.get("completion_tokens") + " out", this.fonts.small));
		add(about);
	}

	@Override
	public void write(Conversation c) {
		Paragraph heading = new Paragraph();
		heading.setSpacingBefore(10);
		heading.add(new Chunk(c.itemId(), this.fonts.heading));
		heading.add(new Chunk("   " + c.model() + (c.isOk() ? "" : ", failed"), this.fonts.small));
		add(heading);
		if (c.error() != null) {
			add(new Paragraph(c.error(), this.fonts.colored(this.fonts.regular, FAILED)));
		}
		for (Conversation.Turn turn : c.turns()) {
			Color color = switch (turn.role()) {
				case "system" -> SYSTEM;
				case "user" -> USER;
				default -> ASSISTANT;
			};
			Paragraph label = new Paragraph(turn.role() + ((turn.step() != null) ? " · " + turn.step() : ""),
					this.fonts.colored(this.fonts.bold, color));
			label.setSpacingBefore(4);
			add(label);
			if (turn.role().equals("assistant")) {
				new MarkdownLayout(this.fonts, this::add).render(MARKDOWN.parse(turn.content()));
			}
			else {
				Paragraph text = new Paragraph(turn.content(), this.fonts.regular);
				text.setIndentationLeft(12);
				add(text);
			}
		}
		add(new Chunk(new LineSeparator(0.5f, 100, Color.LIGHT_GRAY, Element.ALIGN_CENTER, -4)));
	}

	private void add(Element element) {
		try {
			this.document.add(element);
		}
		catch (DocumentException ex) {
			throw new UncheckedIOException(new IOException("cannot write " + FILE + ": " + ex.getMessage(), ex));
		}
	}

	@Override
	public void finish() {
		this.document.close();
	}

	@Override
	public void close() throws IOException {
		if (this.document.isOpen()) {
			this.document.close();
		}
		this.out.close();
	}

	/** The embedded fonts. */
	static final class Fonts {

		final Font regular;

		final Font bold;

		final Font italic;

		final Font boldItalic;

		final Font mono;

		final Font title;

		final Font heading;

		final Font small;

		private Fonts(BaseFont sans, BaseFont sansBold, BaseFont sansItalic, BaseFont sansBoldItalic, BaseFont mono) {
			this.regular = new Font(sans, 10);
			this.bold = new Font(sansBold, 10);
			this.italic = new Font(sansItalic, 10);
			this.boldItalic = new Font(sansBoldItalic, 10);
			this.mono = new Font(mono, 9);
			this.title = new Font(sansBold, 18);
			this.heading = new Font(sansBold, 13);
			this.small = new Font(sans, 8.5f, Font.NORMAL, SYSTEM);
		}

		static Fonts load() throws IOException {
			return new Fonts(font("LiberationSans-Regular"), font("LiberationSans-Bold"), font("LiberationSans-Italic"),
					font("LiberationSans-BoldItalic"), font("LiberationMono-Regular"));
		}

		private static BaseFont font(String name) throws IOException {
			String resource = "liberation/" + name + ".ttf";
			try (InputStream in = PdfExporter.class.getClassLoader().getResourceAsStream(resource)) {
				if (in == null) {
					throw new IOException("font " + resource + " is missing from the classpath");
				}
				return BaseFont.createFont(name + ".ttf", BaseFont.IDENTITY_H, BaseFont.EMBEDDED, true,
						in.readAllBytes(), null);
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
				Paragraph p = new Paragraph(code.stripTrailing(), this.fonts.mono);
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
						: new Paragraph(block.getChars().toString().strip(), this.fonts.regular);
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
					into.add(new Chunk(node.getChars().toString(), font));
				}
				else if (node instanceof StrongEmphasis) {
					inlines(node, (font == this.fonts.italic) ? this.fonts.boldItalic : this.fonts.bold, into);
				}
				else if (node instanceof Emphasis) {
					inlines(node, (font == this.fonts.bold) ? this.fonts.boldItalic : this.fonts.italic, into);
				}
				else if (node instanceof Code code) {
					into.add(new Chunk(code.getText().toString(), this.fonts.mono));
				}
				else if (node instanceof Link link) {
					inlines(link, font, into);
					into.add(new Chunk(" (" + link.getUrl() + ")", this.fonts.small));
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
					into.add(new Chunk(node.getChars().toString(), font));
				}
			}
		}

	}

}
