package dev.dmrbatch.examples.xlsx;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.dmrbatch.plugin.api.Options;
import dev.dmrbatch.plugin.api.PluginException;
import dev.dmrbatch.plugin.api.RecordReader;
import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The xlsx input format reads each cell as the workbook holds it, and refuses what it would otherwise lose. */
class XlsxInputTest {

	@TempDir
	Path folder;

	@Test
	void integersAreExactDigitsDecimalsAsWrittenDatesAsIsoText() throws IOException {
		Path file = workbook((sheet) -> {
			header(sheet, "int", "big", "decimal", "day", "moment", "text", "flag");
			sheet.value(1, 0, 7);
			sheet.value(1, 1, new BigDecimal("123456789012345678901234"));
			sheet.value(1, 2, new BigDecimal("0.1"));
			sheet.value(1, 3, LocalDate.of(2024, 3, 1));
			sheet.style(1, 3).format("yyyy-mm-dd").set();
			sheet.value(1, 4, LocalDateTime.of(2024, 3, 1, 9, 30));
			sheet.style(1, 4).format("dd/mm/yyyy hh:mm").set();
			sheet.value(1, 5, "007");
			sheet.value(1, 6, true);
			sheet.value(2, 0, -9007199254740993L);
			sheet.value(2, 2, 2.5);
		});

		List<Map<String, Object>> records = read(file);

		assertThat(records).hasSize(2);
		Map<String, Object> first = records.get(0);
		assertThat(first.get("int")).isEqualTo(7L);
		assertThat(String.valueOf(first.get("int"))).isEqualTo("7");
		assertThat(first.get("big")).hasToString("123456789012345678901234");
		assertThat(first.get("decimal")).hasToString("0.1");
		assertThat(first.get("day")).isEqualTo("2024-03-01");
		assertThat(first.get("moment")).isEqualTo("2024-03-01T09:30");
		assertThat(first.get("text")).isEqualTo("007");
		assertThat(first.get("flag")).isEqualTo(true);
		Map<String, Object> second = records.get(1);
		assertThat(second.get("int")).isEqualTo(-9007199254740993L);
		assertThat(second.get("decimal")).hasToString("2.5");
		assertThat(second.get("big")).isEqualTo("");
	}

	@Test
	void aHeaderNamingAFieldTwiceIsRefusedNamingTheColumns() throws IOException {
		Path file = workbook((sheet) -> {
			header(sheet, "id", "text", "id");
			sheet.value(1, 0, "r1");
		});

		assertThatThrownBy(() -> new XlsxInput().check(file, Options.none())).isInstanceOf(PluginException.class)
			.hasMessage("input book.xlsx: columns A and C both name the field 'id' in the header row");
	}

	@Test
	void aValueRightOfTheHeaderFailsThatRecordAndTheReaderGoesOn() throws IOException {
		Path file = workbook((sheet) -> {
			header(sheet, "id", "text");
			sheet.value(1, 0, "r1");
			sheet.value(1, 1, "one");
			sheet.value(2, 0, "r2");
			sheet.value(2, 1, "two");
			sheet.value(2, 3, "lost?");
			sheet.value(3, 0, "r3");
			sheet.value(3, 1, "three");
		});

		try (RecordReader reader = new XlsxInput().open(file, Options.none(), 0)) {
			assertThat(reader.next()).containsEntry("id", "r1");
			assertThatThrownBy(reader::next).isInstanceOf(PluginException.class)
				.hasMessage("row 3 has a value in cell D3, right of the last column named in the header row (B)");
			assertThat(reader.position()).isEqualTo(2);
			assertThat(reader.next()).containsEntry("id", "r3").containsEntry("text", "three");
			assertThat(reader.next()).isNull();
		}
	}

	// --- helpers

	private static void header(Worksheet sheet, String... names) {
		for (int c = 0; c < names.length; c++) {
			sheet.value(0, c, names[c]);
		}
	}

	private Path workbook(Consumer<Worksheet> cells) throws IOException {
		Path file = this.folder.resolve("book.xlsx");
		try (OutputStream out = Files.newOutputStream(file)) {
			Workbook workbook = new Workbook(out, "test", "1.0");
			cells.accept(workbook.newWorksheet("Sheet1"));
			workbook.finish();
		}
		return file;
	}

	private static List<Map<String, Object>> read(Path file) throws IOException {
		try (RecordReader reader = new XlsxInput().open(file, Options.none(), 0)) {
			List<Map<String, Object>> records = new java.util.ArrayList<>();
			for (Map<String, Object> record = reader.next(); record != null; record = reader.next()) {
				records.add(record);
			}
			return records;
		}
	}

}
