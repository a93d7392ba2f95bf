package dev.dmrbatch.export;

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

import org.springframework.context.annotation.AnnotationConfigApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The registry of exports: the built-in beans in order, a plugin's export only when a name is not built in. */
class ExportFormatsTest {

	@TempDir
	Path home;

	/** A new built-in export: this class, a bean, and nothing else. */
	static final class SheetExport implements ExportKind {

		@Override
		public String name() {
			return "sheet";
		}

		@Override
		public List<String> files() {
			return List.of("results.sheet");
		}

		@Override
		public List<String> aliases() {
			return List.of("sh");
		}

		@Override
		public Exporter open(ExportTarget target) {
			throw new UnsupportedOperationException();
		}

	}

	@Test
	void aNewExportIsOneBeanThatEveryLookupFinds() {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
			context.registerBean(DmrProperties.class, () -> TestProperties.home(this.home));
			context.scan("dev.dmrbatch.plugin");
			Kinds.builtIn(ExportKind.class).forEach((kind) -> context.registerBean(kind.getClass()));
			context.registerBean(ExportFormats.class);
			context.registerBean(SheetExport.class);
			context.refresh();
			ExportFormats formats = context.getBean(ExportFormats.class);

			assertThat(formats.names()).containsExactly("jsonl", "json", "markdown", "text", "csv", "pdf", "html",
					"junit", "openai-batch", "sheet");
			assertThat(formats.find("sheet")).isInstanceOf(SheetExport.class);
			assertThat(formats.byNameOrAlias("SH")).isInstanceOf(SheetExport.class);
			assertThat(formats.everyRunChoice()).isEqualTo("jsonl, json, md, txt, csv, pdf, html, junit or sh");
		}
	}

	@Test
	void theBuiltInExportsAreFoundWithoutLoadingThePlugins() throws IOException {
		// a plugins folder whose jar cannot be used: loading it fails, so what works did not load it
		Files.createDirectories(this.home.resolve("plugins"));
		Files.writeString(this.home.resolve("plugins/broken.jar"), "not a jar");
		ExportFormats formats = Kinds.exportFormats(Kinds.plugins(TestProperties.home(this.home)));

		assertThat(formats.builtIn()).extracting(ExportKind::name)
			.containsExactly("jsonl", "json", "markdown", "text", "csv", "pdf", "html", "junit", "openai-batch");
		assertThat(formats.find("pdf").files()).containsExactly("results.pdf");
		assertThat(formats.find("openai-batch").files()).containsExactly("output.jsonl", "errors.jsonl");
		assertThat(formats.everyRun()).extracting(ExportKind::name)
			.containsExactly("jsonl", "json", "markdown", "text", "csv", "pdf", "html", "junit");
		assertThat(formats.byNameOrAlias("MD").name()).isEqualTo("markdown");
		assertThat(formats.byNameOrAlias("txt").name()).isEqualTo("text");
		assertThat(formats.byNameOrAlias("openai-batch")).isNull();
		assertThat(formats.everyRunChoice()).isEqualTo("jsonl, json, md, txt, csv, pdf, html or junit");
		assertThat(formats.withLayouts()).extracting(ExportKind::name).containsExactly("markdown", "text");

		assertThatExceptionOfType(PluginLoadException.class).isThrownBy(() -> formats.find("xlsx"))
			.withMessageStartingWith("plugin jar plugins/broken.jar cannot be read as a jar");
	}

}
