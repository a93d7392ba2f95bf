package dev.dmrbatch.input;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.IntStream;

import dev.dmrbatch.plugin.api.Options;
import dev.dmrbatch.support.Kinds;
import dev.dmrbatch.support.Pdfs;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * How long reading 1,000 PDF pages takes, and the heap it needs at most: one 1,000-page document read whole and page
 * by page, and a folder of 100 ten-page documents. Not a test (its name ends neither in Test nor in IT): run its
 * {@code main} with the test class path in a small heap ({@code java -Xmx256m ... dev.dmrbatch.input.PdfReadingProbe
 * <empty folder>}); it prints one {@code PROBE} line per case.
 */
final class PdfReadingProbe {

	private PdfReadingProbe() {
	}

	public static void main(String[] args) throws Exception {
		Path folder = Path.of(args[0]);
		String[] pages = IntStream.rangeClosed(1, 1000).mapToObj(PdfReadingProbe::page).toArray(String[]::new);
		Files.createDirectories(folder.resolve("many"));
		Files.write(folder.resolve("one.pdf"), Pdfs.pages("One thousand pages", pages));
		for (int d = 0; d < 100; d++) {
			String[] ten = java.util.Arrays.copyOfRange(pages, d * 10, d * 10 + 10);
			Files.write(folder.resolve("many").resolve(String.format("doc-%03d.pdf", d)), Pdfs.pages("Doc " + d, ten));
		}
		for (int round = 0; round < 2; round++) { // the first round warms the JIT up
			measure("one 1000-page PDF, per document", folder.resolve("one.pdf"), Map.of());
			measure("one 1000-page PDF, per page", folder.resolve("one.pdf"), Map.of("per", "page"));
			measure("100 PDFs of 10 pages, per document", folder.resolve("many"), Map.of());
		}
	}

	private static String page(int n) {
		StringBuilder text = new StringBuilder("Page " + n + ". ");
		while (text.length() < 1800) {
			text.append("The invoice lists the goods delivered, their quantities and prices, and the total due. ");
		}
		return text.toString();
	}

	private static void measure(String what, Path input, Map<String, Object> options) throws Exception {
		System.gc();
		for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
			pool.resetPeakUsage();
		}
		long start = System.nanoTime();
		InputSource source = new InputSource(Kinds.inputFormat("pdf"), input, null, input.getFileName().toString(),
				Options.of(options));
		InputReaders.check(source);
		ItemStreamReader<InputItem> reader = InputReaders.reader(source);
		reader.open(new ExecutionContext());
		long items = 0;
		long chars = 0;
		long failed = 0;
		for (InputItem item = reader.read(); item != null; item = reader.read()) {
			items++;
			if (item.error() != null) {
				failed++;
			}
			else {
				chars += ((String) item.fields().get("text")).length();
			}
		}
		reader.close();
		long ms = (System.nanoTime() - start) / 1_000_000;
		long peak = 0;
		for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
			if (pool.getType() == MemoryType.HEAP) {
				peak += pool.getPeakUsage().getUsed();
			}
		}
		System.out.printf("PROBE %s: %d items (%d failed), %d characters, %d ms, heap peak %d MB (max %d MB)%n", what,
				items, failed, chars, ms, peak >> 20, Runtime.getRuntime().maxMemory() >> 20);
	}

}
