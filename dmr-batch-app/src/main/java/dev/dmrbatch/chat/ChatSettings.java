package dev.dmrbatch.chat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.config.LaunchSettings;
import dev.dmrbatch.config.ModelSettings;

/**
 * {@code /set <parameter> <value>} and {@code /params}: the request parameters of the run settings, by the names the
 * job files and the OpenAI API use. {@code /set <parameter> default} goes back to the profile's value.
 */
final class ChatSettings {

	static final List<String> PARAMETERS = List.of("temperature", "top_p", "max_tokens", "seed", "stop",
			"presence_penalty", "frequency_penalty");

	private ChatSettings() {
	}

	/**
	 * The settings a chat starts with for a model, with the precedence of a run's (a chat has no job file): the
	 * settings given at launch ({@code max_tokens=}, {@code --dmr.max-tokens=}, {@code DMR_MAX_TOKENS}), then the
	 * profile's for the model ({@code dmr.models."<name>"}), then the profile's defaults.
	 */
	static ModelSettings startingWith(DmrProperties properties, LaunchSettings launch, String model) {
		return properties.settingsFor(model).overriddenBy(launch.settings()).withName(model);
	}

	/**
	 * The settings with one parameter changed and every other field kept.
	 * @param defaults the settings the chat started with for the model, which {@code default} goes back to
	 * @throws IllegalArgumentException in one sentence naming the parameter, when the value does not fit it
	 */
	static ModelSettings set(ModelSettings settings, ModelSettings defaults, String parameter, String value) {
		String name = parameter.toLowerCase(Locale.ROOT).replace('-', '_');
		if (!PARAMETERS.contains(name)) {
			throw new IllegalArgumentException("unknown parameter '" + parameter + "': the parameters are "
					+ String.join(", ", PARAMETERS));
		}
		if (value == null || value.isBlank()) {
			throw new IllegalArgumentException("/set " + name + " needs a value (or 'default')");
		}
		if (value.equalsIgnoreCase("default")) {
			return settings.with(name, defaults.value(name));
		}
		Object parsed = switch (name) {
			case "temperature" -> number(name, value, 0, 2);
			case "top_p" -> number(name, value, 0, 1);
			case "max_tokens" -> (int) whole(name, value, 1, Integer.MAX_VALUE);
			case "seed" -> whole(name, value, Long.MIN_VALUE, Long.MAX_VALUE);
			case "stop" -> value.equalsIgnoreCase("none") ? null : stops(value);
			default -> number(name, value, -2, 2); // presence_penalty, frequency_penalty
		};
		// on the one settings type, field by field: what the profile gave besides (extra, logprobs ...) stays
		return settings.with(name, parsed);
	}

	/** The parameters as {@code /params} shows them; an unset one is {@code -} (the runner's default). */
	static Map<String, String> shown(ModelSettings settings) {
		Map<String, String> shown = new LinkedHashMap<>();
		shown.put("model", settings.name());
		for (String name : PARAMETERS) {
			shown.put(name, !name.equals("stop") ? text(settings.value(name))
					: (settings.stop() == null || settings.stop().isEmpty()) ? "-"
					: String.join(" | ", settings.stop().stream().map((s) -> s.replace("\n", "\\n")).toList()));
		}
		return shown;
	}

	private static String text(Object value) {
		return (value != null) ? value.toString() : "-";
	}

	/** Stop sequences separated by {@code |}; {@code \n} and {@code \t} as written in a job file. */
	private static List<String> stops(String value) {
		List<String> stops = new ArrayList<>();
		for (String stop : value.split("\\|")) {
			String text = stop.replace("\\n", "\n").replace("\\t", "\t");
			if (!text.isEmpty()) {
				stops.add(text);
			}
		}
		if (stops.isEmpty()) {
			throw new IllegalArgumentException("/set stop needs at least one stop sequence ('none' clears them)");
		}
		return List.copyOf(stops);
	}

	private static double number(String name, String value, double min, double max) {
		double number;
		try {
			number = Double.parseDouble(value);
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException(name + " must be a number from " + plain(min) + " to " + plain(max)
					+ ", not '" + value + "'");
		}
		if (!(number >= min && number <= max)) {
			throw new IllegalArgumentException(name + " must be from " + plain(min) + " to " + plain(max) + ", not "
					+ value);
		}
		return number;
	}

	private static long whole(String name, String value, long min, long max) {
		long number;
		try {
			number = Long.parseLong(value);
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException(name + " must be a whole number, not '" + value + "'");
		}
		if (number < min || number > max) {
			throw new IllegalArgumentException(name + " must be at least " + min + ", not " + value);
		}
		return number;
	}

	private static String plain(double value) {
		return (value == Math.rint(value)) ? String.valueOf((long) value) : String.valueOf(value);
	}

}
