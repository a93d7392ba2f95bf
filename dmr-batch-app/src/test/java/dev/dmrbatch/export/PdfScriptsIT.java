package dev.dmrbatch.export;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.apache.pdfbox.text.TextPosition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code results.pdf} over prompts in many writing systems, run against the real local runner: each script's text is
 * read back from the PDF ({@code pdftotext}, poppler-utils) as it was written, shaped Devanagari and Thai included,
 * Arabic and Hebrew drawn right to left, and a character no font has is named in the summary and the log instead of
 * vanishing.
 */
@ExtendWith(WorkspaceExtension.class)
class PdfScriptsIT {

	/** One input item per script; the prompt carries the text into the PDF whatever the tiny model answers. */
	static final Map<String, String> SCRIPTS = new LinkedHashMap<>();

	static {
		SCRIPTS.put("latin", "Grüße aus Köln, déjà vu");
		SCRIPTS.put("greek", "Καλημέρα κόσμε");
		SCRIPTS.put("cyrillic", "Здравствуй, мир");
		SCRIPTS.put("hebrew", "שלום עולם");
		SCRIPTS.put("arabic", "مرحبا بالعالم");
		SCRIPTS.put("chinese", "你好，世界");
		SCRIPTS.put("japanese", "こんにちは、日本語のテキスト");
		SCRIPTS.put("korean", "안녕하세요 세계");
		// shaped: a vowel sign drawn before its consonant (दि), conjuncts (ल्ल, क्ष, त्र); Thai marks stacked, SARA AM (ำ)
		// drawn as two glyphs after a tone mark (น้ำ)
		SCRIPTS.put("devanagari", "दिल्ली, क्षत्रिय, भारत की राजधानी");
		SCRIPTS.put("thai", "กรุงเทพมหานคร น้ำใจ สวัสดีชาวโลก");
		SCRIPTS.put("emoji", "😀 🎉");
	}

	Workspace workspace;

	@BeforeEach
	void setUp() {
		this.workspace.file("jobs/scripts.yaml", """
				input: { format: jsonl, path: input/scripts.jsonl, id: id }
				model: { name: ai/tiny, max_tokens: 4 }
				steps:
				  - name: echo
				    prompt: "Repeat: ${text}"
				export: [pdf]
				""");
	}

	private static String jsonl(Map<String, String> items) {
		StringBuilder jsonl = new StringBuilder();
		items.forEach((id, text) -> jsonl.append("{\"id\": \"").append(id).append("\", \"text\": \"").append(text)
			.append("\"}\n"));
		return jsonl.toString();
	}

	@Test
	void everyScriptIsDrawnAndReadBackFromThePdf() throws Exception {
		// given
		this.workspace.file("input/scripts.jsonl", jsonl(SCRIPTS));

		// when
		Dmr.Result result = this.workspace.dmr("job=scripts");

		// then: every script's text is in the PDF's text, none of its characters reported missing (the tiny model's
		// answers are random tokens: they may have some of their own)
		assertThat(result.exitCode()).as(result.toString()).isZero();
		SCRIPTS.values().stream().flatMapToInt(String::codePoints).filter((cp) -> cp > ' ').forEach((cp) ->
				assertThat(result.all()).doesNotContain(String.format("U+%04X", cp)));
		Path pdf = this.workspace.path("output/scripts/run-1/results.pdf");
		// copied out as the text it is, in its logical order: shaped runs carry their text beside their glyphs; Arabic
		// comes back as the presentation forms it is drawn with (initial, medial, final), folded here to its letters
		String raw = pdftotext(pdf);
		String exact = raw.replaceAll("[\u200e\u200f\u202a-\u202e]", "");
		for (Map.Entry<String, String> script : SCRIPTS.entrySet()) {
			if (script.getKey().equals("arabic")) {
				assertThat(plain(raw)).as(script.getKey()).contains("Repeat: " + plain(script.getValue()));
			}
			else {
				assertThat(exact).as(script.getKey()).contains("Repeat: " + script.getValue());
			}
		}
		// Arabic joined: its letters are drawn in their contextual forms (initial, medial, final)
		assertThat(raw.codePoints().filter((cp) -> cp >= 0xFE70 && cp <= 0xFEFF).count()).isGreaterThanOrEqualTo(10);
		// right to left: the first word's letters are drawn to the right of the second word's
		Map<Integer, Float> x = firstPositions(pdf);
		assertThat(x.get((int) 'ש')).as("Hebrew ש right of ע").isGreaterThan(x.get((int) 'ע'));
		assertThat(x.get((int) 'ح')).as("Arabic ح right of ع").isGreaterThan(x.get((int) 'ع'));
		// the scripts Liberation Sans lacks come from the Noto fonts (Hebrew it has), each embedded as a subset
		assertThat(pdffonts(pdf)).contains("NotoSansCJK", "NotoSansArabic", "NotoSansDevanagari", "NotoSansThai")
			.containsPattern("[A-Z]{6}\\+NotoSansCJK\\S* +CID Type 0C +Identity-H +yes yes yes");
		assertThat(Files.size(pdf)).isLessThan(400_000);
	}

