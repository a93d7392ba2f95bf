package dev.dmrbatch.input;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.dmrbatch.support.Kinds;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cases of public test suites (see {@code src/test/resources/README.md}) through the readers: JSONTestSuite's
 * {@code n_} cases fail their line, its {@code y_} cases read exactly, its lone-surrogate {@code i_} cases fail naming
 * the field; the Big List of Naughty Strings comes through every format unaltered; every csv-spectrum CSV reads as its
 * JSON; every malformed sequence of Markus Kuhn's UTF-8 decoder test fails its item in every format, never altered.
 */
@ExtendWith(WorkspaceExtension.class)
class InputFixturesTest {

	/** A plain parse, for what a {@code y_} case holds. */
	private static final JsonMapper PLAIN = JsonMapper.builder().build();

	Workspace workspace;

	private static Path fixtures(String folder) {
		try {
			return Path.of(InputFixturesTest.class.getResource("/" + folder).toURI());
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static Stream<String> suite(String prefix) throws IOException {
		try (Stream<Path> files = Files.list(fixtures("json-test-suite"))) {
			List<String> names = files.map((file) -> file.getFileName().toString())
				.filter((name) -> name.startsWith(prefix))
				.sorted()
				.toList();
			assertThat(names).isNotEmpty();
			return names.stream();
		}
	}

	static Stream<String> rejected() throws IOException {
		return suite("n_");
	}

	static Stream<String> accepted() throws IOException {
		return suite("y_").filter((name) -> !name.startsWith("y_object_duplicated_key"));
	}

	static Stream<String> surrogates() throws IOException {
		return suite("i_").filter((name) -> name.contains("surrogate"));
	}

	private static byte[] bytes(String name) throws IOException {
		return Files.readAllBytes(fixtures("json-test-suite").resolve(name));
	}

	private List<InputItem> read(String format, String file) throws Exception {
		InputSource source = new InputSource(Kinds.inputFormat(format), this.workspace.path(file), null, file);
		List<InputItem> items = new ArrayList<>();
		ItemStreamReader<InputItem> reader = InputReaders.reader(source);
		reader.open(new ExecutionContext());
		try {
			for (InputItem item = reader.read(); item != null; item = reader.read()) {
				items.add(item);
			}
		}
		finally {
			reader.close();
		}
		return items;
	}

	/** A case's text as the value of a field: one line, its final line feed the line's end. */
	private static byte[] asField(byte[] json) {
		int length = (json.length > 0 && json[json.length - 1] == '\n') ? json.length - 1 : json.length;
		byte[] line = new byte[length + 6];
		System.arraycopy("{\"v\":".getBytes(StandardCharsets.US_ASCII), 0, line, 0, 5);
		System.arraycopy(json, 0, line, 5, length);
		line[line.length - 1] = '}';
		return line;
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("rejected")
	void everyRejectedCaseFailsItsLine(String name) throws Exception {
		byte[] json = bytes(name);
		this.workspace.bytes("in.jsonl", json);
		List<InputItem> items = read("jsonl", "in.jsonl");
		assertThat(items).hasSize(1);
		assertThat(items.get(0).error()).startsWith("in.jsonl line 1: not valid JSON (");
		assertThat(items.get(0).fields()).isEmpty();

		// the same text in a JSON file: never read as if it were fine
		this.workspace.bytes("in.json", json);
		List<InputItem> elements;
		try {
			InputReaders.check(new InputSource(Kinds.inputFormat("json"), this.workspace.path("in.json"), null, "in.json"));
			elements = read("json", "in.json");
		}
		catch (InputException refused) {
			assertThat(refused.getMessage()).contains("in.json");
			return;
		}
		assertThat(elements).extracting(InputItem::error).doesNotContainNull();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("accepted")
	void everyAcceptedCaseReadsExactly(String name) throws Exception {
		byte[] json = bytes(name);
		Object expected = PLAIN.readValue(json, Object.class);
		byte[] line = (expected instanceof Map) ? json : asField(json);
		Map<String, Object> fields = (expected instanceof Map) ? castMap(expected) : Map.of("v", expected);
		// alone, between other lines, and with CRLF line ends
		this.workspace.bytes("in.jsonl", line);
		this.workspace.bytes("around.jsonl", concat("{\"n\":1}\r\n".getBytes(StandardCharsets.UTF_8),
				concat(line, "\r\n{\"n\":3}\n".getBytes(StandardCharsets.UTF_8))));
		assertThat(read("jsonl", "in.jsonl")).singleElement()
			.satisfies((item) -> assertThat(item.error()).isNull())
			.satisfies((item) -> assertThat(item.fields()).isEqualTo(fields));
		List<InputItem> around = read("jsonl", "around.jsonl");
		assertThat(around).extracting(InputItem::error).containsOnlyNulls();
		assertThat(around).extracting(InputItem::fields)
			.containsExactly(Map.of("n", 1), fields, Map.of("n", 3));

		this.workspace.bytes("in.json", concat(concat("[".getBytes(StandardCharsets.UTF_8), asField(json)),
				"]".getBytes(StandardCharsets.UTF_8)));
		assertThat(read("json", "in.json")).singleElement()
			.satisfies((item) -> assertThat(item.error()).isNull())
			.satisfies((item) -> assertThat(item.fields()).isEqualTo(Map.of("v", expected)));
	}

	@Test
	void theAcceptedCasesHoldWhatTheirNamesSay() throws Exception {
		this.workspace.bytes("in.jsonl", concat(concat(asField(bytes("y_string_accepted_surrogate_pair.json")),
				"\n".getBytes(StandardCharsets.UTF_8)), concat(asField(bytes("y_string_u+2028_line_sep.json")),
						concat("\n".getBytes(StandardCharsets.UTF_8), asField(bytes("y_string_with_del_character.json"))))));
		assertThat(read("jsonl", "in.jsonl")).extracting((item) -> item.fields().get("v"))
			.containsExactly(List.of("\ud801\udc37"), List.of("\u2028"), List.of("a\u007fa"));
	}

	@Test
	void aDuplicatedKeyFailsItsLineRatherThanLosingAValue() throws Exception {
		this.workspace.bytes("in.jsonl", concat(concat(bytes("y_object_duplicated_key.json"), new byte[] { '\n' }),
				bytes("y_object_duplicated_key_and_value.json")));
		assertThat(read("jsonl", "in.jsonl")).extracting(InputItem::error)
			.containsExactly("in.jsonl line 1: not valid JSON (Duplicate Object property \"a\")",
					"in.jsonl line 2: not valid JSON (Duplicate Object property \"a\")");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("surrogates")
	void everyLoneSurrogateFailsItsLineNamingTheField(String name) throws Exception {
		this.workspace.bytes("in.jsonl", asField(bytes(name)));
		List<InputItem> items = read("jsonl", "in.jsonl");
		assertThat(items).hasSize(1);
		assertThat(items.get(0).error()).matches(name.startsWith("i_string_UTF8")
				? "in\\.jsonl line 1: bytes that are not valid UTF-8 \\(save the file as UTF-8\\)"
				: "in\\.jsonl line 1: field 'v' holds \\\\u[0-9a-f]{4}, half of a surrogate pair without its other "
						+ "half \\(not a character\\)");
	}

	@Test
	void naughtyStringsComeThroughEveryFormatUnaltered() throws Exception {
		List<String> strings = naughtyStrings();
		StringBuilder jsonl = new StringBuilder();
		StringBuilder csv = new StringBuilder("n,s\r\n");
		List<Map<String, Object>> array = new ArrayList<>();
		for (int i = 0; i < strings.size(); i++) {
			Map<String, Object> record = new LinkedHashMap<>();
			record.put("n", i);
			record.put("s", strings.get(i));
			jsonl.append(PLAIN.writeValueAsString(record)).append('\n');
			array.add(record);
			csv.append(i).append(",\"").append(strings.get(i).replace("\"", "\"\"")).append("\"\r\n");
			this.workspace.bytes(String.format("texts/%02d.txt", i), strings.get(i).getBytes(StandardCharsets.UTF_8));
		}
		this.workspace.bytes("in.jsonl", jsonl.toString().getBytes(StandardCharsets.UTF_8));
		this.workspace.bytes("in.json", PLAIN.writeValueAsBytes(array));
		this.workspace.bytes("in.csv", csv.toString().getBytes(StandardCharsets.UTF_8));

		for (String format : List.of("jsonl", "json", "csv")) {
			List<InputItem> items = read(format, "in." + format);
			assertThat(items).as(format).extracting(InputItem::error).containsOnlyNulls();
			assertThat(items).as(format).extracting((item) -> item.fields().get("s")).containsExactlyElementsOf(strings);
		}
		assertThat(read("text", "texts")).extracting((item) -> item.fields().get("text"))
			.containsExactlyElementsOf(strings.stream().map((s) -> s.startsWith("\ufeff") ? s.substring(1) : s).toList());

		// as ids: kept exactly, only the empty one has no value
		List<InputItem> byId = InputFixturesTest.readAll(InputReaders.reader(new InputSource(Kinds.inputFormat("jsonl"),
				this.workspace.path("in.jsonl"), "s", "in.jsonl")));
		assertThat(byId).extracting(InputItem::id)
			.containsExactlyElementsOf(strings.stream().map((s) -> s.isEmpty() ? "1" : s).toList());
		assertThat(byId).filteredOn((item) -> item.error() != null).extracting(InputItem::error)
			.containsExactly("line 1 has no value for the id field 's' (input.id)");
	}

	static Stream<String> csvSpectrum() throws IOException {
		try (Stream<Path> files = Files.list(fixtures("csv-spectrum/csvs"))) {
			List<String> names = files.map((file) -> file.getFileName().toString().replaceFirst("\\.csv$", ""))
				.sorted()
				.toList();
			assertThat(names).hasSize(12);
			return names.stream();
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("csvSpectrum")
	void everyCsvSpectrumCaseReadsAsItsJson(String name) throws Exception {
		this.workspace.bytes("in.csv", Files.readAllBytes(fixtures("csv-spectrum/csvs").resolve(name + ".csv")));
		Object json = PLAIN.readValue(Files.readAllBytes(fixtures("csv-spectrum/json").resolve(name + ".json")),
				Object.class);
		List<Object> expected = new ArrayList<>((json instanceof List<?> list) ? list : List.of(json));
		if (name.equals("location_coordinates")) {
			// the suite's JSON gives another phone number than its CSV holds (an error of the suite): the CSV is the data
			Map<String, Object> record = new LinkedHashMap<>(castMap(expected.get(0)));
			assertThat(record.put("Contact Phone Number", "2095257564")).isEqualTo("1234567890");
			expected.set(0, record);
		}
		InputSource source = new InputSource(Kinds.inputFormat("csv"), this.workspace.path("in.csv"), null, "in.csv");
		InputReaders.check(source);
		List<InputItem> items = read("csv", "in.csv");
		assertThat(items).extracting(InputItem::error).containsOnlyNulls();
		assertThat(items).extracting((item) -> (Object) item.fields()).containsExactlyElementsOf(expected);
	}

	/**
	 * The malformed sequences of Markus Kuhn's UTF-8 decoder capability and stress test ({@code UTF-8-test.txt},
	 * sections 3 to 5), by their section: each is bytes that are not UTF-8.
	 */
	static Stream<Arguments> malformedUtf8() {
		List<Arguments> cases = new ArrayList<>();
		// 3.1 unexpected continuation bytes: alone, in runs, and all 64 of them
		cases.add(malformed("3.1.1 first continuation byte", 0x80));
		cases.add(malformed("3.1.2 last continuation byte", 0xbf));
		int[] run = new int[7];
		for (int n = 2; n <= 7; n++) {
			run[n - 1] = (n % 2 == 0) ? 0xbf : 0x80;
			run[0] = 0x80;
			cases.add(malformed("3.1." + (n + 1) + " " + n + " continuation bytes", java.util.Arrays.copyOf(run, n)));
		}
		int[] all = new int[64];
		for (int i = 0; i < 64; i++) {
			all[i] = 0x80 + i;
		}
		cases.add(malformed("3.1.9 all 64 continuation bytes", all));
		// 3.2 lonely start characters, each followed by a space
		cases.add(lonely("3.2.1 all 32 first bytes of 2-byte sequences", 0xc0, 0xdf));
		cases.add(lonely("3.2.2 all 16 first bytes of 3-byte sequences", 0xe0, 0xef));
		cases.add(lonely("3.2.3 all 8 first bytes of 4-byte sequences", 0xf0, 0xf7));
		cases.add(lonely("3.2.4 all 4 first bytes of 5-byte sequences", 0xf8, 0xfb));
		cases.add(lonely("3.2.5 all 2 first bytes of 6-byte sequences", 0xfc, 0xfd));
		// 3.3 sequences with the last continuation byte missing, and 3.4 all of them in a row
		int[][] missing = { { 0xc0 }, { 0xe0, 0x80 }, { 0xf0, 0x80, 0x80 }, { 0xf8, 0x80, 0x80, 0x80 },
				{ 0xfc, 0x80, 0x80, 0x80, 0x80 }, { 0xdf }, { 0xef, 0xbf }, { 0xf7, 0xbf, 0xbf },
				{ 0xfb, 0xbf, 0xbf, 0xbf }, { 0xfd, 0xbf, 0xbf, 0xbf, 0xbf } };
		List<Integer> concatenated = new ArrayList<>();
		for (int i = 0; i < missing.length; i++) {
			cases.add(malformed("3.3." + (i + 1) + " last byte missing", missing[i]));
			java.util.Arrays.stream(missing[i]).forEach(concatenated::add);
		}
		cases.add(malformed("3.4 the incomplete sequences concatenated",
				concatenated.stream().mapToInt(Integer::intValue).toArray()));
		// 3.5 impossible bytes
		cases.add(malformed("3.5.1 fe", 0xfe));
		cases.add(malformed("3.5.2 ff", 0xff));
		cases.add(malformed("3.5.3 fe fe ff ff", 0xfe, 0xfe, 0xff, 0xff));
		// 4.1 the slash overlong, 4.2 the largest overlong of each length, 4.3 NUL overlong
		int[][] overlong = { { 0xc0, 0xaf }, { 0xe0, 0x80, 0xaf }, { 0xf0, 0x80, 0x80, 0xaf },
				{ 0xf8, 0x80, 0x80, 0x80, 0xaf }, { 0xfc, 0x80, 0x80, 0x80, 0x80, 0xaf },
				{ 0xc1, 0xbf }, { 0xe0, 0x9f, 0xbf }, { 0xf0, 0x8f, 0xbf, 0xbf }, { 0xf8, 0x87, 0xbf, 0xbf, 0xbf },
				{ 0xfc, 0x83, 0xbf, 0xbf, 0xbf, 0xbf },
				{ 0xc0, 0x80 }, { 0xe0, 0x80, 0x80 }, { 0xf0, 0x80, 0x80, 0x80 }, { 0xf8, 0x80, 0x80, 0x80, 0x80 },
				{ 0xfc, 0x80, 0x80, 0x80, 0x80, 0x80 } };
		for (int i = 0; i < overlong.length; i++) {
			cases.add(malformed("4." + (i / 5 + 1) + "." + (i % 5 + 1) + " overlong", overlong[i]));
		}
		// 5.1 single UTF-16 surrogates, 5.2 paired UTF-16 surrogates, encoded as UTF-8
		int[] surrogates = { 0xa080, 0xadbf, 0xae80, 0xafbf, 0xb080, 0xbe80, 0xbfbf };
		for (int i = 0; i < surrogates.length; i++) {
			cases.add(malformed("5.1." + (i + 1) + " single surrogate", 0xed, surrogates[i] >> 8, surrogates[i] & 0xff));
		}
		int[] high = { 0xa080, 0xa080, 0xadbf, 0xadbf, 0xae80, 0xae80, 0xafbf, 0xafbf };
		int[] low = { 0xb080, 0xbfbf, 0xb080, 0xbfbf, 0xb080, 0xbfbf, 0xb080, 0xbfbf };
		for (int i = 0; i < high.length; i++) {
			cases.add(malformed("5.2." + (i + 1) + " paired surrogates", 0xed, high[i] >> 8, high[i] & 0xff, 0xed,
					low[i] >> 8, low[i] & 0xff));
		}
		return cases.stream();
	}

	private static Arguments malformed(String name, int... bytes) {
		byte[] sequence = new byte[bytes.length];
		for (int i = 0; i < bytes.length; i++) {
			sequence[i] = (byte) bytes[i];
		}
		return Arguments.of(name, sequence);
	}

	private static Arguments lonely(String name, int first, int last) {
		int[] bytes = new int[(last - first + 1) * 2];
		for (int b = first; b <= last; b++) {
			bytes[(b - first) * 2] = b;
			bytes[(b - first) * 2 + 1] = ' ';
		}
		return malformed(name, bytes);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("malformedUtf8")
	void everyMalformedUtf8SequenceFailsItsItemNamingTheLineAndIsNeverAltered(String name, byte[] sequence)
			throws Exception {
		byte[] value = concat(concat("a".getBytes(StandardCharsets.US_ASCII), sequence), "b".getBytes(StandardCharsets.US_ASCII));
		String notUtf8 = "bytes that are not valid UTF-8 (save the file as UTF-8)";

		this.workspace.bytes("in.csv", concat(concat("id,text\n1,ok\n2,".getBytes(StandardCharsets.UTF_8), value),
				"\n3,after\n".getBytes(StandardCharsets.UTF_8)));
		List<InputItem> csv = read("csv", "in.csv");
		assertThat(csv).extracting(InputItem::error).containsExactly(null, "in.csv line 3: field 'text' holds " + notUtf8,
				null);
		assertThat(csv).extracting((item) -> item.fields().get("text")).containsExactly("ok", null, "after");

		this.workspace.bytes("in.jsonl", concat(concat("{\"t\":\"ok\"}\n{\"t\":\"".getBytes(StandardCharsets.UTF_8), value),
				"\"}\n{\"t\":\"after\"}\n".getBytes(StandardCharsets.UTF_8)));
		List<InputItem> jsonl = read("jsonl", "in.jsonl");
		assertThat(jsonl).extracting(InputItem::error).containsExactly(null, "in.jsonl line 2: " + notUtf8, null);
		assertThat(jsonl).extracting((item) -> item.fields().get("t")).containsExactly("ok", null, "after");

		this.workspace.bytes("texts/a.txt", "ok".getBytes(StandardCharsets.UTF_8));
		this.workspace.bytes("texts/b.txt", value);
		List<InputItem> texts = read("text", "texts");
		assertThat(texts).extracting(InputItem::error).containsExactly(null, "b.txt: " + notUtf8);
		assertThat(texts.get(1).fields()).isEmpty();
	}

	@Test
	void noncharactersAreCharactersAndComeThroughExactly() throws Exception {
		// Kuhn's section 5.3: U+FFFE and U+FFFF are valid UTF-8, kept as they are
		this.workspace.bytes("in.jsonl", new byte[] { '{', '"', 't', '"', ':', '"', (byte) 0xef, (byte) 0xbf, (byte) 0xbe,
				(byte) 0xef, (byte) 0xbf, (byte) 0xbf, '"', '}', '\n' });
		assertThat(read("jsonl", "in.jsonl")).singleElement()
			.satisfies((item) -> assertThat(item.fields()).containsEntry("t", "\ufffe\uffff"));
	}

	private static List<InputItem> readAll(ItemStreamReader<InputItem> reader) throws Exception {
		List<InputItem> items = new ArrayList<>();
		reader.open(new ExecutionContext());
		for (InputItem item = reader.read(); item != null; item = reader.read()) {
			items.add(item);
		}
		reader.close();
		return items;
	}

	@SuppressWarnings("unchecked")
	private static List<String> naughtyStrings() throws IOException {
		List<String> strings = PLAIN.readValue(Files.readAllBytes(fixtures("naughty-strings").resolve("blns-sample.json")),
				List.class);
		assertThat(strings).hasSize(28).contains("", "\u2029test\u2029", "\ufeff");
		return strings;
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> castMap(Object value) {
		return (Map<String, Object>) value;
	}

	private static byte[] concat(byte[] a, byte[] b) {
		byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
		System.arraycopy(b, 0, all, a.length, b.length);
		return all;
	}

}
