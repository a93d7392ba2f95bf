package dev.dmrbatch.export;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import com.lowagie.text.pdf.BaseFont;
import com.lowagie.text.pdf.LayoutProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fonts {@code results.pdf} falls back on for characters its own Liberation fonts do not have: CJK, Arabic,
 * Hebrew, Devanagari, Thai, symbols. They are found in the font folder the settings name
 * ({@code dmr.export.font-folder}), then in the system's and the user's font folders, the Noto fonts first. A font
 * is read only when a character asks for it, once per process; each export keeps which font draws which character.
 * Fonts of complex scripts (Devanagari, Thai, ...) are shaped with Java's text layout, each shaped run marked with its
 * text so that it copies and searches as written; Arabic and Hebrew are shaped and reordered by OpenPDF's own
 * right-to-left support, which is why a font that has them is left out of the former.
 */
final class PdfFonts {

	private static final Logger log = LoggerFactory.getLogger(PdfFonts.class);

	/** The fonts tried first, in this order: a regular Noto font per script, then symbols. */
	private static final List<String> PREFERRED = List.of("notosans-regular.ttf", "notosansarabic-regular.ttf",
			"notonaskharabic-regular.ttf", "notosanshebrew-regular.ttf", "notosansdevanagari-regular.ttf",
			"notosansthai-regular.ttf", "notosanscjk-regular.ttc", "notosanscjksc-regular.otf",
			"notosanscjk-regular.otf", "notosanssymbols-regular.ttf", "notosanssymbols2-regular.ttf",
			"notosansmath-regular.ttf", "dejavusans.ttf", "symbola.ttf", "symbola_hint.ttf");

	private static final Set<String> STYLES = Set.of("bold", "italic", "oblique", "light", "thin", "black", "medium",
			"semibold", "extrabold", "extralight", "condensed", "semicondensed", "extracondensed", "ui", "display",
			"mono");

	/** Fonts read so far in this process, by file; an empty value for a file that is not a usable font. */
	private static final Map<Path, Optional<BaseFont>> LOADED = new ConcurrentHashMap<>();

	private static final int MAX_DEPTH = 6;

	/**
	 * The fonts shaped with Java's layout and their files. OpenPDF's layout processor is one for the process and
	 * takes on every font created while it is on, so fonts are created with it off ({@link #unshaped}) and these are
	 * given to it again.
	 */
	private static final Map<BaseFont, String> SHAPED = new LinkedHashMap<>();

	/**
	 * Held while a font is created, and while a document draws text: an export on another thread never draws while
	 * the layout processor is off.
	 */
	static final Object LAYOUT = new Object();

	/** The files of the fonts read, for Java's layout. */
	private static final Map<BaseFont, String> FILES = new ConcurrentHashMap<>();

	/** Scripts whose letters change shape, join or reorder. */
	private static final Set<Character.UnicodeScript> COMPLEX = Set.of(Character.UnicodeScript.DEVANAGARI,
			Character.UnicodeScript.BENGALI, Character.UnicodeScript.GURMUKHI, Character.UnicodeScript.GUJARATI,
			Character.UnicodeScript.ORIYA, Character.UnicodeScript.TAMIL, Character.UnicodeScript.TELUGU,
			Character.UnicodeScript.KANNADA, Character.UnicodeScript.MALAYALAM, Character.UnicodeScript.SINHALA,
			Character.UnicodeScript.THAI, Character.UnicodeScript.LAO, Character.UnicodeScript.TIBETAN,
			Character.UnicodeScript.MYANMAR, Character.UnicodeScript.KHMER);

	private final List<Path> candidates;

	private final List<BaseFont> opened = new ArrayList<>();

	private int next;

	private final Map<Integer, BaseFont> chosen = new HashMap<>();

	private final SortedSet<Integer> missing = new TreeSet<>();

	private PdfFonts(List<Path> candidates) {
		this.candidates = candidates;
	}

