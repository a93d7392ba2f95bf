package dev.dmrbatch.openaibatch;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.dmrbatch.input.InputException;
import dev.dmrbatch.input.InputItem;
import dev.dmrbatch.input.InputReaders;
import dev.dmrbatch.input.InputSource;
import dev.dmrbatch.jobfile.JobDefinition;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * The built-in {@code openai-batch} job: an OpenAI Batch API request file ({@code custom_id}, {@code method},
 * {@code url}, {@code body} a line) run against the local runner as an ordinary dmr-batch run, restartable and
 * retried, each request's body sent as it is. Its results are written in OpenAI's own output and error file formats
 * (export {@value #EXPORT}). This is the file format; the job that sends the requests is
 * {@code run.openaibatch.OpenAiBatchJob}.
 */
public final class OpenAiBatch {

	public static final String JOB = "openai-batch";

	public static final String EXPORT = "openai-batch";

	/** The model of a run whose requests each name their own. */
	public static final String PER_REQUEST = "(per request)";

	/** The one step of the job. */
	public static final String STEP = "request";

	private static final JsonMapper JSON = JsonMapper.shared();

	/** custom_id recovered from a line that is not valid JSON, so the error can still name it. */
	private static final Pattern CUSTOM_ID = Pattern.compile("\"custom_id\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

	private OpenAiBatch() {
	}

	/** The job's definition: its input read line by line, one step, the OpenAI files as export. */
	public static JobDefinition definition(String input) {
		return new JobDefinition(JOB, "Runs an OpenAI Batch API request file against the local runner.",
				new JobDefinition.Input("lines", input, null), null, null, Map.of(),
				List.of(new JobDefinition.Step(STEP, "", null)), null, null, null, List.of(EXPORT), Map.of(), null);
	}

	/**
	 * Refuses a file in which a custom_id appears twice, as OpenAI's API does, before anything is sent. The file is
	 * read by the job's own reader, so a line here is the line an error names later.
	 * @throws InputException naming the custom_id and both lines
	 */
	public static void checkUnique(InputSource source) {
		Map<String, Long> seen = new HashMap<>();
		ItemStreamReader<InputItem> reader = InputReaders.reader(source);
		try {
			reader.open(new ExecutionContext());
			for (InputItem item = reader.read(); item != null; item = reader.read()) {
				String id = (item.error() == null && !item.isBlank()) ? customId((String) item.fields().get("line")) : null;
				if (id == null) {
					continue;
				}
				Long first = seen.putIfAbsent(id, item.seq());
				if (first != null) {
					throw new InputException("input file " + source.display() + ": custom_id \"" + id + "\" is on line "
							+ first + " and line " + item.seq() + "; each request needs its own custom_id (nothing was sent)");
				}
			}
		}
		catch (InputException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw new InputException("input file " + source.display() + " cannot be read: " + ex.getMessage());
		}
		finally {
			reader.close();
		}
	}

	/** A line's custom_id: from its JSON, or found in the text of a line that is not JSON; {@code null} if none. */
	public static String customId(String line) {
		try {
			JsonNode node = JSON.readTree(line);
			JsonNode id = (node != null) ? node.get("custom_id") : null;
			return (id != null && id.isString()) ? id.asString() : null;
		}
		catch (JacksonException ex) {
			Matcher found = CUSTOM_ID.matcher(line);
			return found.find() ? found.group(1) : null;
		}
	}

}