	@Test
	void aCharacterNoFontHasIsNamedOnceInTheSummaryAndTheLog() throws Exception {
		// given: two private-use characters of plane 16 (no font has them) in two items, and ordinary text
		this.workspace.file("input/scripts.jsonl",
				jsonl(Map.of("a", "before \uDBFF\uDFFD after", "b", "again \uDBFF\uDFFD and \uDBFF\uDFFC")));

		// when
		Dmr.Result result = this.workspace.dmr("job=scripts");

		// then: the run succeeds, its summary names the characters once, so does its log, and the PDF shows where
		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(occurrences(result.err(), "warning: results.pdf: no font has")).as(result.err()).isOne();
		assertThat(result.err()).contains("U+10FFFC", "U+10FFFD");
		String log = this.workspace.read("output/scripts/run-1/dmr-batch.log");
		assertThat(occurrences(log, "results.pdf: no font has")).as(log).isOne();
		assertThat(log).contains("U+10FFFC", "U+10FFFD");
		String text = plain(pdftotext(this.workspace.path("output/scripts/run-1/results.pdf")));
		assertThat(text).contains("before [U+10FFFD] after", "again [U+10FFFD] and [U+10FFFC]");

		// and so does job=export, writing the PDF again
		Dmr.Result again = Dmr.run(this.workspace, null, "job=export", "run=1", "export=pdf");
		assertThat(again.exitCode()).as(again.toString()).isZero();
		assertThat(occurrences(again.err(), "warning: results.pdf: no font has")).as(again.err()).isOne();
		assertThat(again.err()).contains("U+10FFFC", "U+10FFFD");
	}

	@Test
	void theFontFolderOfTheSettingsIsTriedBeforeTheSystemFonts() throws Exception {
		// given: ✓, which the system's Noto CJK font has before its symbols font, and a folder holding the latter
		this.workspace.file("input/scripts.jsonl", jsonl(Map.of("a", "done ✓")));
		Path symbols = Path.of("/usr/share/fonts/truetype/noto/NotoSansSymbols2-Regular.ttf");
		this.workspace.bytes("fonts/mine/Symbols.ttf", Files.readAllBytes(symbols));

		// when
		Dmr.Result system = this.workspace.dmr("job=scripts", "run=system");
		Dmr.Result own = this.workspace.dmr("job=scripts", "run=own",
				"--dmr.export.font-folder=fonts");

		// then
		assertThat(system.exitCode()).as(system.toString()).isZero();
		assertThat(own.exitCode()).as(own.toString()).isZero();
		assertThat(pdffonts(this.workspace.path("output/scripts/system/results.pdf"))).contains("NotoSansCJK")
			.doesNotContain("NotoSansSymbols2");
		assertThat(pdffonts(this.workspace.path("output/scripts/own/results.pdf"))).contains("NotoSansSymbols2")
			.doesNotContain("NotoSansCJK");
		assertThat(plain(pdftotext(this.workspace.path("output/scripts/own/results.pdf"))))
			.contains("Repeat: done ✓");
		// and the config command shows the setting, resolved against the working folder
		Dmr.Result config = this.workspace.dmr("config", "--dmr.export.font-folder=fonts");
		assertThat(config.out()).containsPattern("dmr.export.font-folder +" + this.workspace.path("fonts"));
	}

	@Test
	void aFontFolderThatIsNotThereIsASettingMistake() {
		Dmr.Result result = this.workspace.dmr("job=scripts",
				"--dmr.export.font-folder=no/such/folder");

		assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
		assertThat(result.err()).contains("dmr.export.font-folder must be an existing folder of fonts")
			.doesNotContain("Exception");
	}

	private static int occurrences(String text, String part) {
		int count = 0;
		for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
			count++;
		}
		return count;
	}

	/** Compatibility forms folded (Arabic presentation forms to letters), bidi controls and line breaks dropped. */
	private static String plain(String text) {
		return Normalizer.normalize(text, Normalizer.Form.NFKC).replaceAll("[\u200e\u200f\u202a-\u202e]", "");
	}

	private static String pdftotext(Path pdf) throws IOException, InterruptedException {
		return command("pdftotext", "-enc", "UTF-8", pdf.toString(), "-");
	}

	private static String pdffonts(Path pdf) throws IOException, InterruptedException {
		return command("pdffonts", pdf.toString());
	}

	private static String command(String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as(out).isZero();
		return out;
	}

	/** Where each letter (presentation forms folded) is first drawn on the first page, by x. */
	private static Map<Integer, Float> firstPositions(Path pdf) throws IOException {
		Map<Integer, Float> x = new LinkedHashMap<>();
		List<TextPosition> all = new ArrayList<>();
		try (PDDocument document = Loader.loadPDF(pdf.toFile())) {
			PDFTextStripper stripper = new PDFTextStripper() {

				@Override
				protected void processTextPosition(TextPosition text) {
					all.add(text);
				}

			};
			stripper.setStartPage(1);
			stripper.setEndPage(1);
			stripper.getText(document);
		}
		for (TextPosition position : all) {
			Normalizer.normalize(position.getUnicode(), Normalizer.Form.NFKC)
				.codePoints()
				.forEach((cp) -> x.putIfAbsent(cp, position.getX()));
		}
		return x;
	}

}