	/** The fonts of {@code folder} (when given) first, then those of the standard font folders. */
	static PdfFonts find(Path folder) {
		List<Path> own = new ArrayList<>();
		if (folder != null) {
			collect(folder, 0, own);
			own.sort(Comparator.comparing((Path p) -> p.getFileName().toString().toLowerCase(Locale.ROOT)));
		}
		List<Path> system = new ArrayList<>();
		for (Path standard : standardFolders()) {
			collect(standard, 0, system);
		}
		// bold, italic, condensed, ... faces of the system's fonts add no characters worth their reading
		system.removeIf((font) -> rank(font) > PREFERRED.size() + 1);
		system.sort(Comparator.comparingInt(PdfFonts::rank)
			.thenComparing((Path p) -> p.getFileName().toString().toLowerCase(Locale.ROOT)));
		Set<Path> all = new LinkedHashSet<>(own);
		all.addAll(system);
		return new PdfFonts(new ArrayList<>(all));
	}

	/** Where Linux, macOS and Windows keep fonts, the user's own first. */
	static List<Path> standardFolders() {
		List<Path> folders = new ArrayList<>();
		String home = System.getProperty("user.home");
		String dataHome = System.getenv("XDG_DATA_HOME");
		if (dataHome != null && !dataHome.isBlank()) {
			folders.add(Path.of(dataHome, "fonts"));
		}
		if (home != null) {
			folders.add(Path.of(home, ".local", "share", "fonts"));
			folders.add(Path.of(home, ".fonts"));
			folders.add(Path.of(home, "Library", "Fonts"));
		}
		folders.add(Path.of("/usr/local/share/fonts"));
		folders.add(Path.of("/usr/share/fonts"));
		folders.add(Path.of("/Library/Fonts"));
		folders.add(Path.of("/System/Library/Fonts"));
		String windows = System.getenv("WINDIR");
		if (windows != null) {
			folders.add(Path.of(windows, "Fonts"));
		}
		return folders;
	}

	private static void collect(Path folder, int depth, List<Path> into) {
		if (depth > MAX_DEPTH || !Files.isDirectory(folder)) {
			return;
		}
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
			for (Path entry : entries) {
				String name = entry.getFileName().toString().toLowerCase(Locale.ROOT);
				if (Files.isDirectory(entry)) {
					collect(entry, depth + 1, into);
				}
				else if ((name.endsWith(".ttf") || name.endsWith(".otf") || name.endsWith(".ttc"))
						&& !name.contains("coloremoji")) {
					into.add(entry);
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			log.debug("font folder {} cannot be read: {}", folder, ex.getMessage());
		}
	}

	/** The preferred fonts in their order, then regular fonts, then the other styles. */
	private static int rank(Path font) {
		String name = font.getFileName().toString().toLowerCase(Locale.ROOT);
		int preferred = PREFERRED.indexOf(name);
		if (preferred >= 0) {
			return preferred;
		}
		String style = name.substring(0, name.lastIndexOf('.')).replace('_', '-');
		int dash = style.lastIndexOf('-');
		String suffix = (dash < 0) ? "" : style.substring(dash + 1);
		for (String word : STYLES) {
			if (suffix.contains(word) && !suffix.equals("regular")) {
				return PREFERRED.size() + 2;
			}
		}
		return PREFERRED.size() + 1;
	}

	/**
	 * A font that has the character, or {@code null} when no font has it (the character is then noted as missing).
	 */
	BaseFont fontFor(int codePoint) {
		BaseFont font = this.chosen.get(codePoint);
		if (font != null || this.chosen.containsKey(codePoint)) {
			return font;
		}
		for (BaseFont open : this.opened) {
			if (open.charExists(codePoint)) {
				return choose(codePoint, open);
			}
		}
		BaseFont found = null;
		if (this.next < this.candidates.size()) {
			try {
				// the fonts still to read are read in one go, with OpenPDF's layout processor off once
				found = unshaped(() -> {
					while (this.next < this.candidates.size()) {
						Optional<BaseFont> loaded = load(this.candidates.get(this.next++));
						if (loaded.isPresent()) {
							this.opened.add(loaded.get());
							if (loaded.get().charExists(codePoint)) {
								return loaded.get();
							}
						}
					}
					return null;
				});
			}
			catch (Exception ex) {
				log.debug("fonts for results.pdf cannot be read: {}", ex.getMessage());
			}
		}
		if (found == null) {
			this.chosen.put(codePoint, null);
			this.missing.add(codePoint);
			return null;
		}
		return choose(codePoint, found);
	}

	/**
	 * Remembers the font of a character; the font of a script whose letters change shape and order (Devanagari,
	 * Thai, ...) is handed to Java's layout, unless it also has Arabic or Hebrew, which OpenPDF's own bidi orders
	 * and joins (the layout would reverse them again).
	 */
	private BaseFont choose(int codePoint, BaseFont font) {
		this.chosen.put(codePoint, font);
		if (COMPLEX.contains(Character.UnicodeScript.of(codePoint)) && !font.charExists(0x0627)
				&& !font.charExists(0x05D0)) {
			String file = FILES.get(font);
			if (file != null) {
				shaped(font, file);
			}
		}
		return font;
	}

	/** The characters no font has, in code point order. */
	SortedSet<Integer> missing() {
		return this.missing;
	}

	private static Optional<BaseFont> load(Path file) {
		return LOADED.computeIfAbsent(file, (path) -> {
			try {
				if (!hasOutlines(path)) {
					return Optional.empty();
				}
				boolean collection = path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".ttc");
				String name = path.toString() + (collection ? ",0" : "");
				BaseFont font = unshaped(
						() -> BaseFont.createFont(name, BaseFont.IDENTITY_H, BaseFont.EMBEDDED, false));
				if (!collection) {
					// Java's layout reads a font file, not one of a collection
					FILES.put(font, path.toString());
				}
				log.debug("font {} read for results.pdf", path);
				return Optional.of(font);
			}
			catch (Exception | LinkageError ex) {
				log.debug("font {} cannot be used in results.pdf: {}", path, ex.getMessage());
				return Optional.empty();
			}
		});
	}

