package dev.dmrbatch.jobfile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.dmrbatch.plugin.Plugins;
import dev.dmrbatch.support.Kinds;
import dev.dmrbatch.support.TestProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The job file's JSON Schema: the committed file is what the kinds' registries and the job file's records generate
 * (run with {@code -Ddmr.schema.write=true} to write it again), and the sample job files name it and validate.
 */
class JobFileSchemaTest {

	/** The line a job file starts with so that editors with the YAML language server use the schema. */
	static final String MODELINE = "# yaml-language-server: $schema=../" + JobFileSchema.FILE;

	private static final YAMLMapper YAML = YAMLMapper.builder().build();

	@TempDir
	Path home;

	private JobFileSchema generator() {
		Plugins plugins = Kinds.plugins(TestProperties.home(this.home));
		return new JobFileSchema(Kinds.inputFormats(plugins), Kinds.exportFormats(plugins), Kinds.stepKinds(plugins),
				Kinds.checkKinds(plugins));
	}

	private Schema schema() {
		return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
			.getSchema(YAML.readTree(generator().json()));
	}

	private List<String> errors(String yaml) {
		return schema().validate(YAML.readTree(yaml)).stream().map(Error::getMessage).toList();
	}

	@Test
	void theCommittedSchemaIsTheOneTheKindsAndRecordsGenerate() throws IOException {
		Path file = Path.of(JobFileSchema.FILE);
		String generated = generator().json();
		if (Boolean.getBoolean("dmr.schema.write")) {
			Files.writeString(file, generated);
		}
		assertThat(file).exists();
		assertThat(Files.readString(file)).as("%s is not what dmr-batch generates: run JobFileSchemaTest with "
				+ "-Ddmr.schema.write=true to write it again", file).isEqualTo(generated);
		assertThat(generator().json()).as("generated twice, the same").isEqualTo(generated);
	}

	@Test
	void theSampleJobFilesNameTheSchemaAndValidate() throws IOException {
		List<Path> jobs;
		try (Stream<Path> files = Files.list(Path.of("jobs"))) {
			jobs = files.filter((file) -> file.toString().endsWith(".yaml")).sorted().toList();
		}
		assertThat(jobs).isNotEmpty();
		Schema schema = schema();
		for (Path job : jobs) {
			String text = Files.readString(job);
			assertThat(text.lines().findFirst()).as(job.toString()).contains(MODELINE);
			assertThat(schema.validate(YAML.readTree(text))).as(job.toString()).isEmpty();
		}
	}

	@Test
	void theSchemaHoldsTheKindsNamesAndRefusesWhatJobFilesRefuse() {
		String step = "steps: [{ name: a, prompt: hi }]\n";
		assertThat(errors("input: { format: csv, path: in.csv }\nexport: [jsonl, pdf, xlsx]\n" + step)).isEmpty();
		assertThat(errors("input: { format: xlsx, path: in.xlsx, options: { sheet: 2 } }\n" + step)).isEmpty();
		assertThat(errors("input: { format: pdf, path: docs, options: { per: page } }\n" + step)).isEmpty();
		assertThat(errors("input: { format: files, path: docs, options: { per: page, select: main } }\n" + step))
			.isEmpty();
		assertThat(errors("export: [xlsx]\nexport-options: { xlsx: { sheet: a } }\nconcurrency: 4\n" + step)).isEmpty();
		assertThat(errors("layouts: { markdown: mine.md.ftl }\n" + step)).isEmpty();
		assertThat(errors("runners: [http://a:1/v1, { url: http://b:1/v1, concurrency: 2 }]\n" + step)).isEmpty();
		assertThat(errors("model: { stop: END }\n" + step)).isEmpty();

		assertThat(errors("input: { format: csv, path: in.csv, options: { a: 1 } }\n" + step)).isNotEmpty();
		assertThat(errors("input: { path: in.csv, options: { a: 1 } }\n" + step)).isNotEmpty();
		assertThat(errors("input: { format: pdf, path: docs, options: { per: chapter } }\n" + step)).isNotEmpty();
		assertThat(errors("input: { format: pdf, path: docs, options: { select: main } }\n" + step)).isNotEmpty();
		assertThat(errors("export-options: { pdf: { a: 1 } }\n" + step)).isNotEmpty();
		assertThat(errors("layouts: { pdf: mine.ftl }\n" + step)).isNotEmpty();
		assertThat(errors("export: [\"not a name\"]\n" + step)).isNotEmpty();
		assertThat(errors("model: { temperature: 3 }\n" + step)).isNotEmpty();
		assertThat(errors("exports: [jsonl]\n" + step)).isNotEmpty();
		assertThat(errors("name: x\n")).isNotEmpty();

		// and the job file's own check refuses them as well
		JobFiles jobFiles = TestJobFiles.of(TestProperties.home(this.home));
		for (String refused : List.of("input: { format: csv, path: in.csv, options: { a: 1 } }\n" + step,
				"export-options: { pdf: { a: 1 } }\n" + step, "layouts: { pdf: mine.ftl }\n" + step,
				"model: { temperature: 3 }\n" + step, "exports: [jsonl]\n" + step, "name: x\n")) {
			assertThatExceptionOfType(JobFileException.class).as(refused)
				.isThrownBy(() -> jobFiles.parse(refused, this.home.resolve("jobs/x.yaml")));
		}
	}

}
