package dev.dmrbatch.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.springframework.stereotype.Component;

/**
 * {@code job=probe [model=<name>]}: which OpenAI parameters the runner really honours for a model. Each check sends
 * small real requests and judges by what comes back, not by a 200 alone: greedy answers must repeat, seeds must
 * reproduce, a stop string must be absent, JSON must parse and validate. A check that fails to run is "not
 * supported" with the runner's message; it never stops the others.
 */
@Component
public class ProbeCommand {

	static final List<String> PARAMETERS = List.of("temperature", "top_p", "max_tokens", "stop", "presence_penalty",
			"frequency_penalty", "seed", "stream", "logprobs", "response_format_json", "response_format_json_schema",
			"n", "tools", "images", "embeddings", "completions", "store", "metadata");

	private static final String PROMPT = "Write a long story about a lighthouse keeper and a cat.";

	private final RunnerHttp http;

	ProbeCommand(RunnerHttp http) {
		this.http = http;
	}

	/** One parameter's verdict. */
	public record Verdict(boolean supported, String detail) {
	}

	/** The probe's result: what probe.json holds. */
	public record Probe(String model, String runner, Map<String, Verdict> results) {
	}

	private interface Check {

		Verdict run(String model) throws Exception;

	}

	public Probe probe(String model, String runner) {
		Map<String, Check> checks = new LinkedHashMap<>();
		checks.put("temperature", this::temperature);
		checks.put("top_p", this::topP);
		checks.put("max_tokens", this::maxTokens);
		checks.put("stop", this::stop);
		checks.put("presence_penalty", (m) -> penalty(m, "presence_penalty"));
		checks.put("frequency_penalty", (m) -> penalty(m, "frequency_penalty"));
		checks.put("seed", this::seed);
		checks.put("stream", this::stream);
		checks.put("logprobs", this::logprobs);
		checks.put("response_format_json", this::jsonObject);
		checks.put("response_format_json_schema", this::jsonSchema);
		checks.put("n", this::n);
		checks.put("tools", this::tools);
		checks.put("images", this::images);
		checks.put("embeddings", this::embeddings);
		checks.put("completions", this::completions);
		checks.put("store", (m) -> stored(m, false));
		checks.put("metadata", (m) -> stored(m, true));
		Map<String, Verdict> results = new LinkedHashMap<>();
		checks.forEach((name, check) -> {
			Verdict verdict;
			try {
				verdict = check.run(model);
			}
			catch (RejectedException ex) {
				verdict = new Verdict(false, "rejected: " + ex.getMessage());
			}
			catch (Exception ex) {
				verdict = new Verdict(false, "the check failed: " + ex.getMessage());
			}
			results.put(name, verdict);
		});
		return new Probe(model, runner, results);
	}

	// --- the checks

	private Verdict temperature(String model) throws IOException {
		// greedy at temperature 0 whatever the seed; varied at 1.5 with different seeds
		String a = chat(model, Map.of("temperature", 0, "seed", 1, "max_tokens", 24));
		String b = chat(model, Map.of("temperature", 0, "seed", 2, "max_tokens", 24));
		String c = chat(model, Map.of("temperature", 1.5, "seed", 1, "max_tokens", 24));
		String d = chat(model, Map.of("temperature", 1.5, "seed", 2, "max_tokens", 24));
		boolean greedy = a.equals(b);
		boolean varied = !c.equals(d);
		return new Verdict(greedy && varied, "temperature 0 with two seeds: " + (greedy ? "same text" : "different texts")
				+ "; temperature 1.5 with two seeds: " + (varied ? "different texts" : "same text"));
	}

	private Verdict topP(String model) throws IOException {
		// top_p near 0 keeps only the most likely token: the seed no longer matters
		String a = chat(model, Map.of("temperature", 1.0, "top_p", 0.000001, "seed", 1, "max_tokens", 24));
		String b = chat(model, Map.of("temperature", 1.0, "top_p", 0.000001, "seed", 2, "max_tokens", 24));
		String c = chat(model, Map.of("temperature", 1.0, "top_p", 1.0, "seed", 1, "max_tokens", 24));
		String d = chat(model, Map.of("temperature", 1.0, "top_p", 1.0, "seed", 2, "max_tokens", 24));
		boolean narrowed = a.equals(b) && !c.equals(d);
		return new Verdict(narrowed, "top_p 0.000001 with two seeds: " + (a.equals(b) ? "same text" : "different texts")
				+ "; top_p 1 with two seeds: " + (c.equals(d) ? "same text" : "different texts"));
	}

	private Verdict maxTokens(String model) throws IOException {
		Map<String, Object> answer = chatAnswer(model, Map.of("max_tokens", 5, "temperature", 0));
		long used = usage(answer, "completion_tokens");
		return new Verdict(used > 0 && used <= 5, "max_tokens 5 gave " + used + " completion tokens (finish_reason "
				+ choice(answer).get("finish_reason") + ")");
	}