	/** A font that OpenPDF's layout processor leaves alone. */
	static BaseFont unshaped(FontCreation creation) throws Exception {
		synchronized (LAYOUT) {
			if (!LayoutProcessor.isEnabled()) {
				return creation.create();
			}
			LayoutProcessor.disable();
			try {
				return creation.create();
			}
			finally {
				shaping();
				SHAPED.forEach(LayoutProcessor::loadFont);
			}
		}
	}

	private static void shaped(BaseFont font, String file) {
		synchronized (LAYOUT) {
			if (SHAPED.containsKey(font)) {
				return;
			}
			if (!LayoutProcessor.isEnabled()) {
				shaping();
			}
			LayoutProcessor.loadFont(font, file);
			SHAPED.put(font, file);
		}
	}

	/**
	 * Turns OpenPDF's layout processor on, each shaped run of glyphs marked with its text ({@code /ActualText}): a
	 * conjunct or a vowel sign drawn before its consonant is one glyph, or in another place, so the glyphs alone would
	 * copy and search as other text ({@code दिल्ली} as {@code ददलली}).
	 */
	private static void shaping() {
		LayoutProcessor.enable();
		LayoutProcessor.setWriteActualText();
	}

	/** Creates a font. */
	@FunctionalInterface
	interface FontCreation {

		BaseFont create() throws Exception;

	}

	/**
	 * Whether the font has outlines the PDF can embed ({@code glyf} or {@code CFF }): bitmap-only fonts such as
	 * colour emoji would fail when the document is closed.
	 */
	static boolean hasOutlines(Path file) throws IOException {
		try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
			long offset = 0;
			int tag = in.readInt();
			if (tag == 0x74746366) { // "ttcf": the first font of the collection
				in.readInt();
				int count = in.readInt();
				if (count < 1) {
					return false;
				}
				offset = in.readInt() & 0xffffffffL;
				in.seek(offset);
				in.readInt();
			}
			int tables = in.readUnsignedShort();
			in.seek(offset + 12);
			for (int i = 0; i < tables; i++) {
				int name = in.readInt();
				if (name == 0x676c7966 || name == 0x43464620) { // "glyf", "CFF "
					return true;
				}
				in.skipBytes(12);
			}
			return false;
		}
	}

}
