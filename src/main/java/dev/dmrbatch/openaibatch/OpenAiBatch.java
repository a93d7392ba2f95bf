package dev.dmrbatch.openaibatch;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.input.InputException;
import dev.dmrbatch.input.InputItem;
import dev.dmrbatch.input.InputSource;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.model.LoadGate;
import dev.dmrbatch.model.ModelCallException;
import dev.dmrbatch.model.RawRequests;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.stereotype.Component;

/**
 * The built-in {@code openai-batch} job: an OpenAI Batch API request file ({@code custom_id}, {@code method},
 * {@code url}, {@code body} a line) run against the local runner as an ordinary dmr-batch run, restartable and
 * retried, each request's body sent as it is. Its results are written in OpenAI's own output and error file formats
 * (export {@value #EXPORT}).
 */
@Component
public class OpenAiBatch {

	public static final String JOB = "openai-batch";

	public static final String EXPORT = "openai-batch";

	/** The model of a run whose requests each name their own. */
	public static final String PER_REQUEST = "(per request)";

	static final String STEP = "request";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** custom_id recovered from a line that is not valid JSON, so the error can still name it. */
	private static final Pattern CUSTOM_ID = Pattern.compile("\"custom_id\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

	private final RawRequests requests;

	OpenAiBatch(RawRequests requests) {
		this.requests = requests;
	}

	/** The job's definition: its input read line by line, one step, the OpenAI files as export. */
	public static JobDefinition definition(String input) {
		return new JobDefinition(JOB, "Runs an OpenAI Batch API request file against the local runner.",
				new JobDefinition.Input("lines", input, null), null, null, Map.of(),
				List.of(new JobDefinition.Step(STEP, "", null)), null, null, null, List.of(EXPORT), Map.of(), null);
	}

	/**
	 * Refuses a file in which a custom_id appears twice, as OpenAI's API does, before anything is sent.
	 * @throws InputException naming the custom_id and both lines
	 */
	public static void checkUnique(InputSource source) {
		Map<String, Long> seen = new HashMap<>();
		try (BufferedReader reader = Files.newBufferedReader(source.path(), StandardCharsets.UTF_8)) {
			long number = 0;
			for (String line = reader.readLine(); line != null; line = reader.readLine()) {
				number++;
				String id = customId(line);
				if (id == null) {
					continue;
				}
				Long first = seen.putIfAbsent(id, number);
				if (first != null) {
					throw new InputException("input file " + source.display() + ": custom_id \"" + id + "\" is on line "
							+ first + " and line " + number + "; each request needs its own custom_id (nothing was sent)");
				}
			}
		}
		catch (IOException ex) {
			throw new InputException("input file " + source.display() + " cannot be read: " + ex.getMessage());
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

	/**
	 * What the pipeline does with each line: checks it, sends its body and records the answer. A line that cannot
	 * be sent, or whose answer is an error, becomes a failed conversation whose call holds the error code.
	 * @param model {@code model=} from the command line, which replaces each body's model; {@code null} to keep them
	 */
	public Function<InputItem, List<Conversation>> processor(String model, DmrProperties.Retry retry, LoadGate gate) {
		return (item) -> (item.isBlank()) ? null : List.of(send(item, model, retry, gate));
	}

	private Conversation send(InputItem item, String modelOverride, DmrProperties.Retry retry, LoadGate gate) {
		String line = String.valueOf(item.fields().get("line"));
		String where = "line " + item.seq();
		String customId = customId(line);
		String id = (customId != null) ? customId : where;
		List<Conversation.Turn> turns = new ArrayList<>(List.of(new Conversation.Turn("user", STEP, line)));
		JsonNode request;
		try {
			request = JSON.readTree(line);
		}
		catch (JacksonException ex) {
			String detail = ex.getOriginalMessage();
			int newline = (detail != null) ? detail.indexOf('\n') : -1;
			return refused(item, id, turns, "invalid_json", where + " is not valid JSON: "
					+ ((newline < 0) ? detail : detail.substring(0, newline)));
		}
		if (request == null || !request.isObject()) {
			return refused(item, id, turns, "invalid_request", where + " is not a JSON object");
		}
		if (customId == null) {
			return refused(item, id, turns, "missing_custom_id", where + " has no custom_id (a string)");
		}
		String method = request.path("method").asString("");
		if (!"POST".equals(method)) {
			return refused(item, id, turns, "invalid_method", where + ": method \"" + method
					+ "\" is not supported (only POST)");
		}
		String url = request.path("url").asString("");
		if (!RawRequests.PATHS.contains(url)) {
			return refused(item, id, turns, "invalid_url", where + ": url \"" + url + "\" is not supported (only "
					+ String.join(", ", RawRequests.PATHS) + ")");
		}
		JsonNode body = request.get("body");
		if (body == null || !body.isObject()) {
			return refused(item, id, turns, "invalid_body", where + ": body is missing or not a JSON object");
		}
		if (modelOverride != null) {
			((ObjectNode) body).put("model", modelOverride);
		}
		String model = body.path("model").asString(PER_REQUEST);
		RawRequests.RawReply reply;
		try {
			reply = this.requests.post(url, JSON.writeValueAsString(body), model, retry, gate);
		}
		catch (ModelCallException ex) {
			if (ex.status() == 0) {
				// the runner is gone, not this request's fault: the run fails and resumes here
				throw ex;
			}
			return refused(item, id, turns, "request_failed", ex.getMessage());
		}
		turns.add(new Conversation.Turn("assistant", STEP, reply.body()));
		JsonNode answer = parse(reply.body());
		long promptTokens = answer.path("usage").path("prompt_tokens").asLong(0);
		long completionTokens = answer.path("usage").path("completion_tokens").asLong(0);
		String requestId = (reply.requestId() != null) ? reply.requestId() : answer.path("id").asString(null);
		boolean ok = reply.status() >= 200 && reply.status() < 300;
		String code = ok ? null : errorCode(answer, reply.status());
		String message = ok ? null : "url " + url + " answered " + reply.status() + errorMessage(answer, reply.body());
		Conversation.Call call = new Conversation.Call(0, STEP, null, promptTokens, completionTokens,
				reply.latencyMillis(), reply.attempts(), null, null, code, false, null, null, reply.status(), requestId);
		return new Conversation(item.seq(), id, model, ok ? Conversation.OK : Conversation.FAILED, message, turns,
				List.of(call));
	}

	private static Conversation refused(InputItem item, String id, List<Conversation.Turn> turns, String code,
			String message) {
		Conversation.Call call = new Conversation.Call(0, STEP, null, 0, 0, 0, 0, null, null, code, false, null, null,
				null, null);
		return new Conversation(item.seq(), id, PER_REQUEST, Conversation.FAILED, message, turns, List.of(call));
	}

	private static JsonNode parse(String text) {
		try {
			JsonNode node = JSON.readTree(text);
			return (node != null) ? node : JSON.missingNode();
		}
		catch (JacksonException ex) {
			return JSON.missingNode();
		}
	}

	/** The error's own code or type where the runner gives one, else one made of the status. */
	private static String errorCode(JsonNode answer, int status) {
		JsonNode error = answer.path("error");
		for (String field : List.of("code", "type")) {
			if (error.path(field).isString() && !error.path(field).asString().isBlank()) {
				return error.path(field).asString();
			}
		}
		return "http_" + status;
	}

	private static String errorMessage(JsonNode answer, String body) {
		String message = answer.path("error").path("message").asString("");
		if (message.isBlank() && answer.isMissingNode()) {
			message = body.strip();
		}
		int newline = message.indexOf('\n');
		message = (newline < 0) ? message : message.substring(0, newline);
		return message.isBlank() ? "" : ": " + message;
	}

}