	private Verdict stop(String model) throws IOException {
		// a seeded answer, then the same request with a stop string taken from its middle: the answer must end there
		for (int seed = 7; seed < 10; seed++) {
			Map<String, Object> settings = Map.of("temperature", 1.0, "seed", seed, "max_tokens", 32);
			String free = chat(model, settings);
			for (int i = 4; i < free.length(); i++) {
				if (!Character.isWhitespace(free.charAt(i)) && free.indexOf(free.charAt(i)) == i) {
					String stop = String.valueOf(free.charAt(i));
					Map<String, Object> stopped = new HashMap<>(settings);
					stopped.put("stop", List.of(stop));
					String answer = chat(model, stopped);
					boolean honoured = !answer.contains(stop) && answer.length() < free.length();
					return new Verdict(honoured, "stop " + quote(stop) + ": " + (honoured
							? "absent from the answer, which ended at " + answer.length() + " of " + free.length()
									+ " characters"
							: "the answer still holds it: " + quote(answer)));
				}
			}
		}
		return new Verdict(false, "the model's answers gave no usable stop string");
	}

	private Verdict penalty(String model, String parameter) throws IOException {
		String plain = chat(model, Map.of("temperature", 0, "max_tokens", 48));
		String penalised = chat(model, Map.of("temperature", 0, "max_tokens", 48, parameter, 2.0));
		boolean effect = !plain.equals(penalised);
		return new Verdict(effect, parameter + " 2.0 at temperature 0: "
				+ (effect ? "the answer changed" : "accepted, but the answer did not change"));
	}

	private Verdict seed(String model) throws IOException {
		String a = chat(model, Map.of("temperature", 1.0, "seed", 42, "max_tokens", 24));
		String b = chat(model, Map.of("temperature", 1.0, "seed", 42, "max_tokens", 24));
		String c = chat(model, Map.of("temperature", 1.0, "seed", 43, "max_tokens", 24));
		boolean honoured = a.equals(b) && !a.equals(c);
		return new Verdict(honoured, "seed 42 twice: " + (a.equals(b) ? "same text" : "different texts")
				+ "; seed 43: " + (a.equals(c) ? "same text" : "a different text"));
	}

	private Verdict stream(String model) throws IOException {
		String whole = chat(model, Map.of("temperature", 0, "max_tokens", 24));
		Map<String, Object> body = request(model, Map.of("temperature", 0, "max_tokens", 24, "stream", true));
		List<String> events = this.http.stream(body);
		StringBuilder text = new StringBuilder();
		int chunks = 0;
		for (String event : events) {
			if (event.equals("[DONE]")) {
				continue;
			}
			if (this.http.parse(event) instanceof Map<?, ?> chunk && chunk.get("choices") instanceof List<?> choices
					&& !choices.isEmpty() && choices.get(0) instanceof Map<?, ?> c
					&& c.get("delta") instanceof Map<?, ?> delta && delta.get("content") instanceof String part) {
				text.append(part);
				chunks++;
			}
		}
		boolean done = !events.isEmpty() && events.get(events.size() - 1).equals("[DONE]");
		boolean same = text.toString().equals(whole);
		return new Verdict(chunks > 1 && done && same, chunks + " chunks" + (done ? ", ended with [DONE]" : ", no [DONE]")
				+ (same ? "; they add up to the same answer as without streaming" : "; they add up to a different answer"));
	}

	private Verdict logprobs(String model) throws IOException {
		Map<String, Object> answer = chatAnswer(model, Map.of("max_tokens", 4, "logprobs", true, "top_logprobs", 2));
		if (choice(answer).get("logprobs") instanceof Map<?, ?> logprobs
				&& logprobs.get("content") instanceof List<?> content && !content.isEmpty()
				&& content.get(0) instanceof Map<?, ?> first && first.get("logprob") instanceof Number value) {
			return new Verdict(true, content.size() + " tokens with log-probabilities (first " + value + ")");
		}
		return new Verdict(false, "no log-probabilities in the answer");
	}

	private Verdict jsonObject(String model) throws IOException {
		Map<String, Object> answer = chatAnswer(model,
				Map.of("max_tokens", 512, "seed", 1, "response_format", Map.of("type", "json_object")));
		Object content = (choice(answer).get("message") instanceof Map<?, ?> message) ? message.get("content") : null;
		String text = (content != null) ? content.toString() : "";
		Object parsed = this.http.parse(text);
		String finish = String.valueOf(choice(answer).get("finish_reason"));
		return new Verdict(parsed instanceof Map, (parsed instanceof Map) ? "the answer parses as a JSON object"
				: "the answer is not a JSON object" + (finish.equals("length") ? " (cut off by max_tokens 512)" : "")
						+ ": " + quote(text));
	}

