package dev.dmrbatch.input;

import java.util.List;

import tools.jackson.core.JacksonException;

import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.batch.infrastructure.item.file.LineMapper;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code jsonl}: one object a line, and nothing else on it; a malformed line is a failed item with its line number.
 */
@Component
@Order(20)
final class JsonlFormat implements InputFormatKind {

	@Override
	public String name() {
		return "jsonl";
	}

	@Override
	public List<String> extensions() {
		return List.of(".jsonl", ".ndjson");
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
		LineMapper<InputItem> mapper = (text, lineNumber) -> {
			Object value;
			try {
				value = InputReaders.JSON.readValue(text, Object.class);
			}
			catch (JacksonException ex) {
				return InputItem.invalid(source.display() + " line " + lineNumber + ": not valid JSON ("
						+ InputReaders.brief(ex) + ")");
			}
			return InputReaders.object(value, source.display() + " line " + lineNumber, false);
		};
		return InputReaders.lineReader(source, mapper);
	}

}
