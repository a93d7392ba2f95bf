package dev.dmrbatch.config;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Positive;

/**
 * The settings of one request. Every field may be absent, so layers can be stacked: built-in defaults, the
 * profile, the profile's per-model settings, the job file, the command line ({@link #overriddenBy}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelSettings(String name, @DecimalMin("0") @DecimalMax("2") Double temperature,
		@JsonProperty("top_p") @DecimalMin("0") @DecimalMax("1") Double topP,
		@JsonProperty("max_tokens") @Positive Integer maxTokens,
		@JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> stop, Long seed,
		@JsonProperty("presence_penalty") @DecimalMin("-2") @DecimalMax("2") Double presencePenalty,
		@JsonProperty("frequency_penalty") @DecimalMin("-2") @DecimalMax("2") Double frequencyPenalty, Boolean stream) {

	public static final ModelSettings NONE = new ModelSettings(null, null, null, null, null, null, null, null, null);

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
				pick(other.frequencyPenalty, frequencyPenalty), pick(other.stream, stream));
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
			default -> throw new IllegalArgumentException("not a request setting: " + field);
		};
	}

	public ModelSettings withName(String model) {
		return new ModelSettings(model, temperature, topP, maxTokens, stop, seed, presencePenalty, frequencyPenalty,
				stream);
	}

	private static <T> T pick(T strong, T weak) {
		return (strong != null) ? strong : weak;
	}

}