	private Verdict jsonSchema(String model) throws IOException {
		Map<String, Object> schema = Map.of("type", "object", "properties",
				Map.of("name", Map.of("type", "string"), "age", Map.of("type", "integer")), "required",
				List.of("name", "age"), "additionalProperties", false);
		Map<String, Object> answer = chatAnswer(model, Map.of("max_tokens", 512, "seed", 1, "response_format",
				Map.of("type", "json_schema", "json_schema", Map.of("name", "person", "schema", schema))));
		Object content = (choice(answer).get("message") instanceof Map<?, ?> message) ? message.get("content") : null;
		String text = (content != null) ? content.toString() : "";
		Object parsed = this.http.parse(text);
		String cut = "length".equals(String.valueOf(choice(answer).get("finish_reason"))) ? " (cut off by max_tokens 512)"
				: "";
		boolean valid = parsed instanceof Map<?, ?> map && map.keySet().equals(java.util.Set.of("name", "age"))
				&& map.get("name") instanceof String && (map.get("age") instanceof Integer || map.get("age") instanceof Long
						|| map.get("age") instanceof java.math.BigInteger);
		return new Verdict(valid, valid ? "the answer validates against the schema sent: " + text.strip()
				: "the answer does not validate against the schema" + cut + ": " + quote(text));
	}

	private Verdict n(String model) throws IOException {
		Map<String, Object> answer = chatAnswer(model, Map.of("max_tokens", 4, "n", 2));
		int choices = (answer.get("choices") instanceof List<?> list) ? list.size() : 0;
		return new Verdict(choices == 2, "n=2 gave " + choices + " choices");
	}

	private Verdict tools(String model) throws IOException {
		Map<String, Object> tool = Map.of("type", "function", "function", Map.of("name", "get_weather", "description",
				"The weather in a city", "parameters", Map.of("type", "object", "properties",
						Map.of("city", Map.of("type", "string")), "required", List.of("city"))));
		Map<String, Object> answer = chatAnswer(model, Map.of("max_tokens", 64, "tools", List.of(tool)));
		Object calls = (choice(answer).get("message") instanceof Map<?, ?> message) ? message.get("tool_calls") : null;
		boolean called = calls instanceof List<?> list && !list.isEmpty();
		return new Verdict(true, "accepted; " + (called ? "the model made a tool call" : "the model made no tool call"));
	}

	/**
	 * Images are read when a user turn with an image part (a small PNG as a data URL) is answered and its prompt
	 * counts more tokens than the same text alone: a runner that drops the part takes no more.
	 */
	private Verdict images(String model) throws IOException {
		String question = "What is in the picture?";
		Map<String, Object> plain = chatAnswer(model, Map.of("max_tokens", 4, "messages",
				List.of(Map.of("role", "user", "content", question))));
		Map<String, Object> pictured = chatAnswer(model, Map.of("max_tokens", 4, "messages", List.of(Map.of("role",
				"user", "content", List.of(Map.of("type", "text", "text", question), Map.of("type", "image_url",
						"image_url", Map.of("url", "data:image/png;base64," + picture())))))));
		long without = usage(plain, "prompt_tokens");
		long with = usage(pictured, "prompt_tokens");
		boolean read = with > without && without >= 0;
		return new Verdict(read, read ? "a 32x32 PNG added " + (with - without) + " prompt tokens"
				: "answered, but the image added no prompt tokens (" + with + " with it, " + without + " without)");
	}

