package dev.dmrbatch.input;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Image files as an item sends them: their size read from their header, and the image made ready to send, no side
 * longer than the step's {@code max-image-side} (the aspect kept) and checked to decode. PNG, JPEG and GIF are read
 * with the JDK's ImageIO: a PNG larger than that is sent as a smaller PNG, a JPEG as a smaller JPEG, a GIF as its
 * first frame, in PNG. The JDK reads no WebP: its size comes from its RIFF header (the {@code VP8 }, {@code VP8L} or
 * {@code VP8X} chunk) and it is sent as it is, whatever its size. A file larger than {@link #MAX_BYTES} is never read,
 * and one whose header declares more than {@link #MAX_PIXELS} pixels never decoded: each fails naming the file.
 */
public final class ImageFiles {

	/** The largest image file read, in bytes (20 MB): a larger one fails its item unread. */
	public static final long MAX_BYTES = 20L * 1024 * 1024;

	/**
	 * The most pixels an image may declare in its header (200 megapixels): a larger one fails its item before it is
	 * decoded, so a small file that would unpack to gigabytes (a decompression bomb) is never unpacked.
	 */
	public static final long MAX_PIXELS = 200_000_000L;

	/** The file name endings an image has, lower case, with their dot. */
	public static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".webp", ".gif");

	private ImageFiles() {
	}

	/** An image file that cannot be read as its name says. */
	public static final class ImageException extends RuntimeException {

		public ImageException(String message) {
			super(message);
		}

	}

	/**
	 * An image made ready to send, and what the stored conversation keeps of it instead of its bytes.
	 *
	 * @param file its name as the item gives it
	 * @param mediaType the media type of {@code sent}
	 * @param sent the bytes to send
	 * @param size the file's size in bytes
	 * @param sha256 the file's SHA-256, in hex
	 * @param width the image's width in the file, in pixels
	 * @param height its height in the file
	 * @param sentWidth its width as sent: less than {@code width} when it was made smaller
	 * @param sentHeight its height as sent
	 * @param page the page of a PDF it is, rendered ({@link #preparePage}), or {@code null} for an image file
	 */
	public record Prepared(String file, String mediaType, byte[] sent, long size, String sha256, int width,
			int height, int sentWidth, int sentHeight, Integer page) {

		public Prepared(String file, String mediaType, byte[] sent, long size, String sha256, int width, int height,
				int sentWidth, int sentHeight) {
			this(file, mediaType, sent, size, sha256, width, height, sentWidth, sentHeight, null);
		}

		/**
		 * The reference kept in place of the bytes: the file (and the page of a PDF), its size, its SHA-256, its sides
		 * (and as sent).
		 */
		public Map<String, Object> reference() {
			Map<String, Object> reference = new LinkedHashMap<>();
			reference.put("file", this.file);
			if (this.page != null) {
				reference.put("page", this.page);
			}
			reference.put("bytes", this.size);
			reference.put("sha256", this.sha256);
			reference.put("width", this.width);
			reference.put("height", this.height);
			if (this.sentWidth != this.width || this.sentHeight != this.height) {
				reference.put("sent", this.sentWidth + "x" + this.sentHeight);
			}
			return reference;
		}

	}

	/** Whether a file's name is that of an image dmr-batch reads. */
	public static boolean isImage(Path file) {
		String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
		return EXTENSIONS.stream().anyMatch(name::endsWith);
	}

	/**
	 * An image's width and height, from its header alone.
	 * @param name the file as messages name it
	 * @throws ImageException when it is not an image of the type its name says
	 */
	static int[] size(Path file, String name) throws IOException {
		Type type = Type.of(name);
		checkBytes(file, name);
		if (type == Type.WEBP) {
			byte[] head = new byte[30];
			int read;
			try (var in = Files.newInputStream(file)) {
				read = in.readNBytes(head, 0, head.length);
			}
			return checkPixels(webpSize(java.util.Arrays.copyOf(head, read), name), name);
		}
		try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
			ImageReader reader = type.reader(in, name);
			int[] size;
			try {
				size = new int[] { reader.getWidth(0), reader.getHeight(0) };
			}
			catch (IOException | RuntimeException ex) {
				throw type.unreadable(name);
			}
			finally {
				reader.dispose();
			}
			return checkPixels(size, name);
		}
	}

	/** Refuses a file larger than {@link #MAX_BYTES}, before anything of it is read. */
	private static void checkBytes(Path file, String name) throws IOException {
		if (Files.size(file) > MAX_BYTES) {
			throw new ImageException(name + " is larger than the " + (MAX_BYTES / (1024 * 1024))
					+ " MB an image may be (not read)");
		}
	}

	/** Refuses sides, as a header declares them, of more than {@link #MAX_PIXELS} pixels. */
	private static int[] checkPixels(int[] size, String name) {
		if ((long) size[0] * size[1] > MAX_PIXELS) {
			throw new ImageException(name + " is " + size[0] + "x" + size[1] + " pixels, more than the "
					+ (MAX_PIXELS / 1_000_000) + " megapixels an image may have (not decoded)");
		}
		return size;
	}

	/**
	 * The image made ready to send: decoded (so a broken one fails here, naming it), made smaller when a side is
	 * longer than {@code maxSide}, the aspect kept.
	 * @param name the file as messages name it
	 * @throws ImageException when it is not an image of the type its name says
	 */
	public static Prepared prepare(Path file, String name, int maxSide) throws IOException {
		Type type = Type.of(name);
		checkBytes(file, name);
		byte[] bytes = Files.readAllBytes(file);
		String sha256 = sha256(bytes);
		if (type == Type.WEBP) {
			int[] size = checkPixels(webpSize(bytes, name), name);
			return new Prepared(name, type.mediaType, bytes, bytes.length, sha256, size[0], size[1], size[0], size[1]);
		}
		try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
			ImageReader reader = type.reader(in, name);
			try {
				int width = reader.getWidth(0);
				int height = reader.getHeight(0);
				checkPixels(new int[] { width, height }, name); // before anything is decoded
				int longest = Math.max(width, height);
				ImageReadParam param = reader.getDefaultReadParam();
				// a huge image is read every n-th pixel, to no less than twice the size it is sent at
				int step = Math.max(1, longest / (2 * maxSide));
				param.setSourceSubsampling(step, step, 0, 0);
				BufferedImage image = reader.read(0, param);
				if (longest <= maxSide && type != Type.GIF) {
					// it decodes and it is small enough: sent as it is
					return new Prepared(name, type.mediaType, bytes, bytes.length, sha256, width, height, width, height);
				}
				double scale = Math.min(1.0, (double) maxSide / longest);
				int sentWidth = Math.max(1, (int) Math.round(width * scale));
				int sentHeight = Math.max(1, (int) Math.round(height * scale));
				Type sentAs = (type == Type.GIF) ? Type.PNG : type;
				byte[] sent = encode(resize(image, sentWidth, sentHeight, sentAs == Type.JPEG), sentAs);
				return new Prepared(name, sentAs.mediaType, sent, bytes.length, sha256, width, height, sentWidth,
						sentHeight);
			}
			catch (IOException | RuntimeException ex) {
				throw (ex instanceof ImageException known) ? known : type.unreadable(name);
			}
			finally {
				reader.dispose();
			}
		}
	}

	/** The resolution a PDF's page is rendered at, in dots per inch. */
	public static final int PAGE_DPI = 150;

	/**
	 * A PDF's page made ready to send as an image, as a scan is: rendered (PDFBox) at {@link #PAGE_DPI} dpi, made
	 * smaller when a side is longer than {@code maxSide}, in PNG. Its width and height are the page's at that
	 * resolution; a page that would be larger than twice the sent size is rendered at less, so no page takes more
	 * memory than that. Its size and SHA-256 are the PDF file's.
	 * @param name the file as messages name it
	 * @param page the page, from 1
	 * @throws ImageException naming the file and the page, when the page cannot be rendered
	 */
	public static Prepared preparePage(Path file, String name, int page, int maxSide) throws IOException {
		return preparePages(file, name, List.of(page), maxSide).get(0);
	}

	/**
	 * Pages of a PDF made ready to send as images, in the order given, each as {@link #preparePage} makes one: the
	 * document opened once, one page rendered at a time, its pixels let go once it is encoded.
	 * @param name the file as messages name it
	 * @param pages the pages, from 1
	 * @throws ImageException naming the file and the page, when a page cannot be rendered
	 */
	public static List<Prepared> preparePages(Path file, String name, List<Integer> pages, int maxSide)
			throws IOException {
		String opened = name + " page " + (pages.isEmpty() ? "" : pages.get(0));
		org.apache.pdfbox.io.RandomAccessReadBufferedFile source = new org.apache.pdfbox.io.RandomAccessReadBufferedFile(
				file.toFile());
		org.apache.pdfbox.pdmodel.PDDocument document;
		try {
			document = org.apache.pdfbox.Loader.loadPDF(source);
		}
		catch (IOException | RuntimeException ex) {
			source.close();
			throw new ImageException(opened + " cannot be rendered (the PDF does not open)");
		}
		try (document) {
			long bytes = Files.size(file);
			String sha256 = sha256(file);
			org.apache.pdfbox.rendering.PDFRenderer renderer = new org.apache.pdfbox.rendering.PDFRenderer(document);
			// a page's images are read no larger than the page is drawn: a huge scan is not decoded whole
			renderer.setSubsamplingAllowed(true);
			List<Prepared> prepared = new java.util.ArrayList<>(pages.size());
			for (int page : pages) {
				prepared.add(renderPage(document, renderer, name, page, maxSide, bytes, sha256));
			}
			return prepared;
		}
	}

	private static Prepared renderPage(org.apache.pdfbox.pdmodel.PDDocument document,
			org.apache.pdfbox.rendering.PDFRenderer renderer, String name, int page, int maxSide, long bytes,
			String sha256) throws IOException {
		String what = name + " page " + page;
		if (page < 1 || page > document.getNumberOfPages()) {
			throw new ImageException(what + " cannot be rendered (the PDF has " + document.getNumberOfPages()
					+ " pages)");
		}
		org.apache.pdfbox.pdmodel.PDPage pdPage = document.getPage(page - 1);
		org.apache.pdfbox.pdmodel.common.PDRectangle box = pdPage.getCropBox();
		boolean turned = pdPage.getRotation() % 180 != 0;
		double points = Math.max(1, turned ? box.getHeight() : box.getWidth());
		double pointsHigh = Math.max(1, turned ? box.getWidth() : box.getHeight());
		int width = Math.max(1, (int) Math.round(points / 72 * PAGE_DPI));
		int height = Math.max(1, (int) Math.round(pointsHigh / 72 * PAGE_DPI));
		checkPixels(new int[] { width, height }, what);
		long drawn = largestImage(pdPage.getResources(), 0);
		if (drawn > MAX_PIXELS) {
			throw new ImageException(what + " holds an image of " + (drawn / 1_000_000) + " megapixels, more than the "
					+ (MAX_PIXELS / 1_000_000) + " an image may have (not rendered)");
		}
		int longest = Math.max(width, height);
		double scale = Math.min(1.0, (double) maxSide / longest);
		int sentWidth = Math.max(1, (int) Math.round(width * scale));
		int sentHeight = Math.max(1, (int) Math.round(height * scale));
		// rendered at no more than twice the sent size, however large the page
		float dpi = (float) Math.min(PAGE_DPI, PAGE_DPI * Math.min(1.0, 2.0 * maxSide / longest));
		BufferedImage image;
		try {
			image = renderer.renderImageWithDPI(page - 1, dpi, org.apache.pdfbox.rendering.ImageType.RGB);
		}
		catch (IOException | RuntimeException ex) {
			throw new ImageException(what + " cannot be rendered (damaged)");
		}
		if (image.getWidth() != sentWidth || image.getHeight() != sentHeight) {
			image = resize(image, sentWidth, sentHeight, true);
		}
		return new Prepared(name, Type.PNG.mediaType, encode(image, Type.PNG), bytes, sha256, width, height,
				sentWidth, sentHeight, page);
	}

	/**
	 * The most pixels an image the page draws declares (its dictionary's sides, nothing decoded), the forms it draws
	 * looked into a few levels deep; 0 when it draws none.
	 */
	private static long largestImage(org.apache.pdfbox.pdmodel.PDResources resources, int depth) throws IOException {
		if (resources == null || depth > 4) {
			return 0;
		}
		long largest = 0;
		for (org.apache.pdfbox.cos.COSName name : resources.getXObjectNames()) {
			org.apache.pdfbox.pdmodel.graphics.PDXObject object;
			try {
				object = resources.getXObject(name);
			}
			catch (IOException | RuntimeException ex) {
				continue; // a damaged object: the renderer says so, or skips it
			}
			if (object instanceof org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject image) {
				largest = Math.max(largest, (long) image.getWidth() * image.getHeight());
			}
			else if (object instanceof org.apache.pdfbox.pdmodel.graphics.form.PDFormXObject form) {
				largest = Math.max(largest, largestImage(form.getResources(), depth + 1));
			}
		}
		return largest;
	}

	/** The longest side of a report's thumbnail of an image, in pixels. */
	public static final int THUMBNAIL_SIDE = 128;

	/** The most bytes a thumbnail may have: a larger one (a WebP, which is never made smaller) is not shown. */
	public static final int THUMBNAIL_MAX_BYTES = 48 * 1024;

	/**
	 * A small picture of an image a turn sent, as a {@code data:} URL, made from its file as {@link #prepare} (or, for a
	 * PDF's page, {@link #preparePage}) makes one ready, no side longer than {@link #THUMBNAIL_SIDE}; or {@code null}
	 * when the file is not there, is no longer the one sent (its SHA-256 differs), does not read, or the picture would
	 * be larger than {@link #THUMBNAIL_MAX_BYTES}.
	 * @param page the page of a PDF, or {@code null} for an image file
	 * @param sha256 the SHA-256 the stored reference gives
	 */
	public static String thumbnail(Path file, String name, Integer page, String sha256) {
		try {
			if (!Files.isRegularFile(file) || (page == null && Files.size(file) > MAX_BYTES)
					|| !sha256(file).equalsIgnoreCase(sha256)) {
				return null;
			}
			Prepared small = (page != null) ? preparePage(file, name, page, THUMBNAIL_SIDE)
					: prepare(file, name, THUMBNAIL_SIDE);
			if (small.sent().length > THUMBNAIL_MAX_BYTES) {
				return null;
			}
			return "data:" + small.mediaType() + ";base64," + java.util.Base64.getEncoder().encodeToString(small.sent());
		}
		catch (IOException | ImageException ex) {
			return null; // the reference alone
		}
	}

	/** A file's SHA-256, in hex, read a block at a time. */
	/**
	 * The SHA-256 of the files hashed lately, by path, file key, size and modification time: the pages of a PDF sent
	 * (or thumbnailed) one at a time hash it once, not once a page; a file changed since is hashed again.
	 */
	private static final Map<String, String> HASHED = java.util.Collections
		.synchronizedMap(new java.util.LinkedHashMap<>(16, 0.75f, true) {

			@Override
			protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
				return size() > 32;
			}

		});

	private static String sha256(Path file) throws IOException {
		java.nio.file.attribute.BasicFileAttributes seen = Files.readAttributes(file,
				java.nio.file.attribute.BasicFileAttributes.class);
		String key = file.toAbsolutePath().normalize() + "\u0000" + seen.fileKey() + "\u0000" + seen.size() + "\u0000"
				+ seen.lastModifiedTime();
		String known = HASHED.get(key);
		if (known != null) {
			return known;
		}
		try (var in = Files.newInputStream(file)) {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			byte[] block = new byte[64 * 1024];
			for (int read = in.read(block); read >= 0; read = in.read(block)) {
				digest.update(block, 0, read);
			}
			String hash = HexFormat.of().formatHex(digest.digest());
			HASHED.put(key, hash);
			return hash;
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static BufferedImage resize(BufferedImage image, int width, int height, boolean opaque) {
		boolean alpha = !opaque && image.getColorModel().hasAlpha();
		BufferedImage resized = new BufferedImage(width, height,
				alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
		Graphics2D g = resized.createGraphics();
		try {
			g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
			g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
			g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
			if (!alpha) {
				g.setColor(java.awt.Color.WHITE);
				g.fillRect(0, 0, width, height);
			}
			g.drawImage(image, 0, 0, width, height, null);
		}
		finally {
			g.dispose();
		}
		return resized;
	}

	private static byte[] encode(BufferedImage image, Type type) throws IOException {
		ImageWriter writer = ImageIO.getImageWritersByFormatName(type.format).next();
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
			writer.setOutput(stream);
			ImageWriteParam param = writer.getDefaultWriteParam();
			if (type == Type.JPEG) {
				param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
				param.setCompressionQuality(0.9f);
			}
			writer.write(null, new IIOImage(image, null, null), param);
		}
		finally {
			writer.dispose();
		}
		return out.toByteArray();
	}

	/**
	 * A WebP's width and height from its RIFF header: {@code RIFF}, its length, {@code WEBP}, then the first chunk, a
	 * lossy {@code VP8 } frame (the sides after the key frame's start code, 14 bits each), a lossless {@code VP8L}
	 * one (after its signature byte, 14 bits each, less one) or an extended {@code VP8X} header (the canvas, 24 bits
	 * each, less one).
	 */
	static int[] webpSize(byte[] head, String name) {
		ImageException broken = Type.WEBP.unreadable(name);
		if (head.length < 30 || !ascii(head, 0, "RIFF") || !ascii(head, 8, "WEBP")) {
			throw broken;
		}
		if (ascii(head, 12, "VP8 ")) {
			if ((head[23] & 0xff) != 0x9d || (head[24] & 0xff) != 0x01 || (head[25] & 0xff) != 0x2a) {
				throw broken;
			}
			return new int[] { le16(head, 26) & 0x3fff, le16(head, 28) & 0x3fff };
		}
		if (ascii(head, 12, "VP8L")) {
			if ((head[20] & 0xff) != 0x2f) {
				throw broken;
			}
			int bits = le16(head, 21) | (le16(head, 23) << 16);
			return new int[] { (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1 };
		}
		if (ascii(head, 12, "VP8X")) {
			return new int[] { le24(head, 24) + 1, le24(head, 27) + 1 };
		}
		throw broken;
	}

	private static boolean ascii(byte[] bytes, int at, String text) {
		for (int i = 0; i < text.length(); i++) {
			if (bytes[at + i] != text.charAt(i)) {
				return false;
			}
		}
		return true;
	}

	private static int le16(byte[] bytes, int at) {
		return (bytes[at] & 0xff) | ((bytes[at + 1] & 0xff) << 8);
	}

	private static int le24(byte[] bytes, int at) {
		return le16(bytes, at) | ((bytes[at + 2] & 0xff) << 16);
	}

	private static String sha256(byte[] bytes) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** The image types, by the file name's ending. */
	private enum Type {

		PNG("png", "image/png", "PNG"), JPEG("jpeg", "image/jpeg", "JPEG"), GIF("gif", "image/gif", "GIF"),
		WEBP(null, "image/webp", "WebP");

		private final String format;

		private final String mediaType;

		private final String label;

		Type(String format, String mediaType, String label) {
			this.format = format;
			this.mediaType = mediaType;
			this.label = label;
		}

		static Type of(String name) {
			String lower = name.toLowerCase(Locale.ROOT);
			if (lower.endsWith(".png")) {
				return PNG;
			}
			if (lower.endsWith(".jpg") || lower.endsWith(".jpeg")) {
				return JPEG;
			}
			if (lower.endsWith(".gif")) {
				return GIF;
			}
			if (lower.endsWith(".webp")) {
				return WEBP;
			}
			throw new ImageException(name + " is not an image file (" + String.join(", ", EXTENSIONS) + ")");
		}

		/** The reader of this type, on the image: one that takes the file as this type, else the file is refused. */
		ImageReader reader(ImageInputStream in, String name) {
			if (in == null) {
				throw unreadable(name);
			}
			Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(this.format);
			ImageReader reader = readers.next();
			try {
				if (!reader.getOriginatingProvider().canDecodeInput(in)) {
					reader.dispose();
					throw unreadable(name);
				}
			}
			catch (IOException ex) {
				reader.dispose();
				throw unreadable(name);
			}
			reader.setInput(in, true, true);
			return reader;
		}

		ImageException unreadable(String name) {
			return new ImageException(name + " is not a readable " + this.label + " image");
		}

	}

}
