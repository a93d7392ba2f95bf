package dev.dmrbatch.input;

import java.io.IOException;
import java.util.List;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectReader;

import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.batch.infrastructure.item.json.JsonObjectReader;
import org.springframework.batch.infrastructure.item.json.builder.JsonItemReaderBuilder;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.stereotype.Component;

/** {@code json}: an array of objects, streamed element by element. */
@Component
@Order(30)
final class JsonFormat implements InputFormatKind {

	/** One element of a JSON array at a time: the rest of the array follows it. */
	private static final ObjectReader ELEMENT = InputReaders.JSON.readerFor(Object.class)
		.without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

	@Override
	public String name() {
		return "json";
	}

	@Override
	public List<String> extensions() {
		return List.of(".json");
	}

	@Override
	public String unit() {
		return "element";
	}

	@Override
	public void check(InputSource source) {
		InputReaders.checkFile(source);
		try {
			checkArray(source);
		}
		catch (IOException ex) {
			throw InputReaders.unreadable(source, ex);
		}
	}

	@Override
	public ItemStreamReader<InputItem> open(InputSource source) {
		return new JsonItemReaderBuilder<InputItem>().name("input")
			.resource(new FileSystemResource(source.path()))
			.jsonObjectReader(new JsonArrayElements(source.display()))
			.build();
	}

	/**
	 * The elements of a JSON array, whatever their kind: Spring Batch's JacksonJsonObjectReader stops at
	 * the first element that is not an object, which would drop the rest of the input without a word. Anything after
	 * the array's end is one more item, failed, naming its line.
	 */
	private static final class JsonArrayElements implements JsonObjectReader<InputItem> {

		private final String display;

		private TextEncoding.Decoded text;

		private JsonParser parser;

		private int index;

		/** The array's end is read, and what follows it. */
		private boolean finished;

		JsonArrayElements(String display) {
			this.display = display;
		}

		@Override
		public void open(Resource resource) throws Exception {
			this.text = TextEncoding.open(resource.getFile().toPath());
			this.parser = InputReaders.JSON.createParser(this.text);
			if (this.parser.nextToken() != JsonToken.START_ARRAY) {
				throw new InputException("input file " + this.display + " is not a JSON array of objects");
			}
			this.index = 0;
			this.finished = false;
		}

		@Override
		public InputItem read() {
			if (this.finished) {
				return null;
			}
			try {
				JsonToken token = this.parser.nextToken();
				if (token == null || token == JsonToken.END_ARRAY) {
					this.finished = true;
					return afterTheEnd();
				}
				this.index++;
				return InputReaders.object(ELEMENT.readValue(this.parser), this.display + " element " + this.index,
						this.text.heldMalformed());
			}
			catch (JacksonException ex) {
				throw new InputException(this.display + ": not valid JSON at element " + (this.index) + " ("
						+ InputReaders.brief(ex) + ")");
			}
		}

		/** Nothing but whitespace may follow the array: anything else is a failed item naming its line. */
		private InputItem afterTheEnd() {
			long line;
			try {
				if (this.parser.nextToken() == null) {
					return null;
				}
				line = this.parser.currentTokenLocation().getLineNr();
			}
			catch (JacksonException ex) {
				line = (ex.getLocation() != null) ? ex.getLocation().getLineNr() : this.parser.currentLocation().getLineNr();
			}
			return InputItem.invalid(this.display + " line " + line
					+ ": something follows the array's end (a JSON file holds one array)");
		}

		@Override
		public void jumpToItem(int itemIndex) {
			for (int i = 0; i < itemIndex; i++) {
				JsonToken token = this.parser.nextToken();
				if (token == null || token == JsonToken.END_ARRAY) {
					// the item read last was what follows the array
					this.finished = true;
					return;
				}
				this.parser.skipChildren();
				this.index++;
			}
		}

		@Override
		public void close() {
			if (this.parser != null) {
				this.parser.close();
			}
		}

	}

	private static void checkArray(InputSource source) throws IOException {
		try (JsonParser parser = InputReaders.JSON.createParser(TextEncoding.open(source.path()))) {
			JsonToken first = parser.nextToken();
			if (first != JsonToken.START_ARRAY) {
				throw new InputException("input file " + source.display()
						+ " is not a JSON array of objects (format json; for one object a line use format jsonl)");
			}
		}
		catch (JacksonException ex) {
			throw new InputException("input file " + source.display() + " is not valid JSON: " + InputReaders.brief(ex));
		}
	}

}