	/** A 32 by 32 PNG, four coloured quarters, in base64: the picture {@link #images} sends. */
	private static String picture() {
		java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(32, 32,
				java.awt.image.BufferedImage.TYPE_INT_RGB);
		int[] colours = { 0xd62728, 0x2ca02c, 0x1f77b4, 0xffbf00 };
		for (int y = 0; y < 32; y++) {
			for (int x = 0; x < 32; x++) {
				image.setRGB(x, y, colours[(y / 16) * 2 + x / 16]);
			}
		}
		java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
		try {
			javax.imageio.ImageIO.write(image, "png", png);
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
		return java.util.Base64.getEncoder().encodeToString(png.toByteArray());
	}

	private Verdict embeddings(String model) throws IOException {
		RunnerHttp.Answer answer = this.http.post("/embeddings", Map.of("model", model, "input", "a lighthouse"));
		if (!answer.ok()) {
			return new Verdict(false, answer.error());
		}
		if (answer.object().get("data") instanceof List<?> data && !data.isEmpty() && data.get(0) instanceof Map<?, ?> first
				&& first.get("embedding") instanceof List<?> vector && !vector.isEmpty()) {
			return new Verdict(true, "a vector of " + vector.size() + " numbers");
		}
		return new Verdict(false, "no embedding in the answer");
	}

	private Verdict completions(String model) throws IOException {
		RunnerHttp.Answer answer = this.http.post("/completions",
				Map.of("model", model, "prompt", "Once upon a time", "max_tokens", 8));
		if (!answer.ok()) {
			return new Verdict(false, answer.error());
		}
		if (answer.object().get("choices") instanceof List<?> choices && !choices.isEmpty()
				&& choices.get(0) instanceof Map<?, ?> first && first.get("text") instanceof String text) {
			return new Verdict(true, "/completions answered " + text.length() + " characters");
		}
		return new Verdict(false, "no text in the answer");
	}

	/**
	 * {@code store} is honoured when the completion can be read back ({@code GET /chat/completions/{id}}), and
	 * {@code metadata} when it comes back with it; a runner that takes both and keeps nothing only accepts them.
	 */
	private Verdict stored(String model, boolean metadata) throws IOException {
		Map<String, Object> settings = new HashMap<>(Map.of("max_tokens", 4, "store", true));
		if (metadata) {
			settings.put("metadata", Map.of("probe", "dmr-batch"));
		}
		Map<String, Object> answer = chatAnswer(model, settings);
		String id = (answer.get("id") != null) ? String.valueOf(answer.get("id")) : null;
		if (id == null) {
			return new Verdict(false, "accepted, but the answer has no id to read it back by");
		}
		RunnerHttp.Answer back = this.http.get(this.http.base() + "/chat/completions/" + id);
		if (!back.ok()) {
			return new Verdict(false, "accepted, but not kept: GET /chat/completions/{id} answered " + back.status());
		}
		if (!metadata) {
			return new Verdict(true, "the completion is kept and read back by its id");
		}
		boolean kept = back.object().get("metadata") instanceof Map<?, ?> given && "dmr-batch".equals(given.get("probe"));
		return new Verdict(kept, kept ? "read back with the completion" : "the completion is kept without it");
	}

	// --- plumbing

	/** A 4xx or 5xx for a check's request: the runner does not take the parameter. */
	static final class RejectedException extends IOException {

		RejectedException(String message) {
			super(message);
		}

	}

	private Map<String, Object> request(String model, Map<String, Object> settings) {
		Map<String, Object> body = new HashMap<>(settings);
		body.put("model", model);
		body.putIfAbsent("messages", List.of(Map.of("role", "user", "content", PROMPT)));
		return body;
	}

	private Map<String, Object> chatAnswer(String model, Map<String, Object> settings) throws IOException {
		RunnerHttp.Answer answer = this.http.post("/chat/completions", request(model, settings));
		if (!answer.ok()) {
			throw new RejectedException(answer.error());
		}
		return answer.object();
	}

	private String chat(String model, Map<String, Object> settings) throws IOException {
		Object content = (choice(chatAnswer(model, settings)).get("message") instanceof Map<?, ?> message)
				? message.get("content") : null;
		return (content != null) ? content.toString() : "";
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> choice(Map<String, Object> answer) {
		if (answer.get("choices") instanceof List<?> choices && !choices.isEmpty()
				&& choices.get(0) instanceof Map<?, ?> first) {
			return (Map<String, Object>) first;
		}
		return Map.of();
	}

	private static long usage(Map<String, Object> answer, String field) {
		return (answer.get("usage") instanceof Map<?, ?> usage && usage.get(field) instanceof Number n) ? n.longValue()
				: -1;
	}

	private static String quote(String text) {
		String shown = (text.length() > 60) ? text.substring(0, 60) + "…" : text;
		return "\"" + shown.replace("\n", "\\n") + "\"";
	}

	// --- output

	public String table(Probe probe) {
		StringBuilder out = new StringBuilder("model " + probe.model() + " on " + probe.runner() + "\n");
		out.append(String.format(Locale.ROOT, "%-28s %-9s %s%n", "PARAMETER", "HONOURED", "DETAIL"));
		probe.results()
			.forEach((name, v) -> out.append(String.format(Locale.ROOT, "%-28s %-9s %s%n", name,
					v.supported() ? "yes" : "no", v.detail())));
		return out.toString().stripTrailing();
	}

	public List<Path> write(Probe probe, Path folder) throws IOException {
		Files.createDirectories(folder);
		Path json = folder.resolve("probe.json");
		Path markdown = folder.resolve("probe.md");
		this.http.json().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), probe);
		StringBuilder md = new StringBuilder("# What " + probe.model() + " honours on " + probe.runner() + "\n\n"
				+ "| parameter | honoured | detail |\n|---|---|---|\n");
		probe.results()
			.forEach((name, v) -> md.append("| `").append(name).append("` | ").append(v.supported() ? "yes" : "no")
				.append(" | ").append(v.detail().replace("|", "\\|")).append(" |\n"));
		Files.writeString(markdown, md);
		return new ArrayList<>(List.of(json, markdown));
	}

}
