package dev.dmrbatch.input;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import dev.dmrbatch.support.Kinds;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Images as items: a folder of them read in a stable order and restarted where it stopped, their sides from their
 * headers (a WebP's from its RIFF header), made smaller when larger than asked and re-encoded in their own type, a
 * broken one named; and a file input's fields that name images, confined to the input file's folder.
 */
@ExtendWith(WorkspaceExtension.class)
class ImageInputTest {

	Workspace workspace;

	/** A lossless WebP's first 30 bytes: RIFF, its length, WEBP, a VP8L chunk of a 3 × 2 image. */
	static byte[] webpLossless() {
		int bits = (3 - 1) | ((2 - 1) << 14);
		return new byte[] { 'R', 'I', 'F', 'F', 22, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'L', 10, 0, 0, 0, 0x2f,
				(byte) bits, (byte) (bits >>> 8), (byte) (bits >>> 16), (byte) (bits >>> 24), 0, 0, 0, 0, 0 };
	}

	/** A lossy WebP's first 30 bytes: a VP8 key frame of 640 × 480. */
	static byte[] webpLossy() {
		return new byte[] { 'R', 'I', 'F', 'F', 22, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', ' ', 10, 0, 0, 0, 0, 0,
				0, (byte) 0x9d, 0x01, 0x2a, (byte) (640 & 0xff), (byte) (640 >> 8), (byte) (480 & 0xff),
				(byte) (480 >> 8) };
	}

	/** An extended WebP's first 30 bytes: a VP8X header of a 5000 × 300 canvas. */
	static byte[] webpExtended() {
		int w = 5000 - 1;
		int h = 300 - 1;
		return new byte[] { 'R', 'I', 'F', 'F', 22, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'X', 10, 0, 0, 0, 0, 0,
				0, 0, (byte) w, (byte) (w >> 8), (byte) (w >> 16), (byte) h, (byte) (h >> 8), (byte) (h >> 16) };
	}

	static byte[] image(String format, int width, int height) throws Exception {
		BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
		Graphics2D g = image.createGraphics();
		g.setColor(Color.ORANGE);
		g.fillRect(0, 0, width, height);
		g.setColor(Color.BLUE);
		g.fillRect(0, 0, width / 2, height / 2);
		g.dispose();
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		assertThat(ImageIO.write(image, format, out)).isTrue();
		return out.toByteArray();
	}

	private Path put(String relative, byte[] content) {
		this.workspace.bytes(relative, content);
		return this.workspace.root().resolve(relative);
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

	@Test
	void aWebpsSidesComeFromItsHeader() {
		assertThat(ImageFiles.webpSize(webpLossless(), "a.webp")).containsExactly(3, 2);
		assertThat(ImageFiles.webpSize(webpLossy(), "b.webp")).containsExactly(640, 480);
		assertThat(ImageFiles.webpSize(webpExtended(), "c.webp")).containsExactly(5000, 300);
		byte[] broken = webpLossy();
		broken[8] = 'X';
		assertThatThrownBy(() -> ImageFiles.webpSize(broken, "d.webp")).hasMessage("d.webp is not a readable WebP image");
	}

	@Test
	void aFolderOfImagesIsOneItemPerFileInNameOrderAndRestartsWhereItStopped() throws Exception {
		this.workspace.bytes("photos/b.jpg", image("jpeg", 40, 30));
		this.workspace.bytes("photos/a.png", image("png", 20, 10));
		this.workspace.bytes("photos/c/d.gif", image("gif", 8, 6));
		this.workspace.bytes("photos/e.webp", webpLossy());
		this.workspace.bytes("photos/f.jpeg", "not an image at all".getBytes());
		this.workspace.file("photos/notes.txt", "not an image");
		InputSource source = new InputSource(Kinds.inputFormat("images"), this.workspace.root().resolve("photos"), null,
				"photos");
		InputReaders.check(source);
		List<InputItem> items = readAll(InputReaders.reader(source), new ExecutionContext());
		assertThat(items).extracting(InputItem::id).containsExactly("a.png", "b.jpg", "c/d.gif", "e.webp", "f.jpeg");
		assertThat(items.get(0).fields()).containsEntry("file", "a.png").containsEntry("name", "a")
			.containsEntry("width", 20).containsEntry("height", 10);
		assertThat(items.get(0).images()).containsOnlyKeys("file");
		assertThat(items.get(1).fields()).containsEntry("width", 40).containsEntry("height", 30);
		assertThat(items.get(2).fields()).containsEntry("width", 8).containsEntry("height", 6);
		assertThat(items.get(3).fields()).containsEntry("width", 640).containsEntry("height", 480);
		assertThat(items.get(4).error()).isEqualTo("f.jpeg is not a readable JPEG image");
		assertThat(items).extracting(InputItem::seq).containsExactly(1L, 2L, 3L, 4L, 5L);

		ItemStreamReader<InputItem> first = InputReaders.reader(source);
		ExecutionContext context = new ExecutionContext();
		first.open(context);
		first.read();
		first.read();
		first.update(context); // what a chunk commit saves
		first.close();
		List<InputItem> rest = readAll(InputReaders.reader(source), context);
		assertThat(rest).extracting(InputItem::id).containsExactly("c/d.gif", "e.webp", "f.jpeg");
		assertThat(rest).extracting(InputItem::seq).containsExactly(3L, 4L, 5L);
	}

	@Test
	void aSmallImageIsSentAsItIsAndAHugeOneSmallerInItsOwnType() throws Exception {
		byte[] small = image("png", 300, 200);
		Path smallFile = put("small.png", small);
		ImageFiles.Prepared same = ImageFiles.prepare(smallFile, "small.png", 1024);
		assertThat(same.sent()).isEqualTo(small);
		assertThat(same.mediaType()).isEqualTo("image/png");
		assertThat(same.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(small)));
		assertThat(same.reference()).containsExactly(Map.entry("file", "small.png"), Map.entry("bytes", (long) small.length),
				Map.entry("sha256", same.sha256()), Map.entry("width", 300), Map.entry("height", 200));

		Path huge = put("huge.jpg", image("jpeg", 5000, 2500));
		ImageFiles.Prepared smaller = ImageFiles.prepare(huge, "huge.jpg", 1024);
		assertThat(smaller.mediaType()).isEqualTo("image/jpeg");
		BufferedImage sent = ImageIO.read(new ByteArrayInputStream(smaller.sent()));
		assertThat(sent.getWidth()).isEqualTo(1024);
		assertThat(sent.getHeight()).isEqualTo(512);
		assertThat(ImageIO.getImageReaders(ImageIO.createImageInputStream(new ByteArrayInputStream(smaller.sent())))
			.next()
			.getFormatName()).isEqualToIgnoringCase("jpeg");
		assertThat(smaller.reference()).containsEntry("width", 5000).containsEntry("height", 2500)
			.containsEntry("sent", "1024x512")
			.containsEntry("bytes", Files.size(huge));

		Path tall = put("tall.png", image("png", 100, 400));
		ImageFiles.Prepared png = ImageFiles.prepare(tall, "tall.png", 64);
		assertThat(png.mediaType()).isEqualTo("image/png");
		BufferedImage sentPng = ImageIO.read(new ByteArrayInputStream(png.sent()));
		assertThat(sentPng.getWidth()).isEqualTo(16);
		assertThat(sentPng.getHeight()).isEqualTo(64);

		// a GIF goes as its first frame, in PNG
		Path gif = put("anim.gif", image("gif", 30, 20));
		ImageFiles.Prepared frame = ImageFiles.prepare(gif, "anim.gif", 1024);
		assertThat(frame.mediaType()).isEqualTo("image/png");
		assertThat(ImageIO.read(new ByteArrayInputStream(frame.sent())).getWidth()).isEqualTo(30);

		// a WebP is sent as it is, whatever its size
		Path webp = put("wide.webp", webpExtended());
		ImageFiles.Prepared asIs = ImageFiles.prepare(webp, "wide.webp", 1024);
		assertThat(asIs.mediaType()).isEqualTo("image/webp");
		assertThat(asIs.sent()).isEqualTo(webpExtended());
		assertThat(asIs.reference()).containsEntry("width", 5000).doesNotContainKey("sent");
	}

	@Test
	void aBrokenImageIsNamedInOneSentence() throws Exception {
		byte[] png = image("png", 50, 50);
		// the header holds, the pixels are cut off
		Path cut = put("cut.png", java.util.Arrays.copyOf(png, 60));
		assertThatThrownBy(() -> ImageFiles.prepare(cut, "cut.png", 1024)).isInstanceOf(ImageFiles.ImageException.class)
			.hasMessage("cut.png is not a readable PNG image");
		Path wrong = put("jpeg-named.png", image("jpeg", 10, 10));
		assertThatThrownBy(() -> ImageFiles.prepare(wrong, "jpeg-named.png", 1024))
			.hasMessage("jpeg-named.png is not a readable PNG image");
	}

	/**
	 * A PNG of a few hundred bytes whose header says it is {@code side} × {@code side} pixels of grey: a few rows of
	 * zeros, the rest missing; decoded whole it would take {@code side²} bytes.
	 */
	static byte[] pngBomb(int side) throws Exception {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write(new byte[] { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' });
		java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(13).putInt(side).putInt(side);
		header.put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
		chunk(out, "IHDR", header.array());
		ByteArrayOutputStream rows = new ByteArrayOutputStream();
		try (var deflater = new java.util.zip.DeflaterOutputStream(rows)) {
			deflater.write(new byte[(side + 1) * 4]);
		}
		chunk(out, "IDAT", rows.toByteArray());
		chunk(out, "IEND", new byte[0]);
		return out.toByteArray();
	}

	private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws Exception {
		out.write(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
		java.util.zip.CRC32 crc = new java.util.zip.CRC32();
		crc.update(type.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
		crc.update(data);
		out.write(type.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
		out.write(data);
		out.write(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
	}

	@Test
	void aFileLargerThanTheCapIsRefusedUnreadNamingIt() throws Exception {
		Path big = this.workspace.root().resolve("big.jpg");
		try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(big.toFile(), "rw")) {
			file.setLength(20L * 1024 * 1024 + 1); // sparse: nothing written, nothing to read
		}
		String said = "big.jpg is larger than the 20 MB an image may be (not read)";
		assertThatThrownBy(() -> ImageFiles.prepare(big, "big.jpg", 1024)).isInstanceOf(ImageFiles.ImageException.class)
			.hasMessage(said);
		assertThatThrownBy(() -> ImageFiles.size(big, "big.jpg")).hasMessage(said);
		// as an item of an images folder: failed, the others read
		this.workspace.bytes("photos/a.png", image("png", 4, 4));
		Files.move(big, this.workspace.root().resolve("photos/big.jpg"));
		InputSource source = new InputSource(Kinds.inputFormat("images"), this.workspace.root().resolve("photos"), null,
				"photos");
		List<InputItem> items = readAll(InputReaders.reader(source), new ExecutionContext());
		assertThat(items).extracting(InputItem::error).containsExactly(null, said);
	}

	@Test
	void anImageWhoseHeaderDeclaresHugeSidesIsRefusedBeforeItIsDecoded() throws Exception {
		Path bomb = put("bomb.png", pngBomb(60_000));
		assertThat(Files.size(bomb)).isLessThan(10_000);
		String said = "bomb.png is 60000x60000 pixels, more than the 200 megapixels an image may have (not decoded)";
		assertThatThrownBy(() -> ImageFiles.prepare(bomb, "bomb.png", 1024)).isInstanceOf(ImageFiles.ImageException.class)
			.hasMessage(said);
		assertThatThrownBy(() -> ImageFiles.size(bomb, "bomb.png")).hasMessage(said);
		// a WebP's sides from its header too: 16383 × 16383
		byte[] webp = webpExtended();
		webp[24] = (byte) 0xfe;
		webp[25] = 0x3f;
		webp[27] = (byte) 0xfe;
		webp[28] = 0x3f;
		Path wide = put("wide.webp", webp);
		assertThatThrownBy(() -> ImageFiles.prepare(wide, "wide.webp", 1024))
			.hasMessage("wide.webp is 16383x16383 pixels, more than the 200 megapixels an image may have (not decoded)");
		// one within the cap is read as ever
		Path fine = put("fine.png", pngBomb(2_000));
		assertThat(ImageFiles.size(fine, "fine.png")).containsExactly(2000, 2000);
	}

	@Test
	void aFileInputsFieldsNameImagesBesideItAndNeverOutOfItsFolder() throws Exception {
		this.workspace.bytes("in/photos/a.png", image("png", 4, 4));
		this.workspace.bytes("secret.png", image("png", 4, 4));
		this.workspace.file("in/items.csv", "id,photo\n1,photos/a.png\n2,../secret.png\n3,photos/none.png\n4,\n");
		InputSource source = new InputSource(Kinds.inputFormat("csv"), this.workspace.root().resolve("in/items.csv"),
				"id", "in/items.csv", dev.dmrbatch.plugin.api.Options.none(), null, List.of("photo"));
		List<InputItem> items = readAll(InputReaders.reader(source), new ExecutionContext());
		assertThat(items.get(0).error()).isNull();
		assertThat(items.get(0).images()).containsEntry("photo",
				this.workspace.root().resolve("in/photos/a.png").toRealPath());
		assertThat(items.get(0).fields()).containsEntry("photo", "photos/a.png");
		assertThat(items.get(1).error())
			.isEqualTo("in/items.csv record 2: field 'photo' names a file outside the input file's folder (not read)");
		assertThat(items.get(2).error())
			.isEqualTo("in/items.csv record 3: field 'photo' names an image file that does not exist");
		assertThat(items.get(3).error())
			.isEqualTo("in/items.csv record 4: field 'photo' names no image file (a step's images: lists it)");
	}

}
