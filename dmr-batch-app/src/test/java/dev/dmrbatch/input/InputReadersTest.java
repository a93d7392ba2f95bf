package dev.dmrbatch.input;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.dmrbatch.support.Kinds;
import dev.dmrbatch.support.Workspace;
import dev.dmrbatch.support.WorkspaceExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(WorkspaceExtension.class)
class InputReadersTest {

	Workspace workspace;

	private InputSource source(String format, String path, String id) {
		return new InputSource(Kinds.inputFormat(format), this.workspace.root().resolve(path), id, path);
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
	void csvFollowsRfc4180WithBomQuotesCommasAndNewlines() throws Exception {
		String csv = "\uFEFFid,title,text\r\n" + "a1,\"Commas, here\",\"She said \"\"hi\"\"\nand left\"\r\n"
				+ "a2,Plain,Ünïcödé — ’quotes’\r\n";
		this.workspace.bytes("in.csv", csv.getBytes(StandardCharsets.UTF_8));
		InputSource source = source("csv", "in.csv", "id");
		InputReaders.check(source);
		List<InputItem> items = readAll(InputReaders.reader(source), new ExecutionContext());
		assertThat(items).extracting(InputItem::id).containsExactly("a1", "a2");
		assertThat(items.get(0).fields()).containsEntry("title", "Commas, here")
			.containsEntry("text", "She said \"hi\"\nand left");
		assertThat(items.get(1).fields()).containsEntry("text", "Ünïcödé — ’quotes’");
		assertThat(items).extracting(InputItem::seq).containsExactly(1L, 2L);
	}

	@Test
	void csvRowWithWrongFieldCountIsAnItemWithItsLine() throws Exception {
		this.workspace.file("in.csv", "id,text\n1,ok\n2,too,many\n3,fine\n");
		List<InputItem> items = readAll(InputReaders.reader(source("csv", "in.csv", null)), new ExecutionContext());
		assertThat(items).hasSize(3);
		assertThat(items.get(1).error()).isEqualTo("in.csv line 3: 3 fields where the header has 2");
		assertThat(items.get(2).fields()).containsEntry("text", "fine");
		assertThat(items).extracting(InputItem::id).containsExactly("1", "2", "3");
	}

	@Test
	void csvHeaderProblemsStopBeforeTheRun() {
		this.workspace.file("in.csv", "id,id\n1,2\n");
		assertThatThrownBy(() -> InputReaders.check(source("csv", "in.csv", null)))
			.hasMessage("in.csv line 1: the header names column 'id' twice");
	}

	@Test
	void jsonlMalformedLineIsAnItemWithItsLineNumber() throws Exception {
		this.workspace.file("in.jsonl", "{\"id\":\"x\",\"t\":\"a \\\"quoted\\\" word\"}\n{broken\n\n[1,2]\n{\"id\":\"y\"}\n");
		List<InputItem> items = readAll(InputReaders.reader(source("jsonl", "in.jsonl", "id")),
				new ExecutionContext());
		assertThat(items).hasSize(5);
		assertThat(items.get(0).fields()).containsEntry("t", "a \"quoted\" word");
		assertThat(items.get(1).error()).startsWith("in.jsonl line 2: not valid JSON");
		assertThat(items.get(2).isBlank()).isTrue();
		assertThat(items.get(3).error()).isEqualTo("in.jsonl line 4: a JSON object was expected, found an array");
		assertThat(items.get(4).id()).isEqualTo("y");
	}

	@Test
	void jsonArrayIsStreamedAndNonObjectsAreReported() throws Exception {
		this.workspace.file("in.json", "[{\"id\":1,\"t\":\"a\"}, 5, {\"id\":3,\"nested\":{\"k\":[1,2]}}]");
		InputSource source = source("json", "in.json", "id");
		InputReaders.check(source);
		List<InputItem> items = readAll(InputReaders.reader(source), new ExecutionContext());
		assertThat(items).hasSize(3);
		assertThat(items.get(0).id()).isEqualTo("1");
		assertThat(items.get(1).error()).isEqualTo("in.json element 2: a JSON object was expected, found a number");
		assertThat(items.get(2).id()).isEqualTo("3");
	}

	@Test
	void jsonThatIsNotAnArrayIsRefused() {
		this.workspace.file("in.json", "{\"id\":1}");
		assertThatThrownBy(() -> InputReaders.check(source("json", "in.json", null)))
			.hasMessageContaining("is not a JSON array of objects");
	}

	@Test
	void textFolderGivesOneItemPerFileInPathOrder() throws Exception {
		this.workspace.file("notes/b.md", "# B").file("notes/a.txt", "A").file("notes/sub/c.txt", "C")
			.file("notes/skip.pdf", "x");
		this.workspace.bytes("notes/bad.txt", new byte[] { 'o', 'k', (byte) 0xff, '!' });
		List<InputItem> items = readAll(InputReaders.reader(source("text", "notes", null)), new ExecutionContext());
		assertThat(items).extracting(InputItem::id).containsExactly("a.txt", "b.md", "bad.txt", "sub/c.txt");
		assertThat(items.get(1).fields()).containsEntry("text", "# B").containsEntry("name", "b");
		assertThat(items.get(2).error()).isEqualTo("bad.txt: bytes that are not valid UTF-8 (save the file as UTF-8)");
		assertThat(items.get(2).fields()).isEmpty();
	}

	@Test
	void missingIdFieldFailsThatItemOnly() throws Exception {
		this.workspace.file("in.jsonl", "{\"id\":\"a\"}\n{\"other\":1}\n");
		List<InputItem> items = readAll(InputReaders.reader(source("jsonl", "in.jsonl", "id")),
				new ExecutionContext());
		assertThat(items.get(0).error()).isNull();
		assertThat(items.get(1).error()).isEqualTo("line 2 has no value for the id field 'id' (input.id)");
	}

	@Test
	void restartContinuesWithTheSameNumbers() throws Exception {
		StringBuilder csv = new StringBuilder("n,text\n");
		for (int i = 1; i <= 10; i++) {
			csv.append(i).append(",\"row ").append(i).append("\nsecond line\"\n");
		}
		this.workspace.file("in.csv", csv.toString());
		InputSource source = source("csv", "in.csv", null);
		ItemStreamReader<InputItem> first = InputReaders.reader(source);
		ExecutionContext context = new ExecutionContext();
		first.open(context);
		for (int i = 0; i < 4; i++) {
			first.read();
		}
		first.update(context); // what a chunk commit saves
		first.close();
		List<InputItem> rest = readAll(InputReaders.reader(source), context);
		assertThat(rest).extracting(InputItem::seq).containsExactly(5L, 6L, 7L, 8L, 9L, 10L);
		assertThat(rest.get(0).fields()).containsEntry("n", "5").containsEntry("text", "row 5\nsecond line");
	}

	@Test
	void missingInputIsNamed() {
		assertThatThrownBy(() -> InputReaders.check(source("csv", "nope.csv", null)))
			.hasMessage("input file nope.csv does not exist");
		assertThatThrownBy(() -> InputReaders.check(source("text", "nope", null)))
			.hasMessage("input folder nope does not exist");
	}

	@Test
	void emptyFileHasNoItems() throws Exception {
		this.workspace.file("in.csv", "");
		this.workspace.file("in.jsonl", "");
		assertThat(readAll(InputReaders.reader(source("csv", "in.csv", null)), new ExecutionContext())).isEmpty();
		assertThat(readAll(InputReaders.reader(source("jsonl", "in.jsonl", null)), new ExecutionContext())).isEmpty();
	}


	/**
	 * CSV edge cases beyond csv-spectrum's (whose files {@code InputFixturesTest} reads): a row of empty fields, a
	 * field of one quote, line breaks as CR, mixed line ends, wider UTF-8, no final line end, spaces, a quote inside
	 * an unquoted field, rows starting with #; each read back field for field.
	 */
	static Stream<Arguments> csvEdgeCases() {
		return Stream.of(
				Arguments.of("empty fields", "a,b,c\n1,\"\",\"\"\n2,3,4\n,,\n",
						List.of(List.of("1", "", ""), List.of("2", "3", "4"), List.of("", "", ""))),
				Arguments.of("only a quote", "a,b\n1,\"\"\"\"\n", List.of(List.of("1", "\""))),
				Arguments.of("line breaks CR", "a,b,c\r1,2,3\r\"Once upon \ra time\",5,6\r7,8,9\r",
						List.of(List.of("1", "2", "3"), List.of("Once upon \ra time", "5", "6"), List.of("7", "8", "9"))),
				Arguments.of("mixed line ends in one field", "a,b\r\n1,\"x\r\ny\nz\rw\"\r\n",
						List.of(List.of("1", "x\r\ny\nz\rw"))),
				Arguments.of("utf-8", "a,b,c\n1,2,3\n4,5,\u02a4\n6,\"\u65e5\u672c\u8a9e, \u0639\u0631\u0628\u064a\",\ud83d\ude00\n",
						List.of(List.of("1", "2", "3"), List.of("4", "5", "\u02a4"),
								List.of("6", "\u65e5\u672c\u8a9e, \u0639\u0631\u0628\u064a", "\ud83d\ude00"))),
				Arguments.of("no line end at the end", "a,b\n1,\"two\nlines\"", List.of(List.of("1", "two\nlines"))),
				Arguments.of("spaces kept", "a,b\n  1 , two  \n", List.of(List.of("  1 ", " two  "))),
				Arguments.of("a quote inside an unquoted field is a character", "a,b\n1,a 5\" screen\n",
						List.of(List.of("1", "a 5\" screen"))),
				Arguments.of("rows starting with #", "a,b\n#1,x\n# not a comment,y\n2,z\n",
						List.of(List.of("#1", "x"), List.of("# not a comment", "y"), List.of("2", "z"))));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("csvEdgeCases")
	void csvEdgeCasesRoundTripExactly(String name, String csv, List<List<String>> rows) throws Exception {
		this.workspace.bytes("in.csv", csv.getBytes(StandardCharsets.UTF_8));
		InputSource source = source("csv", "in.csv", null);
		InputReaders.check(source);
		List<InputItem> items = readAll(InputReaders.reader(source), new ExecutionContext());
		assertThat(items).extracting(InputItem::error).containsOnlyNulls();
		assertThat(items).extracting((item) -> (Object) List.copyOf(item.fields().values())).containsExactlyElementsOf(rows);
	}

	@Test
	void linesStartingWithHashAreItemsInEveryLineFormat() throws Exception {
		this.workspace.file("in.jsonl", "{\"t\":\"a\"}\n#{\"t\":\"b\"}\n{\"t\":\"c\"}\n");
		List<InputItem> jsonl = readAll(InputReaders.reader(source("jsonl", "in.jsonl", null)), new ExecutionContext());
		assertThat(jsonl).hasSize(3);
		assertThat(jsonl.get(1).error()).startsWith("in.jsonl line 2: not valid JSON");
		assertThat(jsonl.get(2).fields()).containsEntry("t", "c");
		assertThat(jsonl).extracting(InputItem::seq).containsExactly(1L, 2L, 3L);

		this.workspace.file("in.txt", "one\n# two\nthree\n");
		List<InputItem> lines = readAll(InputReaders.reader(source("lines", "in.txt", null)), new ExecutionContext());
		assertThat(lines).extracting((item) -> item.fields().get("line")).containsExactly("one", "# two", "three");
		assertThat(lines).extracting(InputItem::seq).containsExactly(1L, 2L, 3L);
	}

	@Test
	void malformedCsvRecordIsOneFailedItemAndReadingGoesOn() throws Exception {
		this.workspace.file("in.csv", "id,text\n1,ok\n2,\"bad\"tail\n3,fine\n4,\"never closed\n5,after\n6,\"\"\n");
		List<InputItem> items = readAll(InputReaders.reader(source("csv", "in.csv", null)), new ExecutionContext());
		assertThat(items).extracting(InputItem::error).containsExactly(null,
				"in.csv line 3: a quoted field is followed by other characters before the next comma or line end (a stray "
						+ "or unbalanced quote)", null,
				"in.csv line 5: a quoted field is opened and never closed (an unbalanced quote)", null, null);
		assertThat(items).extracting((item) -> item.fields().get("text"))
			.containsExactly("ok", null, "fine", null, "after", "");
		assertThat(items).extracting(InputItem::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
	}

	@Test
	void csvRestartResumesAtTheSavedLineAfterAMalformedRecord() throws Exception {
		this.workspace.file("in.csv", "id,text\n1,\"a\r\nb\"\n2,\"open\n3,x\n4,\"c\nd\"\n5,y\n");
		InputSource source = source("csv", "in.csv", null);
		List<InputItem> all = readAll(InputReaders.reader(source), new ExecutionContext());
		for (int stop = 0; stop <= all.size(); stop++) {
			ItemStreamReader<InputItem> first = InputReaders.reader(source);
			ExecutionContext context = new ExecutionContext();
			first.open(context);
			for (int i = 0; i < stop; i++) {
				first.read();
			}
			first.update(context);
			first.close();
			assertThat(readAll(InputReaders.reader(source), context)).as("restarted after %d items", stop)
				.isEqualTo(all.subList(stop, all.size()));
		}
	}

	static Stream<Arguments> byteOrderMarks() {
		return Stream.of(Arguments.of(StandardCharsets.UTF_8, new byte[] { (byte) 0xEF, (byte) 0xBB, (byte) 0xBF }),
				Arguments.of(StandardCharsets.UTF_16LE, new byte[] { (byte) 0xFF, (byte) 0xFE }),
				Arguments.of(StandardCharsets.UTF_16BE, new byte[] { (byte) 0xFE, (byte) 0xFF }),
				Arguments.of(java.nio.charset.Charset.forName("UTF-32LE"),
						new byte[] { (byte) 0xFF, (byte) 0xFE, 0, 0 }));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("byteOrderMarks")
	void filesWithAByteOrderMarkAreReadInTheirEncoding(java.nio.charset.Charset charset, byte[] bom)
			throws Exception {
		String csv = "id,text\r\n1,\"\u00e9t\u00e9 \u65e5\u672c\r\nsecond\"\r\n2,\ud83d\ude00\r\n";
		this.workspace.bytes("in.csv", concat(bom, csv.getBytes(charset)));
		String jsonl = "{\"t\":\"\u00e9t\u00e9 \u65e5\u672c\"}\n{\"t\":\"\ud83d\ude00\"}\n";
		this.workspace.bytes("in.jsonl", concat(bom, jsonl.getBytes(charset)));
		this.workspace.bytes("notes/a.txt", concat(bom, "\u00e9t\u00e9\n".getBytes(charset)));
		this.workspace.bytes("in.json", concat(bom, "[{\"t\":\"\u00e9t\u00e9\"}]".getBytes(charset)));

		InputReaders.check(source("csv", "in.csv", null));
		assertThat(readAll(InputReaders.reader(source("csv", "in.csv", null)), new ExecutionContext()))
			.extracting((item) -> item.fields().get("text"))
			.containsExactly("\u00e9t\u00e9 \u65e5\u672c\r\nsecond", "\ud83d\ude00");
		assertThat(readAll(InputReaders.reader(source("jsonl", "in.jsonl", null)), new ExecutionContext()))
			.extracting((item) -> item.fields().get("t"))
			.containsExactly("\u00e9t\u00e9 \u65e5\u672c", "\ud83d\ude00");
		assertThat(readAll(InputReaders.reader(source("text", "notes", null)), new ExecutionContext()))
			.extracting((item) -> item.fields().get("text"))
			.containsExactly("\u00e9t\u00e9\n");
		InputReaders.check(source("json", "in.json", null));
		assertThat(readAll(InputReaders.reader(source("json", "in.json", null)), new ExecutionContext()))
			.extracting((item) -> item.fields().get("t"))
			.containsExactly("\u00e9t\u00e9");
	}

	private static byte[] concat(byte[] a, byte[] b) {
		byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
		System.arraycopy(b, 0, all, a.length, b.length);
		return all;
	}

	@Test
	void bytesThatAreNotValidFailTheirItemNamingLineAndFieldNeverAltered() throws Exception {
		byte[] bad = { 'c', 'a', 'f', (byte) 0xE9 }; // Latin-1, not UTF-8
		this.workspace.bytes("in.csv", concat(concat("id,text\n1,ok\n2,".getBytes(StandardCharsets.UTF_8), bad),
				"\n3,\ufffd is a character\n".getBytes(StandardCharsets.UTF_8)));
		List<InputItem> csv = readAll(InputReaders.reader(source("csv", "in.csv", null)), new ExecutionContext());
		assertThat(csv).extracting(InputItem::error).containsExactly(null,
				"in.csv line 3: field 'text' holds bytes that are not valid UTF-8 (save the file as UTF-8)", null);
		assertThat(csv.get(2).fields()).containsEntry("text", "\ufffd is a character");

		this.workspace.bytes("in.jsonl", concat(concat("{\"t\":\"ok\"}\n{\"t\":\"".getBytes(StandardCharsets.UTF_8), bad),
				"\"}\n{\"t\":\"after\"}\n".getBytes(StandardCharsets.UTF_8)));
		List<InputItem> jsonl = readAll(InputReaders.reader(source("jsonl", "in.jsonl", null)), new ExecutionContext());
		assertThat(jsonl).extracting(InputItem::error).containsExactly(null,
				"in.jsonl line 2: bytes that are not valid UTF-8 (save the file as UTF-8)", null);

		this.workspace.bytes("in.json", concat(concat("[{\"t\":\"ok\"},{\"n\":{\"t\":\"".getBytes(StandardCharsets.UTF_8), bad),
				"\"}},{\"t\":\"after\"}]".getBytes(StandardCharsets.UTF_8)));
		List<InputItem> json = readAll(InputReaders.reader(source("json", "in.json", null)), new ExecutionContext());
		assertThat(json).extracting(InputItem::error).containsExactly(null,
				"in.json element 2: field 'n' holds bytes that are not valid in the file's encoding (save the file as UTF-8)",
				null);
	}

	@Test
	void charactersAfterAClosingQuoteEndTheRecordOnTheirLineAndNameItsLines() throws Exception {
		this.workspace.file("in.csv", "id,text\n1,ok\n2,\"a\nb\"x\n3,after\n");
		List<InputItem> items = readAll(InputReaders.reader(source("csv", "in.csv", null)), new ExecutionContext());
		assertThat(items).extracting(InputItem::error).containsExactly(null, "in.csv lines 3-4: a quoted field is "
				+ "followed by other characters before the next comma or line end (a stray or unbalanced quote)", null);
		assertThat(items).extracting((item) -> item.fields().get("text")).containsExactly("ok", null, "after");
	}

	@Test
	void aQuotedBlankValueOfAOneColumnCsvIsAnItem() throws Exception {
		this.workspace.file("in.csv", "text\n\"   \"\n\nx\n");
		List<InputItem> items = readAll(InputReaders.reader(source("csv", "in.csv", null)), new ExecutionContext());
		assertThat(items).extracting(InputItem::isBlank).containsExactly(false, true, false);
		assertThat(items.get(0).fields()).containsEntry("text", "   ");
	}

	@Test
	void aRunStoppedBeforeTheLineWasSavedResumesAfterTheRecordsItCounted() throws Exception {
		this.workspace.file("in.csv", "id,text\n1,\"a\nb\"\n2,c\n3,d\n");
		ExecutionContext saved = new ExecutionContext();
		saved.putLong(InputReaders.POSITION, 2); // what the earlier flat-file reader's run saved
		List<InputItem> rest = readAll(InputReaders.reader(source("csv", "in.csv", null)), saved);
		assertThat(rest).extracting(InputItem::seq).containsExactly(3L);
		assertThat(rest.get(0).fields()).containsEntry("text", "d");
	}

	@Test
	void aJsonlLineIsOneJsonValueAndNothingElse() throws Exception {
		this.workspace.file("in.jsonl", "{\"a\":\"b\"}#\n{\"a\":\"b\"}/**/\n{}}\n{\"a\": true} \"x\"\n"
				+ "{\"n\":\"2a\"} {\"n\":\"2b\"}\n{\"n\":\"ok\"}  \t\n");
		List<InputItem> items = readAll(InputReaders.reader(source("jsonl", "in.jsonl", null)), new ExecutionContext());
		assertThat(items).hasSize(6);
		for (int line = 1; line <= 5; line++) {
			assertThat(items.get(line - 1).error()).as("line %d", line)
				.startsWith("in.jsonl line " + line + ": not valid JSON (");
			assertThat(items.get(line - 1).fields()).isEmpty();
		}
		assertThat(items.get(5).error()).isNull();
		assertThat(items.get(5).fields()).containsExactly(java.util.Map.entry("n", "ok"));
	}

	@Test
	void onlyJsonWhitespaceMakesABlankLine() throws Exception {
		this.workspace.file("in.jsonl", "\f\n\u000b\n\u001c\n\u001f\n\u2028\n\u0085\n \t \r\n\n{\"n\":1}\n");
		List<InputItem> items = readAll(InputReaders.reader(source("jsonl", "in.jsonl", null)), new ExecutionContext());
		assertThat(items).extracting(InputItem::isBlank)
			.containsExactly(false, false, false, false, false, false, true, true, false);
		for (int line = 1; line <= 6; line++) {
			assertThat(items.get(line - 1).error()).as("line %d", line)
				.startsWith("in.jsonl line " + line + ": not valid JSON (");
		}
		this.workspace.file("in.txt", "\f\n \t\nx\n");
		List<InputItem> lines = readAll(InputReaders.reader(source("lines", "in.txt", null)), new ExecutionContext());
		assertThat(lines).extracting(InputItem::isBlank).containsExactly(false, true, false);
		assertThat(lines.get(0).fields()).containsEntry("line", "\f");
	}

	@Test
	void aLoneCarriageReturnIsNotALineBreakInLineFormats() throws Exception {
		this.workspace.file("in.jsonl", "{\"n\":1}\r{\"n\":2}\n{\"n\":3,\r\"t\":\"a\\rb\"}\r\n{\"n\":4}\r\n{broken\n{\"n\":6}\r");
		List<InputItem> items = readAll(InputReaders.reader(source("jsonl", "in.jsonl", null)), new ExecutionContext());
		assertThat(items).extracting(InputItem::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
		assertThat(items.get(0).error()).startsWith("in.jsonl line 1: not valid JSON (");
		assertThat(items.get(1).fields()).containsEntry("n", 3).containsEntry("t", "a\rb");
		assertThat(items.get(2).fields()).containsEntry("n", 4);
		assertThat(items.get(3).error()).startsWith("in.jsonl line 4: not valid JSON (");
		assertThat(items.get(4).fields()).containsEntry("n", 6);

		this.workspace.file("in.txt", "one\rstill one\r\ntwo\n");
		List<InputItem> lines = readAll(InputReaders.reader(source("lines", "in.txt", null)), new ExecutionContext());
		assertThat(lines).extracting((item) -> item.fields().get("line")).containsExactly("one\rstill one", "two");
	}

	@Test
	void aLineFormatRestartsAtTheSameLineAfterALoneCarriageReturn() throws Exception {
		this.workspace.file("in.jsonl", "{\"n\":1}\r{\"n\":1.5}\n{\"n\":2}\n\n{\"n\":4}\n");
		InputSource source = source("jsonl", "in.jsonl", null);
		List<InputItem> all = readAll(InputReaders.reader(source), new ExecutionContext());
		for (int stop = 0; stop <= all.size(); stop++) {
			ItemStreamReader<InputItem> first = InputReaders.reader(source);
			ExecutionContext context = new ExecutionContext();
			first.open(context);
			for (int i = 0; i < stop; i++) {
				first.read();
			}
			first.update(context);
			first.close();
			assertThat(readAll(InputReaders.reader(source), context)).as("restarted after %d items", stop)
				.isEqualTo(all.subList(stop, all.size()));
		}
	}

	@Test
	void whatFollowsAJsonArrayIsAFailedItemNamingItsLine() throws Exception {
		this.workspace.file("in.json", "[{\"n\":1},\n {\"n\":2}]\n\"x\"\n");
		List<InputItem> items = readAll(InputReaders.reader(source("json", "in.json", null)), new ExecutionContext());
		assertThat(items).extracting(InputItem::error).containsExactly(null, null,
				"in.json line 3: something follows the array's end (a JSON file holds one array)");
		this.workspace.file("in.json", "[][]");
		assertThat(readAll(InputReaders.reader(source("json", "in.json", null)), new ExecutionContext()))
			.extracting(InputItem::error)
			.containsExactly("in.json line 1: something follows the array's end (a JSON file holds one array)");
		this.workspace.file("in.json", "[{\"n\":1}] #");
		assertThat(readAll(InputReaders.reader(source("json", "in.json", null)), new ExecutionContext()))
			.extracting(InputItem::error)
			.containsExactly(null, "in.json line 1: something follows the array's end (a JSON file holds one array)");
		this.workspace.file("in.json", "\r\n [{\"n\":1}] \r\n\t\n");
		assertThat(readAll(InputReaders.reader(source("json", "in.json", null)), new ExecutionContext()))
			.extracting(InputItem::error)
			.containsExactly((String) null);
	}

	@Test
	void aJsonArrayRestartsAfterWhatFollowsIt() throws Exception {
		this.workspace.file("in.json", "[{\"n\":1},{\"n\":2}] x");
		InputSource source = source("json", "in.json", null);
		List<InputItem> all = readAll(InputReaders.reader(source), new ExecutionContext());
		assertThat(all).hasSize(3);
		for (int stop = 0; stop <= all.size(); stop++) {
			ItemStreamReader<InputItem> first = InputReaders.reader(source);
			ExecutionContext context = new ExecutionContext();
			first.open(context);
			for (int i = 0; i < stop; i++) {
				first.read();
			}
			first.update(context);
			first.close();
			assertThat(readAll(InputReaders.reader(source), context)).as("restarted after %d items", stop)
				.isEqualTo(all.subList(stop, all.size()));
		}
	}

	@Test
	void aLoneSurrogateFailsItsItemNamingLineAndField() throws Exception {
		this.workspace.file("in.jsonl", "{\"t\":\"ok\"}\n{\"id\":\"x\",\"text\":\"a\\ud800b\"}\n"
				+ "{\"n\":{\"deep\":[\"\\uDFAA\"]}}\n{\"\\udc00k\":1}\n{\"t\":\"\\ud83d\\ude00 pair\"}\n"
				+ "{\"t\":\"\\ude00\\ud83d inverted\"}\n");
		List<InputItem> items = readAll(InputReaders.reader(source("jsonl", "in.jsonl", "id")), new ExecutionContext());
		assertThat(items).extracting(InputItem::error).containsExactly(
				"line 1 has no value for the id field 'id' (input.id)",
				"in.jsonl line 2: field 'text' holds \\ud800, half of a surrogate pair without its other half (not a "
						+ "character)",
				"in.jsonl line 3: field 'n' holds \\udfaa, half of a surrogate pair without its other half (not a "
						+ "character)",
				"in.jsonl line 4: field '\\udc00k' holds \\udc00, half of a surrogate pair without its other half (not "
						+ "a character)",
				"line 5 has no value for the id field 'id' (input.id)",
				"in.jsonl line 6: field 't' holds \\ude00, half of a surrogate pair without its other half (not a "
						+ "character)");
		assertThat(items.get(1).fields()).isEmpty();

		this.workspace.file("in.json", "[{\"t\":\"ok\"},{\"text\":\"a\\ud800b\"},{\"t\":\"\\ud83d\\ude00\"}]");
		List<InputItem> json = readAll(InputReaders.reader(source("json", "in.json", null)), new ExecutionContext());
		assertThat(json).extracting(InputItem::error).containsExactly(null,
				"in.json element 2: field 'text' holds \\ud800, half of a surrogate pair without its other half (not "
						+ "a character)",
				null);
		assertThat(json.get(2).fields()).containsEntry("t", "\ud83d\ude00");
	}

	@Test
	void anIdIsDataKeptExactlyAndOnlyAnEmptyOneIsNoValue() throws Exception {
		this.workspace.file("in.jsonl", "{\"id\":\" \"}\n{\"id\":\"\\t\"}\n{\"id\":\" a \"}\n{\"id\":\"\"}\n{\"id\":null}\n"
				+ "{\"id\":0}\n");
		List<InputItem> items = readAll(InputReaders.reader(source("jsonl", "in.jsonl", "id")), new ExecutionContext());
		assertThat(items).extracting(InputItem::id).containsExactly(" ", "\t", " a ", "4", "5", "0");
		assertThat(items).extracting(InputItem::error).containsExactly(null, null, null,
				"line 4 has no value for the id field 'id' (input.id)",
				"line 5 has no value for the id field 'id' (input.id)", null);
		this.workspace.file("in.csv", "id,t\n \u00a0,a\n,b\n");
		List<InputItem> csv = readAll(InputReaders.reader(source("csv", "in.csv", "id")), new ExecutionContext());
		assertThat(csv).extracting(InputItem::id).containsExactly(" \u00a0", "2");
		assertThat(csv.get(1).error()).isEqualTo("record 2 has no value for the id field 'id' (input.id)");
	}

	@Test
	void aLinkOutOfATextFolderFailsItsItemAndIsNotRead() throws Exception {
		java.nio.file.Path secret = java.nio.file.Files.createTempFile("outside", ".txt");
		try {
			java.nio.file.Files.writeString(secret, "root:x:0:0");
			this.workspace.file("notes/a.txt", "A").file("elsewhere/b.txt", "B");
			java.nio.file.Path notes = this.workspace.path("notes");
			java.nio.file.Files.createSymbolicLink(notes.resolve("passwd.txt"), secret);
			java.nio.file.Files.createSymbolicLink(notes.resolve("same.txt"), notes.resolve("a.txt"));
			java.nio.file.Files.createSymbolicLink(notes.resolve("up.md"), java.nio.file.Path.of("../elsewhere/b.txt"));
			java.nio.file.Files.createSymbolicLink(notes.resolve("gone.txt"), notes.resolve("nothing.txt"));
			List<InputItem> items = readAll(InputReaders.reader(source("text", "notes", null)), new ExecutionContext());
			assertThat(items).extracting(InputItem::id).containsExactly("a.txt", "gone.txt", "passwd.txt", "same.txt",
					"up.md");
			assertThat(items).extracting(InputItem::error).containsExactly(null,
					"gone.txt: a link to a file that does not exist (not read)",
					"passwd.txt: a link to a file outside the input folder (not read)", null,
					"up.md: a link to a file outside the input folder (not read)");
			assertThat(items.get(2).fields()).isEmpty();
			assertThat(items.get(3).fields()).containsEntry("text", "A").containsEntry("file", "same.txt");
			assertThat(items).allSatisfy((item) -> assertThat(String.valueOf(item.fields())).doesNotContain("root:x"));
		}
		finally {
			java.nio.file.Files.deleteIfExists(secret);
		}
	}

	@Test
	void aPathIsInsideAFolderAsWrittenAndWithItsLinksFollowed() throws Exception {
		java.nio.file.Path outside = java.nio.file.Files.createTempDirectory("outside");
		try {
			this.workspace.file("in/a.csv", "x\n");
			java.nio.file.Path root = this.workspace.root();
			java.nio.file.Files.createSymbolicLink(root.resolve("out"), outside);
			java.nio.file.Files.createSymbolicLink(root.resolve("in/link.csv"), outside);
			assertThat(InputReaders.isInside(root, root.resolve("in/a.csv"))).isTrue();
			assertThat(InputReaders.isInside(root, root.resolve("in/../in/./a.csv"))).isTrue();
			assertThat(InputReaders.isInside(root, root.resolve("in/none.csv"))).isTrue();
			assertThat(InputReaders.isInside(root, root.resolve("../a.csv"))).isFalse();
			assertThat(InputReaders.isInside(root, root.resolve("out"))).isFalse();
			assertThat(InputReaders.isInside(root, root.resolve("in/link.csv"))).isFalse();
		}
		finally {
			java.nio.file.Files.deleteIfExists(outside);
		}
	}

}
