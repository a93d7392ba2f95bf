package dev.dmrbatch.run.openaibatch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.input.InputItem;
import dev.dmrbatch.input.InputReaders;
import dev.dmrbatch.input.InputSource;
import dev.dmrbatch.input.LinesFormat;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.model.LoadGate;
import dev.dmrbatch.model.ModelCallException;
import dev.dmrbatch.model.RawRequests;
import dev.dmrbatch.openaibatch.OpenAiBatch;
import dev.dmrbatch.prompt.PromptTemplates;
import dev.dmrbatch.run.plan.BuiltInJob;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.run.plan.RunPlan;
import dev.dmrbatch.run.plan.RunPlanner;
import dev.dmrbatch.run.plan.RunRequest;
import dev.dmrbatch.text.SafeText;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.stereotype.Component;

/**
 * The built-in {@value OpenAiBatch#JOB} job: plans a run of an OpenAI Batch API request file and sends each line's
 * body to the runner as it is. Its Spring Batch job and step names are those of {@link OpenAiBatch}, the restart
 * identity.
 */
@Component
class OpenAiBatchJob implements BuiltInJob {

	private static final JsonMapper JSON = JsonMapper.shared();

	private static final TypeReference<Map<String, Object>> FIELDS = new TypeReference<>() {
	};

	private static final String EMBEDDINGS = "/v1/embeddings";

	private final RawRequests requests;

	private final PromptTemplates templates;

	private final DmrProperties properties;

	OpenAiBatchJob(RawRequests requests, PromptTemplates templates, DmrProperties properties) {
		this.requests = requests;
		this.templates = templates;
		this.properties = properties;
	}

	@Override
	public String name() {
		return OpenAiBatch.JOB;
	}

	/**
	 * The request file is read line by line, every body keeps its model unless {@code model=} replaces it, and a file
	 * with a custom_id twice is refused before anything is sent.
	 */
	@Override
	public RunPlan plan(RunRequest request, RunPlanner planner) {
		if (request.input() == null) {
			throw new RunException("job=openai-batch needs input=<requests.jsonl> (an OpenAI Batch API request file)");
		}
		JobDefinition job = OpenAiBatch.definition(request.input());
		Path requests = this.properties.resolve(request.input());
		InputSource input = new InputSource(new LinesFormat(), requests, null, planner.inputName(requests));
		InputReaders.check(input);
		OpenAiBatch.checkUnique(input);
		String model = (request.model() != null) ? request.model() : OpenAiBatch.PER_REQUEST;
		ModelSettings settings = this.properties.settingsFor(model);
		int concurrency = planner.concurrency(job, request);
		boolean auto = request.concurrency() == null || request.concurrency().equals("auto");
		RunPlanner.checkLabel(request);
		Path output = planner.output(request);
		List<RunPlan.Lane> lanes = planner.lanes(job, request, concurrency, auto);
		if (lanes.size() > 1 || !lanes.get(0).url().equals(this.properties.baseUrl())) {
			throw new RunException("job=openai-batch sends to one runner, the one at dmr.base-url (--dmr.base-url=<url> "
					+ "chooses it); it does not spread requests across runners");
		}
		return RunPlan.builder(OpenAiBatch.JOB, job, this.templates.compile(job), input)
			.models(List.of(settings))
			.concurrency(concurrency, auto)
			.retry(planner.retry(job))
			.label(request.label())
			.output(output)
			.lanes(lanes)
			.builtIn(this)
			.build();
	}

	@Override
	public Function<InputItem, List<Conversation>> processor(RunPlan plan, LoadGate gate) {
		String model = plan.settings().name();
		return processor(model.equals(OpenAiBatch.PER_REQUEST) ? null : model, plan.retry(), gate);
	}

	/** Each request names its own model; an unknown one is that request's error, not the run's. */
	@Override
	public List<String> modelsUsed(RunPlan plan) {
		return List.of();
	}

