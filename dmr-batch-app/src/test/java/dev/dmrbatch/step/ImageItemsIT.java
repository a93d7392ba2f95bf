package dev.dmrbatch.step;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.FaultProxy;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Images sent to the real local runner, every body recorded by the proxy: an image item's request carries its image as
 * a data URL after the prompt (a huge one made smaller, a broken one never sent), the stored conversation and the
 * exports keep its reference, never its bytes, and the local runner's text-only model refuses it, which fails that
 * item (not the run) with a sentence naming the model, once, without retries.
 */
@ExtendWith(WorkspaceExtension.class)
class ImageItemsIT {

	private static final JsonMapper JSON = JsonMapper.shared();

	Workspace workspace;

	private static byte[] image(String format, int width, int height) throws Exception {
		BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
		Graphics2D g = image.createGraphics();
		g.setColor(Color.GREEN);
		g.fillRect(0, 0, width, height);
		g.dispose();
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ImageIO.write(image, format, out);
		return out.toByteArray();
	}

	/** The image_url parts of a recorded chat body's last user message. */
	@SuppressWarnings("unchecked")
	private static List<String> imageUrls(String body) {
		Map<String, Object> request = JSON.readValue(body, Map.class);
		List<Map<String, Object>> messages = (List<Map<String, Object>>) request.get("messages");
		Object content = messages.get(messages.size() - 1).get("content");
		List<String> urls = new ArrayList<>();
		for (Map<String, Object> part : (List<Map<String, Object>>) content) {
			if ("image_url".equals(part.get("type"))) {
				urls.add((String) ((Map<String, Object>) part.get("image_url")).get("url"));
			}
		}
		return urls;
	}

	@Test
	@SuppressWarnings("unchecked")
	void aFolderOfImagesIsSentAsDataUrlsKeptByReferenceAndATextModelsRefusalFailsTheItem() throws Exception {
		byte[] small = image("png", 40, 30);
		this.workspace.bytes("input/photos/a.png", small);
		this.workspace.bytes("input/photos/b.jpg", image("jpeg", 3000, 1500));
		this.workspace.bytes("input/photos/c.png", Arrays.copyOf(small, 50));
		this.workspace.file("jobs/photos.yaml", """
				input: { path: input/photos, format: images }
				model: { name: ai/tiny, max_tokens: 3, temperature: 0 }
				steps:
				  - { name: describe, prompt: "Describe ${file} (${width}x${height})." }
				export: [jsonl, html]
				""");
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			Dmr.Result result = this.workspace.dmrAt(proxy.baseUrl(), "job=photos");
			assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
			// the broken image is never sent; the refusal is not sent again
			List<String> bodies = proxy.chatBodies();
			assertThat(bodies).hasSize(2);
			assertThat(bodies.get(0)).contains("{\"text\":\"Describe a.png (40x30).\",\"type\":\"text\"}");
			assertThat(imageUrls(bodies.get(0)))
				.containsExactly("data:image/png;base64," + Base64.getEncoder().encodeToString(small));
			List<String> huge = imageUrls(bodies.get(1));
			assertThat(huge).hasSize(1).allSatisfy((url) -> assertThat(url).startsWith("data:image/jpeg;base64,"));
			BufferedImage sent = ImageIO.read(new ByteArrayInputStream(
					Base64.getDecoder().decode(huge.get(0).substring("data:image/jpeg;base64,".length()))));
			assertThat(sent.getWidth()).isEqualTo(1024);
			assertThat(sent.getHeight()).isEqualTo(512);
			String refusal = "step describe: model 'ai/tiny' at " + proxy.baseUrl() + " cannot read images (it answered "
					+ "500: image input is not supported";
			assertThat(result.all()).contains(refusal).doesNotContain("base64").doesNotContain("at dev.dmrbatch");
		}

