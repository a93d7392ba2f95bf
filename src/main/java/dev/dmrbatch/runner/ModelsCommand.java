package dev.dmrbatch.runner;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.springframework.stereotype.Component;

/**
 * {@code job=models [format=json]}: what the runner has, and which kind of runner it is. Docker Model Runner lists
 * every local model with a {@code dmr} object (context window, parameters, quantization, size); llama-server in
 * router mode lists its presets with whether they are loaded, and answers {@code props} per model.
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
		return new Listing(kind, this.http.base(), models);
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
