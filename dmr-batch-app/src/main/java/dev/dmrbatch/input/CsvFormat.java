package dev.dmrbatch.input;

import java.io.IOException;
import java.util.List;

import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/** {@code csv}: RFC 4180, every field exactly as written between its quotes, one item a record ({@link CsvItemReader}). */
@Component
@Order(10)
final class CsvFormat implements InputFormatKind {

	@Override
	public String name() {
		return "csv";
	}

	@Override
	public List<String> extensions() {
		return List.of(".csv");
	}

	@Override
	public void check(InputSource source) {
		InputReaders.checkFile(source);
		header(source);
	}

	@Override
	public ItemStreamReader<InputItem> open(InputSource source) {
		return new CsvItemReader(source.path(), source.display(), header(source));
	}

	private static List<String> header(InputSource source) {
		try {
			return CsvItemReader.header(source.path(), source.display());
		}
		catch (IOException ex) {
			throw InputReaders.unreadable(source, ex);
		}
	}

}
