package dev.dmrbatch.input;

import java.util.Map;

import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * Each line as it is, in the field {@code line}, for a built-in job that parses its lines itself (the OpenAI Batch
 * request file). Not a bean: a job file cannot name it, and it takes no name from plugins.
 */
public final class LinesFormat implements InputFormatKind {

	@Override
	public String name() {
		return "lines";
	}

	@Override
	public String unit() {
		return "line";
	}

	@Override
	public void check(InputSource source) {
		InputReaders.checkFile(source);
	}

	@Override
	public ItemStreamReader<InputItem> open(InputSource source) {
		return InputReaders.lineReader(source, (text, lineNumber) -> InputItem.of(Map.of("line", text)));
	}

}
