package dev.dmrbatch.input;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.dmrbatch.support.Workspace;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InputReadersTests {

	@TempDir
	Path dir;

	Workspace workspace;

	@BeforeEach
	void setUp() {
		this.workspace = new Workspace(this.dir);
	}

	private InputSource source(String format, String path, String id) {
		return new InputSource(format, this.dir.resolve(path), id, path);
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
		assertThat(items.get(2).fields()).containsEntry("text", "ok\uFFFD!");
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

}
