package dev.dmrbatch.support;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import com.lowagie.text.Document;
import com.lowagie.text.Element;
import com.lowagie.text.Image;
import com.lowagie.text.PageSize;
import com.lowagie.text.Paragraph;
import com.lowagie.text.pdf.ColumnText;
import com.lowagie.text.pdf.PdfWriter;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;

/**
 * PDFs made in the tests with OpenPDF, as the inputs of {@code format: pdf}: pages of text, a page that is only a
 * picture (no text layer, as a scan), an empty page, two columns, an encrypted one, a truncated one.
 */
public final class Pdfs {

	/** A page's content: an image only, no text. */
	public static final String PICTURE = "\u0000picture";

	/** A page's content: nothing at all. */
	public static final String EMPTY = "\u0000empty";

	private Pdfs() {
	}

	/** A PDF of those pages, each a paragraph of text (or {@link #PICTURE}, {@link #EMPTY}), with a title. */
	public static byte[] pages(String title, String... pages) {
		return write(title, (document, writer) -> {
			for (int i = 0; i < pages.length; i++) {
				if (i > 0) {
					document.newPage();
				}
				if (pages[i].equals(PICTURE)) {
					document.add(picture());
				}
				else if (pages[i].equals(EMPTY)) {
					writer.setPageEmpty(false);
				}
				else {
					document.add(new Paragraph(pages[i]));
				}
			}
		});
	}

	/** A one-page PDF of two columns side by side: the left one's lines, then the right one's. */
	public static byte[] twoColumns(List<String> left, List<String> right) {
		return write(null, (document, writer) -> {
			float middle = PageSize.A4.getWidth() / 2;
			for (int c = 0; c < 2; c++) {
				ColumnText column = new ColumnText(writer.getDirectContent());
				float x = (c == 0) ? 36 : middle + 18;
				column.setSimpleColumn(x, 36, x + middle - 54, PageSize.A4.getHeight() - 36);
				for (String line : (c == 0) ? left : right) {
					column.addElement(new Paragraph(line));
				}
				column.go();
			}
		});
	}

	/**
	 * A PDF that opens only with a password (OpenPDF's encryption needs Bouncy Castle, which the project does not have:
	 * PDFBox encrypts what OpenPDF wrote).
	 */
	public static byte[] encrypted(String text) {
		byte[] plain = write(null, (document, writer) -> document.add(new Paragraph(text)));
		try (PDDocument document = Loader.loadPDF(plain)) {
			StandardProtectionPolicy policy = new StandardProtectionPolicy("owner", "secret", new AccessPermission());
			policy.setEncryptionKeyLength(128);
			document.protect(policy);
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			document.save(out);
			return out.toByteArray();
		}
		catch (java.io.IOException ex) {
			throw new IllegalStateException("the test PDF could not be encrypted", ex);
		}
	}

	/** The first half of a PDF, as a download cut short: no cross-reference table, no trailer. */
	public static byte[] truncated(byte[] pdf) {
		return Arrays.copyOf(pdf, pdf.length / 2);
	}

	/** Bytes that are no PDF at all, with the name of one. */
	public static byte[] notAPdf() {
		return "this is not a PDF\n".getBytes(StandardCharsets.UTF_8);
	}

	private static Image picture() {
		BufferedImage image = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
		for (int x = 0; x < 40; x++) {
			image.setRGB(x, x, 0xFF0000);
		}
		try {
			Image picture = Image.getInstance(image, Color.WHITE);
			picture.setAlignment(Element.ALIGN_CENTER);
			return picture;
		}
		catch (java.io.IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@FunctionalInterface
	private interface Content {

		void write(Document document, PdfWriter writer) throws Exception;

	}

	private static byte[] write(String title, Content content) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		Document document = new Document(PageSize.A4);
		try {
			PdfWriter writer = PdfWriter.getInstance(document, out);
			if (title != null) {
				document.addTitle(title);
			}
			document.open();
			content.write(document, writer);
			document.close();
		}
		catch (Exception ex) {
			throw new IllegalStateException("the test PDF could not be written", ex);
		}
		return out.toByteArray();
	}


}
