package dev.dmrbatch.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.bind.ConstructorBinding;

/**
 * The settings of one request. Every field may be absent, so layers can be stacked: built-in defaults, the
 * profile, the profile's per-model settings, the job file, the command line ({@link #overriddenBy}).
 *
 * @param logprobs whether the answer comes back with the log probability of each token, kept with the call
 * @param topLogprobs how many most likely tokens to return with each token's log probability (0 to 20); implies
 * {@code logprobs}
 * @param n answers per request: only 1, since a conversation goes on from one answer
 * @param extra further body fields, sent as they are ({@code store}, {@code metadata}, a runner's own fields such as
 * {@code top_k}); a key the settings above own is refused ({@link #OWN_FIELDS}). Layers merge key by key.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelSettings(String name, @DecimalMin("0") @DecimalMax("2") Double temperature,
		@JsonProperty("top_p") @DecimalMin("0") @DecimalMax("1") Double topP,
		@JsonProperty("max_tokens") @Positive Integer maxTokens,
		@JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> stop, Long seed,
		@JsonProperty("presence_penalty") @DecimalMin("-2") @DecimalMax("2") Double presencePenalty,
		@JsonProperty("frequency_penalty") @DecimalMin("-2") @DecimalMax("2") Double frequencyPenalty, Boolean stream,
		Boolean logprobs, @JsonProperty("top_logprobs") @Min(0) @Max(20) Integer topLogprobs,
		@Min(value = 1, message = N_MESSAGE) @Max(value = 1, message = N_MESSAGE) Integer n,
		Map<String, Object> extra) {

	static final String N_MESSAGE = "must be 1: a conversation goes on from one answer, so each request asks for one "
			+ "(for several answers, list several models, repeat the step, or give repeat=<n>)";

	/** Request body fields that a setting of its own (or dmr-batch itself) sends, so {@code extra} cannot. */
	public static final Set<String> OWN_FIELDS = Set.of("model", "messages", "prompt", "input", "max_tokens",
			"temperature", "top_p", "stop", "seed", "presence_penalty", "frequency_penalty", "stream", "stream_options",
			"logprobs", "top_logprobs", "n", "response_format");

	/** Every field by its request name, as {@link #value} and {@link #with} take them. */
	public static final List<String> FIELDS = List.of("model", "temperature", "top_p", "max_tokens", "stop", "seed",
			"presence_penalty", "frequency_penalty", "stream", "logprobs", "top_logprobs", "n", "extra");

	public static final ModelSettings NONE = new ModelSettings(null, null, null, null, null, null, null, null, null,
			null, null, null, null);

	/** Every field: what the configuration binds and job files are read into. */
	@ConstructorBinding
	@JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
	public ModelSettings {
	}

	/**
	 * Settings made by name: each field by its request name ({@code max_tokens}, as {@link #value} gives it), a value
	 * of that field's type; a field not given is absent.
	 * @throws IllegalArgumentException for a name that is not a field of a request's settings
	 * @throws ClassCastException for a value not of the field's type
	 */
	@SuppressWarnings("unchecked")
	public static ModelSettings of(Map<String, ?> fields) {
		for (String field : fields.keySet()) {
			if (!FIELDS.contains(field)) {
				throw new IllegalArgumentException("not a request setting: " + field);
			}
		}
		return new ModelSettings((String) fields.get("model"), (Double) fields.get("temperature"),
				(Double) fields.get("top_p"), (Integer) fields.get("max_tokens"), (List<String>) fields.get("stop"),
				(Long) fields.get("seed"), (Double) fields.get("presence_penalty"),
				(Double) fields.get("frequency_penalty"), (Boolean) fields.get("stream"),
				(Boolean) fields.get("logprobs"), (Integer) fields.get("top_logprobs"), (Integer) fields.get("n"),
				(Map<String, Object>) fields.get("extra"));
	}

	/** Whether log probabilities are asked for: {@code logprobs: true}, or a {@code top_logprobs}. */
	public boolean wantsLogprobs() {
		return Boolean.TRUE.equals(this.logprobs) || (this.topLogprobs != null && !Boolean.FALSE.equals(this.logprobs));
	}

	/** The keys of {@code extra} that a setting of its own sends; empty when there are none. */
	public List<String> ownFieldsInExtra() {
		return (this.extra == null) ? List.of() : this.extra.keySet().stream().filter(OWN_FIELDS::contains).toList();
	}

	/** Whether the answer is streamed (server-sent events), which records the time to the first token. */
	public boolean streaming() {
		return Boolean.TRUE.equals(this.stream);
	}

	/** These settings with every field that {@code other} sets replaced by its value. */
	public ModelSettings overriddenBy(ModelSettings other) {
		if (other == null) {
			return this;
		}
		return new ModelSettings(pick(other.name, name), pick(other.temperature, temperature),
				pick(other.topP, topP), pick(other.maxTokens, maxTokens), pick(other.stop, stop),
				pick(other.seed, seed), pick(other.presencePenalty, presencePenalty),
				pick(other.frequencyPenalty, frequencyPenalty), pick(other.stream, stream),
				pick(other.logprobs, logprobs), pick(other.topLogprobs, topLogprobs), pick(other.n, n),
				merge(extra, other.extra));
	}

	private static Map<String, Object> merge(Map<String, Object> weak, Map<String, Object> strong) {
		if (weak == null || strong == null) {
			return (strong != null) ? strong : weak;
		}
		Map<String, Object> merged = new LinkedHashMap<>(weak);
		merged.putAll(strong);
		return merged;
	}

	/**
	 * One field by its request name ({@code max_tokens}, as in job files), or {@code null} when absent.
	 * @throws IllegalArgumentException for a name that is not a field of a request's settings
	 */
	public Object value(String field) {
		return switch (field) {
			case "model" -> name;
			case "temperature" -> temperature;
			case "top_p" -> topP;
			case "max_tokens" -> maxTokens;
			case "stop" -> stop;
			case "seed" -> seed;
			case "presence_penalty" -> presencePenalty;
			case "frequency_penalty" -> frequencyPenalty;
			case "stream" -> stream;
			case "logprobs" -> logprobs;
			case "top_logprobs" -> topLogprobs;
			case "n" -> n;
			case "extra" -> extra;
			default -> throw new IllegalArgumentException("not a request setting: " + field);
		};
	}

	/**
	 * These settings with one field changed, every other kept: the field by its request name, as {@link #value}
	 * gives it, the value of that field's type ({@code null} for absent).
	 * @throws IllegalArgumentException for a name that is not a field of a request's settings
	 * @throws ClassCastException for a value not of the field's type
	 */
	public ModelSettings with(String field, Object value) {
		if (!FIELDS.contains(field)) {
			throw new IllegalArgumentException("not a request setting: " + field);
		}
		Map<String, Object> fields = new LinkedHashMap<>();
		for (String name : FIELDS) {
			fields.put(name, value(name));
		}
		fields.put(field, value);
		return of(fields);
	}

	public ModelSettings withName(String model) {
		return new ModelSettings(model, temperature, topP, maxTokens, stop, seed, presencePenalty, frequencyPenalty,
				stream, logprobs, topLogprobs, n, extra);
	}

	private static <T> T pick(T strong, T weak) {
		return (strong != null) ? strong : weak;
	}

}
