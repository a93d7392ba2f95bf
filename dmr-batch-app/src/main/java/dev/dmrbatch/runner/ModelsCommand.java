package dev.dmrbatch.runner;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.dmrbatch.text.SafeText;

import org.springframework.stereotype.Component;

/**
 * {@code job=models [format=json]}: what the runner has, and which kind of runner it is. Docker Model Runner lists
 * every local model with a {@code dmr} object (context window, parameters, quantization, size); llama-server in
 * router mode lists its presets with whether they are loaded, and answers {@code props} per model.
 * {@code job=models model=<name>}: one model's details, from Docker Model Runner's
 * {@code GET /models/{namespace}/{name}}, or, where the runner does not serve that route (llama-server, other
 * OpenAI-compatible servers), from the model's entry in {@code GET /v1/models}; the answer says which.
 */
@Component
public class ModelsCommand {

	private final RunnerHttp http;

	ModelsCommand(RunnerHttp http) {
		this.http = http;
	}

	/** A model as the runner describes it; absent facts are null. */
	public record ModelInfo(String name, Boolean loaded, Long context, String parameters, String quantization,
			String size) {
	}

	/** The runner's kind and models. */
	public record Listing(String runner, String baseUrl, List<ModelInfo> models) {
	}

	/**
	 * One model's details.
	 * @param source the request that answered them
	 * @param facts what the runner says of the model, nested objects flattened to dotted keys
	 */
	public record Details(String name, String baseUrl, String source, Map<String, Object> facts) {
	}

	/**
	 * One model's details, the runner known to have it under that name: Docker Model Runner's own route first,
	 * at the server's root (where its model management lives, whatever engine path the base URL takes), then the
	 * model's entry in the OpenAI model list, with the context size llama-server's {@code props} gives for it.
	 */
	public Details details(String model) throws IOException {
		String name = model.contains("/") ? model : "ai/" + model;
		String route = serverRoot() + "/models/" + name;
		RunnerHttp.Answer own = this.http.get(route);
		if (own.ok() && !own.object().isEmpty()) {
			return new Details(model, this.http.shown(), "GET " + route, flatten(own.object()));
		}
		RunnerHttp.Answer list = this.http.get(this.http.base() + "/models");
		if (list.ok() && list.object().get("data") instanceof List<?> data) {
			for (Object entry : data) {
				if (entry instanceof Map<?, ?> found && model.equals(String.valueOf(found.get("id")))) {
					Map<String, Object> facts = flatten(found);
					Long context = props(model);
					if (context != null && context > 0) {
						facts.put("props.n_ctx", context);
					}
					return new Details(model, this.http.shown(), "GET " + this.http.base() + "/models (its entry; "
							+ "GET " + route + " answered " + own.status() + ")", facts);
				}
			}
		}
		throw new IOException("neither GET " + route + " (" + own.status() + ") nor GET " + this.http.base()
				+ "/models (" + list.status() + ") describes model '" + model + "'");
	}

	/** The runner's scheme, host and port: Docker Model Runner's {@code /models} routes live there. */
	private String serverRoot() {
		return this.http.base().replaceAll("^(https?://[^/]+).*$", "$1");
	}

	/**
	 * Nested objects as dotted keys, lists of plain values joined; a llama-server preset's command line and preset
	 * text (its {@code status.args}, {@code status.preset}) left out, being the server's own configuration.
	 */
	private static Map<String, Object> flatten(Map<?, ?> object) {
		Map<String, Object> facts = new LinkedHashMap<>();
		flatten("", object, facts);
		return facts;
	}

	private static void flatten(String prefix, Map<?, ?> object, Map<String, Object> facts) {
		for (Map.Entry<?, ?> entry : object.entrySet()) {
			String key = prefix + entry.getKey();
			Object value = entry.getValue();
			if (key.equals("status.args") || key.equals("status.preset")) {
				continue;
			}
			if (value instanceof Map<?, ?> inner) {
				flatten(key + ".", inner, facts);
			}
			else if (value instanceof List<?> list) {
				if (!list.isEmpty() && list.stream().allMatch((v) -> v == null || !(v instanceof Map || v instanceof List))) {
					facts.put(key, list);
				}
			}
			else if (value != null) {
				facts.put(key, value);
			}
		}
	}

