package dev.dmrbatch.input;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.plugin.PluginLoadException;
import dev.dmrbatch.support.Kinds;
import dev.dmrbatch.support.TestProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The registry of input formats: the built-in beans in order, a plugin's format only when a name is not built in. */
class InputFormatsTest {

	@TempDir
	Path home;

	/** A new built-in format, tab-separated lines: this class, a bean, and nothing else. */
	static final class TsvFormat implements InputFormatKind {

		@Override
		public String name() {
			return "tsv";
		}

		@Override
		public List<String> extensions() {
			return List.of(".tsv");
		}

		@Override
		public void check(InputSource source) {
			InputReaders.checkFile(source);
		}

		@Override
		public ItemStreamReader<InputItem> open(InputSource source) {
			return new LinesFormat().open(source);
		}

	}

	@Test
	void aNewFormatIsOneBeanThatEveryLookupFinds() throws Exception {
		Files.writeString(this.home.resolve("in.tsv"), "a\tb\n");
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
			context.registerBean(DmrProperties.class, () -> TestProperties.home(this.home));
			context.scan("dev.dmrbatch.input", "dev.dmrbatch.plugin");
			context.registerBean(TsvFormat.class);
			context.refresh();
			InputFormats formats = context.getBean(InputFormats.class);

			assertThat(formats.names()).containsExactly("csv", "jsonl", "json", "text", "pdf", "html", "files", "images",
					"tsv");
			assertThat(formats.builtInChoice()).isEqualTo("csv, jsonl, json, text, pdf, html, files, images or tsv");
			InputFormatKind tsv = formats.guess("in.TSV", this.home.resolve("in.tsv"));
			assertThat(tsv).isInstanceOf(TsvFormat.class).isSameAs(formats.find("tsv"));
			InputSource source = new InputSource(tsv, this.home.resolve("in.tsv"), null, "in.tsv");
			InputReaders.check(source);
			ItemStreamReader<InputItem> reader = InputReaders.reader(source);
			reader.open(new ExecutionContext());
			assertThat(reader.read().fields()).containsEntry("line", "a\tb");
			reader.close();
		}
	}

	@Test
	void theBuiltInFormatsAreFoundWithoutLoadingThePlugins() throws IOException {
		// a plugins folder whose jar cannot be used: loading it fails, so what works did not load it
		Files.createDirectories(this.home.resolve("plugins"));
		Files.writeString(this.home.resolve("plugins/broken.jar"), "not a jar");
		InputFormats formats = Kinds.inputFormats(Kinds.plugins(TestProperties.home(this.home)));


		assertThat(formats.builtIn()).extracting(InputFormatKind::name)
			.containsExactly("csv", "jsonl", "json", "text", "pdf", "html", "files", "images");
		assertThat(formats.find("csv").name()).isEqualTo("csv");
		assertThat(formats.isBuiltIn("json")).isTrue();
		assertThat(formats.guess("a.csv", this.home.resolve("a.csv")).name()).isEqualTo("csv");
		assertThat(formats.guess("a.ndjson", this.home.resolve("a.ndjson")).name()).isEqualTo("jsonl");
		assertThat(formats.guess("a.jsonl", this.home.resolve("a.jsonl")).name()).isEqualTo("jsonl");
		assertThat(formats.guess("a.json", this.home.resolve("a.json")).name()).isEqualTo("json");
		assertThat(formats.guess("a.PDF", this.home.resolve("a.PDF")).name()).isEqualTo("pdf");
		assertThat(formats.guess("a.htm", this.home.resolve("a.htm")).name()).isEqualTo("html");
		assertThat(formats.guess("plugins", this.home.resolve("plugins")).name()).isEqualTo("text");
		assertThat(formats.guess("a.xlsx", this.home.resolve("a.xlsx"))).isNull();

		assertThatExceptionOfType(PluginLoadException.class).isThrownBy(() -> formats.find("xlsx"))
			.withMessageStartingWith("plugin jar plugins/broken.jar cannot be read as a jar");
	}

}