	/**
	 * What the pipeline does with each line: checks it, sends its body and records the answer. A line that cannot
	 * be sent, or whose answer is an error, becomes a failed conversation whose call holds the error code.
	 * @param model {@code model=} from the command line, which replaces each body's model; {@code null} to keep them
	 */
	private Function<InputItem, List<Conversation>> processor(String model, DmrProperties.Retry retry, LoadGate gate) {
		return (item) -> (item.isBlank()) ? null : List.of(send(item, model, retry, gate));
	}

	private Conversation send(InputItem item, String modelOverride, DmrProperties.Retry retry, LoadGate gate) {
		String line = String.valueOf(item.fields().get("line"));
		String where = "line " + item.seq();
		String customId = OpenAiBatch.customId(line);
		String id = (customId != null) ? customId : where;
		List<Conversation.Turn> turns = new ArrayList<>(List.of(new Conversation.Turn("user", OpenAiBatch.STEP, line)));
		JsonNode request;
		try {
			request = JSON.readTree(line);
		}
		catch (JacksonException ex) {
			return refused(item, id, turns, "invalid_json", where + " is not valid JSON: "
					+ SafeText.firstLine(ex.getOriginalMessage()));
		}
		if (request == null || !request.isObject()) {
			return refused(item, id, turns, "invalid_request", where + " is not a JSON object");
		}
		String lone = InputReaders.loneSurrogate(JSON.convertValue(request, FIELDS));
		if (lone != null) {
			// it would reach the runner as another character than the one the line holds
			return refused(item, id, turns, "invalid_json", where + ": " + lone);
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
		String model = body.path("model").asString(OpenAiBatch.PER_REQUEST);
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
		turns.add(new Conversation.Turn("assistant", OpenAiBatch.STEP, reply.body()));
		JsonNode answer = parse(reply.body());
		long promptTokens = answer.path("usage").path("prompt_tokens").asLong(0);
		long completionTokens = answer.path("usage").path("completion_tokens").asLong(0);
		String requestId = (reply.requestId() != null) ? reply.requestId() : answer.path("id").asString(null);
		boolean ok = reply.status() >= 200 && reply.status() < 300;
		String code = ok ? null : errorCode(answer, reply.status());
		String message = ok ? null : failure(url, model, reply.status(), answer, reply.body());
		Conversation.Call call = Conversation.Call.answered(0, OpenAiBatch.STEP)
			.tokens(promptTokens, completionTokens)
			.latency(reply.latencyMillis())
			.attempts(reply.attempts())
			.error(code)
			.httpStatus(reply.status())
			.requestId(requestId)
			.build();
		return Conversation.ended(item.seq(), id, model, message, turns,
				List.of(call));
	}

	private static Conversation refused(InputItem item, String id, List<Conversation.Turn> turns, String code,
			String message) {
		Conversation.Call call = Conversation.Call.failed(0, OpenAiBatch.STEP, code, null);
		return Conversation.failed(item.seq(), id, OpenAiBatch.PER_REQUEST, message, turns,
				List.of(call));
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

	/**
	 * Why a request failed, in the runner's words; an embeddings request to a model that serves none (llama-server
	 * answers 501, "start it with --embeddings", which a user of Docker Model Runner cannot) names the model.
	 */
	private static String failure(String url, String model, int status, JsonNode answer, String body) {
		String said = errorMessage(answer, body);
		if (url.equals(EMBEDDINGS) && (status == 501 || said.toLowerCase(java.util.Locale.ROOT).contains("embedding"))) {
			return "url " + url + " answered " + status + ": model '" + SafeText.firstLine(model) + "' does not serve "
					+ "embeddings; name an embedding model in the line's body"
					+ (said.isBlank() ? "" : " (the runner" + said + ")");
		}
		return "url " + url + " answered " + status + said;
	}

	private static String errorMessage(JsonNode answer, String body) {
		String message = answer.path("error").path("message").asString("");
		if (message.isBlank() && answer.isMissingNode()) {
			message = body.strip();
		}
		message = SafeText.firstLine(message);
		return message.isBlank() ? "" : ": " + message;
	}

}