	public String table(Details details) {
		StringBuilder out = new StringBuilder(details.name() + " at " + details.baseUrl() + ", from "
				+ details.source() + "\n");
		int width = details.facts().keySet().stream().mapToInt(String::length).max().orElse(0);
		details.facts().forEach((key, value) -> out.append(String.format(Locale.ROOT, "%-" + width + "s  %s%n", key,
				SafeText.firstLine((value instanceof List<?> list)
						? String.join(", ", list.stream().map(String::valueOf).toList()) : String.valueOf(value)))));
		return out.toString().stripTrailing();
	}

	public Map<String, Object> json(Details details) {
		Map<String, Object> out = new LinkedHashMap<>();
		out.put("model", details.name());
		out.put("base_url", details.baseUrl());
		out.put("answered_by", details.source());
		out.put("details", details.facts());
		return out;
	}

	public Listing list() throws IOException {
		RunnerHttp.Answer answer = this.http.get(this.http.base() + "/models");
		if (!answer.ok() || !(answer.object().get("data") instanceof List<?> data)) {
			throw new IOException("GET " + this.http.base() + "/models answered " + answer.status()
					+ ": not an OpenAI-compatible model list");
		}
		List<ModelInfo> models = new ArrayList<>();
		boolean router = false;
		boolean dmr = false;
		for (Object entry : data) {
			if (!(entry instanceof Map<?, ?> model)) {
				continue;
			}
			String name = String.valueOf(model.get("id"));
			Boolean loaded = null;
			Long context = null;
			String parameters = null;
			String quantization = null;
			String size = null;
			if (model.get("dmr") instanceof Map<?, ?> facts) {
				dmr = true;
				context = number(facts.get("context_window"));
				parameters = text(facts.get("parameters"));
				quantization = text(facts.get("quantization"));
				size = text(facts.get("size"));
			}
			if (model.get("status") instanceof Map<?, ?> status && status.get("value") != null) {
				router = true;
				loaded = "loaded".equals(status.get("value"));
				if (loaded) {
					context = props(name);
				}
			}
			models.add(new ModelInfo(name, loaded, context, parameters, quantization, size));
		}
		String kind = dmr || dockerModelRunner() ? "Docker Model Runner"
				: router ? "llama.cpp llama-server (router mode)"
				: (props(null) != null) ? "llama.cpp llama-server" : "an OpenAI-compatible server";
		return new Listing(kind, this.http.shown(), models);
	}

	/** Docker Model Runner answers its root with "Docker Model Runner is running". */
	private boolean dockerModelRunner() {
		try {
			String root = this.http.base().replaceAll("^(https?://[^/]+).*$", "$1");
			return this.http.get(root + "/").body().contains("Docker Model Runner");
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** The context size a loaded model runs with, from llama-server's props (not reachable through DMR). */
	private Long props(String model) {
		try {
			RunnerHttp.Answer answer = this.http
				.get(this.http.root() + "/props" + ((model != null) ? "?model=" + model : ""));
			if (answer.ok() && answer.object().get("default_generation_settings") instanceof Map<?, ?> settings) {
				Long context = number(settings.get("n_ctx"));
				return (context != null) ? context : 0L;
			}
		}
		catch (IOException ex) {
			// not a llama-server, or not reachable this way
		}
		return null;
	}

	public String table(Listing listing) {
		StringBuilder out = new StringBuilder(listing.runner() + " at " + listing.baseUrl() + ": "
				+ listing.models().size() + " models\n");
		out.append(String.format(Locale.ROOT, "%-32s %-8s %9s %-11s %-13s %s%n", "MODEL", "LOADED", "CONTEXT",
				"PARAMETERS", "QUANTIZATION", "SIZE"));
		for (ModelInfo m : listing.models()) {
			out.append(String.format(Locale.ROOT, "%-32s %-8s %9s %-11s %-13s %s%n", m.name(),
					(m.loaded() == null) ? "-" : m.loaded() ? "yes" : "no", (m.context() == null) ? "-" : m.context(),
					dash(m.parameters()), dash(m.quantization()), dash(m.size())));
		}
		return out.toString().stripTrailing();
	}

	public Map<String, Object> json(Listing listing) {
		Map<String, Object> out = new LinkedHashMap<>();
		out.put("runner", listing.runner());
		out.put("base_url", listing.baseUrl());
		out.put("models", listing.models());
		return out;
	}

	private static String dash(String value) {
		return (value == null) ? "-" : value;
	}

	private static Long number(Object value) {
		return (value instanceof Number n) ? n.longValue() : null;
	}

	private static String text(Object value) {
		return (value == null) ? null : String.valueOf(value);
	}

}