		List<Map<String, Object>> lines = this.workspace.read("output/photos/run-1/results.jsonl")
			.lines()
			.map((line) -> (Map<String, Object>) JSON.readValue(line, Map.class))
			.toList();
		assertThat(lines).extracting((line) -> line.get("id")).containsExactly("a.png", "b.jpg", "c.png");
		assertThat(lines).extracting((line) -> line.get("status")).containsOnly("failed");
		assertThat((String) lines.get(0).get("error")).startsWith("step describe: model 'ai/tiny' at ")
			.contains("cannot read images");
		assertThat(lines.get(2).get("error")).isEqualTo("step describe: c.png is not a readable PNG image");
		Map<String, Object> user = ((List<Map<String, Object>>) lines.get(0).get("messages")).get(0);
		assertThat(user).containsEntry("role", "user").containsEntry("content", "Describe a.png (40x30).");
		String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(small));
		assertThat((List<Map<String, Object>>) user.get("images")).containsExactly(Map.of("file", "a.png", "bytes",
				small.length, "sha256", sha256, "width", 40, "height", 30));
		Map<String, Object> resized = ((List<Map<String, Object>>) ((List<Map<String, Object>>) lines.get(1)
			.get("messages")).get(0).get("images")).get(0);
		assertThat(resized).containsEntry("width", 3000).containsEntry("height", 1500).containsEntry("sent", "1024x512");
		String jsonl = this.workspace.read("output/photos/run-1/results.jsonl");
		assertThat(jsonl).doesNotContain("base64");
		assertThat(this.workspace.read("output/photos/run-1/report.html")).contains("image a.png · " + small.length
				+ " bytes · 40×30 · sha256 " + sha256);

		// the store holds the reference, never the bytes
		try (Connection store = this.workspace.store();
				ResultSet rows = store.createStatement()
					.executeQuery("select content, json_value from dmr_message where role = 'user' order by item_seq")) {
			assertThat(rows.next()).isTrue();
			assertThat(rows.getString("content")).isEqualTo("Describe a.png (40x30).");
			assertThat(rows.getString("json_value")).contains(sha256).doesNotContain("base64");
		}
	}

	@Test
	void aFileInputsFieldNamesImagesBesideItAndNeverOutOfItsFolder() throws Exception {
		byte[] photo = image("png", 8, 8);
		this.workspace.bytes("input/shop/photos/p1.png", photo);
		this.workspace.bytes("input/elsewhere.png", photo);
		this.workspace.file("input/shop/items.jsonl", """
				{"id": "p1", "name": "mug", "photo": "photos/p1.png"}
				{"id": "p2", "name": "cup", "photo": "../elsewhere.png"}
				""");
		this.workspace.file("jobs/shop.yaml", """
				input: { path: input/shop/items.jsonl, id: id }
				model: { name: ai/tiny, max_tokens: 3, temperature: 0 }
				steps:
				  - { name: describe, prompt: "Describe the ${name}.", images: [photo], max-image-side: 4 }
				export: [jsonl]
				""");
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			Dmr.Result result = this.workspace.dmrAt(proxy.baseUrl(), "job=shop");
			assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
			List<String> bodies = proxy.chatBodies();
			assertThat(bodies).hasSize(1);
			List<String> urls = imageUrls(bodies.get(0));
			assertThat(urls).hasSize(1);
			BufferedImage sent = ImageIO.read(new ByteArrayInputStream(
					Base64.getDecoder().decode(urls.get(0).substring("data:image/png;base64,".length()))));
			assertThat(sent.getWidth()).isEqualTo(4);
		}
		String jsonl = this.workspace.read("output/shop/run-1/results.jsonl");
		assertThat(jsonl).contains("input/shop/items.jsonl record 2: field 'photo' names a file outside the input "
				+ "file's folder (not read)")
			.doesNotContain("elsewhere");
		// a dry run's body is the one sent: the image in it, made as small as the run makes it; nothing sent
		this.workspace.file("input/shop/one.jsonl", "{\"id\": \"p1\", \"name\": \"mug\", \"photo\": \"photos/p1.png\"}\n");
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			Dmr.Result dry = this.workspace.dmrAt(proxy.baseUrl(), "job=shop", "input=input/shop/one.jsonl", "run=dry",
					"dry-run");
			assertThat(dry.exitCode()).as(dry.toString()).isZero();
			assertThat(proxy.chatBodies()).isEmpty();
		}
		List<String> previewed = java.nio.file.Files.readAllLines(this.workspace.path("output/shop/dry/prompts.jsonl"));
		assertThat(previewed).hasSize(1);
		tools.jackson.databind.JsonNode line = JSON.readTree(previewed.get(0)).path("body");
		String body = line.isString() ? line.asString() : line.toString();
		List<String> previewedUrls = imageUrls(body);
		assertThat(previewedUrls).hasSize(1);
		BufferedImage previewedImage = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder()
			.decode(previewedUrls.get(0).substring("data:image/png;base64,".length()))));
		assertThat(previewedImage.getWidth()).isEqualTo(4);
	}

	/**
	 * A real round trip: the local runner's {@code ai/tiny-vision} (the tiny model with a tiny generated projector)
	 * answers an image item, and the image's tokens are in its prompt's count.
	 */
	@Test
	@SuppressWarnings("unchecked")
	void aVisionModelAnswersAnImageItemAndItsPromptGrowsWithTheImage() throws Exception {
		this.workspace.bytes("input/photos/a.png", image("png", 40, 30));
		this.workspace.file("input/texts.jsonl", "{\"file\": \"a.png\", \"width\": 40, \"height\": 30}\n");
		String steps = """
				model: { name: ai/tiny-vision, max_tokens: 3, temperature: 0 }
				steps:
				  - { name: describe, prompt: "Describe ${file} (${width}x${height})." }
				export: [jsonl]
				""";
		this.workspace.file("jobs/seen.yaml", "input: { path: input/photos, format: images }\n" + steps);
		this.workspace.file("jobs/told.yaml", "input: { path: input/texts.jsonl }\n" + steps);
		Dmr.Result seen = this.workspace.dmr("job=seen");
		assertThat(seen.exitCode()).as(seen.toString()).isZero();
		Dmr.Result told = this.workspace.dmr("job=told");
		assertThat(told.exitCode()).as(told.toString()).isZero();
		Map<String, Object> withImage = JSON.readValue(results("seen"), Map.class);
		Map<String, Object> withoutImage = JSON.readValue(results("told"), Map.class);
		assertThat(withImage).containsEntry("status", "ok");
		long imagePrompt = ((Number) ((Map<String, Object>) withImage.get("usage")).get("prompt_tokens")).longValue();
		long textPrompt = ((Number) ((Map<String, Object>) withoutImage.get("usage")).get("prompt_tokens")).longValue();
		assertThat(imagePrompt).isGreaterThan(textPrompt);
	}

	/**
	 * A scanned page (an image, no text layer) of a PDF read per page, with a step that asks for images: rendered and
	 * sent as an image to the real {@code ai/tiny-vision}, made smaller to {@code max-image-side}; the page with text
	 * sends its text only; the stored reference names the file and the page.
	 */
	@Test
	@SuppressWarnings("unchecked")
	void aScannedPdfPageIsRenderedAndSentAsAnImage() throws Exception {
		this.workspace.bytes("input/scans/mixed.pdf",
				dev.dmrbatch.support.Pdfs.pages("Mixed", "Invoice 42, total 17 EUR", dev.dmrbatch.support.Pdfs.PICTURE));
		this.workspace.file("jobs/scans.yaml", """
				input: { path: input/scans, format: pdf, options: { per: page } }
				model: { name: ai/tiny-vision, max_tokens: 3, temperature: 0 }
				steps:
				  - { name: read, prompt: "Read page ${page} of ${file}: ${text}", images: [page], max-image-side: 512 }
				export: [jsonl]
				""");
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			Dmr.Result result = this.workspace.dmrAt(proxy.baseUrl(), "job=scans");
			assertThat(result.exitCode()).as(result.toString()).isZero();
			List<String> bodies = proxy.chatBodies();
			assertThat(bodies).hasSize(2);
			assertThat(bodies.get(0)).contains("Invoice 42, total 17 EUR").doesNotContain("image_url");
			List<String> urls = imageUrls(bodies.get(1));
			assertThat(urls).hasSize(1).allSatisfy((url) -> assertThat(url).startsWith("data:image/png;base64,"));
			BufferedImage sent = ImageIO.read(new ByteArrayInputStream(
					Base64.getDecoder().decode(urls.get(0).substring("data:image/png;base64,".length()))));
			// an A4 page at 150 dpi is 1240 x 1754: made smaller, its aspect kept
			assertThat(sent.getHeight()).isEqualTo(512);
			assertThat(sent.getWidth()).isBetween(360, 364);
		}
		List<Map<String, Object>> lines = this.workspace.read("output/scans/run-1/results.jsonl")
			.lines()
			.map((line) -> (Map<String, Object>) JSON.readValue(line, Map.class))
			.toList();
		assertThat(lines).extracting((line) -> line.get("id")).containsExactly("mixed.pdf#1", "mixed.pdf#2");
		assertThat(lines).extracting((line) -> line.get("status")).containsOnly("ok");
		assertThat(((List<Map<String, Object>>) lines.get(0).get("messages")).get(0)).doesNotContainKey("images");
		Map<String, Object> reference = ((List<Map<String, Object>>) ((List<Map<String, Object>>) lines.get(1)
			.get("messages")).get(0).get("images")).get(0);
		assertThat(reference).containsEntry("file", "mixed.pdf").containsEntry("page", 2)
			.containsEntry("width", 1240).containsEntry("height", 1754).containsKey("sha256");
		assertThat(this.workspace.read("output/scans/run-1/results.jsonl")).doesNotContain("base64");
	}

	/**
	 * Read a document at a time, a PDF's pages without a text layer are rendered and sent as images with the text of
	 * the others, in one request; a scan of one page is answered, not failed; the dry run shows the same images.
	 */
	@Test
	@SuppressWarnings("unchecked")
	void aScannedPageOfADocumentReadWholeIsRenderedAndSentWithItsText() throws Exception {
		this.workspace.bytes("input/invoices/a-mixed.pdf",
				dev.dmrbatch.support.Pdfs.pages("Mixed", "Invoice 42, total 17 EUR", dev.dmrbatch.support.Pdfs.PICTURE));
		this.workspace.bytes("input/invoices/b-scan.pdf",
				dev.dmrbatch.support.Pdfs.pages(null, dev.dmrbatch.support.Pdfs.PICTURE));
		this.workspace.file("jobs/invoices.yaml", """
				input: { path: input/invoices, format: pdf }
				model: { name: ai/tiny-vision, max_tokens: 3, temperature: 0 }
				steps:
				  - { name: read, prompt: "Read ${file} [${text}]", images: [page], max-image-side: 512 }
				export: [jsonl]
				""");
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			Dmr.Result result = this.workspace.dmrAt(proxy.baseUrl(), "job=invoices");
			assertThat(result.exitCode()).as(result.toString()).isZero();
			List<String> bodies = proxy.chatBodies();
			assertThat(bodies).hasSize(2);
			String mixed = bodies.stream().filter((body) -> body.contains("a-mixed.pdf")).findFirst().orElseThrow();
			assertThat(mixed).contains("Invoice 42, total 17 EUR");
			assertThat(imageUrls(mixed)).hasSize(1)
				.allSatisfy((url) -> assertThat(url).startsWith("data:image/png;base64,"));
			String scan = bodies.stream().filter((body) -> body.contains("b-scan.pdf")).findFirst().orElseThrow();
			assertThat(scan).contains("Read b-scan.pdf []");
			assertThat(imageUrls(scan)).hasSize(1);
		}
		List<Map<String, Object>> lines = this.workspace.read("output/invoices/run-1/results.jsonl")
			.lines()
			.map((line) -> (Map<String, Object>) JSON.readValue(line, Map.class))
			.toList();
		assertThat(lines).extracting((line) -> line.get("id")).containsExactly("a-mixed.pdf", "b-scan.pdf");
		assertThat(lines).extracting((line) -> line.get("status")).containsOnly("ok");
		Map<String, Object> reference = ((List<Map<String, Object>>) ((List<Map<String, Object>>) lines.get(0)
			.get("messages")).get(0).get("images")).get(0);
		assertThat(reference).containsEntry("file", "a-mixed.pdf").containsEntry("page", 2)
			.containsEntry("width", 1240).containsEntry("height", 1754).containsKey("sha256");
		// the dry run's bodies carry the same images, nothing sent
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			Dmr.Result dry = this.workspace.dmrAt(proxy.baseUrl(), "job=invoices", "run=dry", "dry-run");
			assertThat(dry.exitCode()).as(dry.toString()).isZero();
			assertThat(proxy.chatBodies()).isEmpty();
		}
		List<String> previewed = java.nio.file.Files.readAllLines(this.workspace.path("output/invoices/dry/prompts.jsonl"));
		assertThat(previewed).hasSize(2);
		for (String preview : previewed) {
			tools.jackson.databind.JsonNode body = JSON.readTree(preview).path("body");
			assertThat(imageUrls(body.isString() ? body.asString() : body.toString())).hasSize(1);
		}
		// a mixed folder reads its PDFs the same way; its text files send their text alone
		this.workspace.bytes("input/mixed/scan.pdf",
				dev.dmrbatch.support.Pdfs.pages(null, dev.dmrbatch.support.Pdfs.PICTURE));
		this.workspace.file("input/mixed/notes.txt", "Paid in full");
		this.workspace.file("jobs/mixed.yaml", """
				input: { path: input/mixed, format: files }
				model: { name: ai/tiny-vision, max_tokens: 3, temperature: 0 }
				steps:
				  - { name: read, prompt: "Read ${file} [${text}]", images: [page], max-image-side: 512 }
				export: [jsonl]
				""");
		try (FaultProxy proxy = new FaultProxy(LocalRunner.baseUrl())) {
			Dmr.Result mixed = this.workspace.dmrAt(proxy.baseUrl(), "job=mixed");
			assertThat(mixed.exitCode()).as(mixed.toString()).isZero();
			List<String> bodies = proxy.chatBodies();
			assertThat(bodies).hasSize(2);
			assertThat(imageUrls(bodies.stream().filter((body) -> body.contains("scan.pdf")).findFirst().orElseThrow()))
				.hasSize(1);
			assertThat(bodies.stream().filter((body) -> body.contains("Paid in full")).findFirst().orElseThrow())
				.doesNotContain("image_url");
		}
	}

	/**
	 * report.html shows a small thumbnail of each image a turn sent, made from its file and embedded as a data URL,
	 * while the file is there and unchanged; the reference alone once it is gone.
	 */
	@Test
	void theReportShowsAThumbnailFromTheFileWhileItIsThere() throws Exception {
		byte[] small = image("png", 40, 30);
		this.workspace.bytes("input/photos/a.png", small);
		this.workspace.bytes("input/photos/b.jpg", image("jpeg", 3000, 1500));
		this.workspace.file("jobs/thumbs.yaml", """
				input: { path: input/photos, format: images }
				model: { name: ai/tiny-vision, max_tokens: 3, temperature: 0 }
				steps:
				  - { name: describe, prompt: "Describe ${file}." }
				export: [html]
				""");
		Dmr.Result result = this.workspace.dmr("job=thumbs");
		assertThat(result.exitCode()).as(result.toString()).isZero();
		String report = this.workspace.read("output/thumbs/run-1/report.html");
		assertThat(report).contains("<img class=\"thumb\" alt=\"a.png\" src=\"data:image/png;base64,"
				+ Base64.getEncoder().encodeToString(small) + "\">");
		java.util.regex.Matcher jpeg = java.util.regex.Pattern
			.compile("<img class=\"thumb\" alt=\"b.jpg\" src=\"data:image/jpeg;base64,([A-Za-z0-9+/=]+)\">")
			.matcher(report);
		assertThat(jpeg.find()).as(report).isTrue();
		BufferedImage thumb = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(jpeg.group(1))));
		assertThat(thumb.getWidth()).isEqualTo(128);
		assertThat(thumb.getHeight()).isEqualTo(64);
		assertThat(report).contains("image a.png · " + small.length + " bytes").doesNotContain("src=\"http");

		// gone: the reference alone
		java.nio.file.Files.delete(this.workspace.path("input/photos/a.png"));
		Dmr.Result export = this.workspace.dmr("job=export", "run=1", "export=html", "output=again");
		assertThat(export.exitCode()).as(export.toString()).isZero();
		String again = this.workspace.read("again/report.html");
		assertThat(again).contains("image a.png · " + small.length + " bytes").doesNotContain("alt=\"a.png\"")
			.contains("alt=\"b.jpg\" src=\"data:image/jpeg;base64,");
	}

	/** The one line of a job's only run's results.jsonl. */
	private String results(String job) throws java.io.IOException {
		try (var runs = java.nio.file.Files.list(this.workspace.path("output/" + job))) {
			return java.nio.file.Files.readString(runs.findFirst().orElseThrow().resolve("results.jsonl")).strip();
		}
	}

}
