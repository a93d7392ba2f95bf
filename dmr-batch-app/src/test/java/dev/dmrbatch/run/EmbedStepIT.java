package dev.dmrbatch.run;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.dmrbatch.support.Dmr;
import dev.dmrbatch.support.LocalRunner;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A step {@code type: embed} sends its rendered text to {@code /embeddings}: the vector is stored with the item and
 * exported, as arrays in the JSON exports, as its dimension in the CSV, and as one float32 matrix in
 * {@code embeddings.npy}, read back here from its header and bytes. The local runner's {@code ai/tiny-embed} preset
 * answers embeddings; this test starts a runner of its own, as the shared one may predate that preset.
 */
@ExtendWith(WorkspaceExtension.class)
class EmbedStepIT {

	private static final int PORT = LocalRunner.PORT + 12;

	private static final JsonMapper JSON = JsonMapper.shared();

	private static String baseUrl;

	Workspace workspace;

	@BeforeAll
	static void startRunner() {
		baseUrl = LocalRunner.start(PORT, List.of("--threads", "1"));
	}

	@AfterAll
	static void stopRunner() {
		LocalRunner.stop(PORT);
	}

	@Test
	@SuppressWarnings("unchecked")
	void vectorsAreStoredAndExportedAsArraysAndAsANpyMatrix() throws Exception {
		this.workspace.file("input/items.jsonl", String.join("\n", "{\"id\": \"a\", \"text\": \"a lighthouse\"}",
				"{\"id\": \"b\", \"text\": \"the sea at night\"}", "{\"id\": \"c\", \"text\": \"gulls\"}") + "\n");
		this.workspace.file("jobs/vec.yaml", """
				input: { path: input/items.jsonl }
				model: { name: ai/tiny, max_tokens: 3, temperature: 0 }
				steps:
				  - { name: vec, type: embed, model: ai/tiny-embed, prompt: "${text}" }
				  - { name: say, prompt: "Item ${record.id}: ${text}" }
				export: [jsonl, json, csv]
				""");
		Dmr.Result result = this.workspace.dmrAt(baseUrl, "job=vec");
		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.out()).contains("embeddings.npy");

		List<String> lines = this.workspace.read("output/vec/run-1/results.jsonl").strip().lines().toList();
		assertThat(lines).hasSize(3);
		List<List<Number>> vectors = lines.stream()
			.map((line) -> (List<Number>) ((Map<String, Object>) JSON.readValue(line, Map.class).get("embeddings"))
				.get("vec"))
			.toList();
		int dimension = vectors.get(0).size();
		assertThat(dimension).isEqualTo(64); // the tiny model's embedding width
		assertThat(vectors).allSatisfy((v) -> assertThat(v).hasSize(dimension));
		assertThat(vectors.get(0)).isNotEqualTo(vectors.get(1));

		Map<String, Object> json = JSON.readValue(this.workspace.path("output/vec/run-1/results.json").toFile(),
				Map.class);
		Map<String, Object> first = ((List<Map<String, Object>>) json.get("items")).get(0);
		assertThat(((Map<String, Object>) first.get("embeddings")).get("vec")).isEqualTo(vectors.get(0));

		List<String> csv = this.workspace.read("output/vec/run-1/results.csv").lines().toList();
		assertThat(csv.get(0)).contains("id,status,error,model,vec,say");
		assertThat(csv.get(1)).startsWith("1,ok,,ai/tiny,64,");

		byte[] npy = Files.readAllBytes(this.workspace.path("output/vec/run-1/embeddings.npy"));
		assertThat(npy[0] & 0xff).isEqualTo(0x93);
		assertThat(new String(npy, 1, 5, StandardCharsets.US_ASCII)).isEqualTo("NUMPY");
		assertThat(npy[6]).isEqualTo((byte) 1);
		assertThat(npy[7]).isEqualTo((byte) 0);
		int headerLength = (npy[8] & 0xff) | ((npy[9] & 0xff) << 8);
		assertThat((10 + headerLength) % 16).isZero();
		String header = new String(npy, 10, headerLength, StandardCharsets.US_ASCII);
		assertThat(header).endsWith("\n").contains("'descr': '<f4'").contains("'fortran_order': False");
		Matcher shape = Pattern.compile("'shape': \\((\\d+), (\\d+)\\)").matcher(header);
		assertThat(shape.find()).isTrue();
		assertThat(Integer.parseInt(shape.group(1))).isEqualTo(3);
		assertThat(Integer.parseInt(shape.group(2))).isEqualTo(dimension);
		assertThat(npy.length).isEqualTo(10 + headerLength + 3 * dimension * 4);
		ByteBuffer data = ByteBuffer.wrap(npy, 10 + headerLength, 3 * dimension * 4).order(ByteOrder.LITTLE_ENDIAN);
		for (int row = 0; row < 3; row++) {
			for (int i = 0; i < dimension; i++) {
				assertThat(data.getFloat()).isEqualTo(vectors.get(row).get(i).floatValue());
			}
		}
	}

}
