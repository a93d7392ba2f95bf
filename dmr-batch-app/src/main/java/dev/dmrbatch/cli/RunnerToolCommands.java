package dev.dmrbatch.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.config.RunnerEndpoint;
import dev.dmrbatch.model.ModelCallException;
import dev.dmrbatch.model.ModelCatalog;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.runner.BenchCommand;
import dev.dmrbatch.runner.ModelsCommand;
import dev.dmrbatch.runner.ProbeCommand;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/** {@code job=models} and {@code job=probe}: questions about the runner, answered by asking it. */
@Component
class RunnerToolCommands {

	private final ModelsCommand models;

	private final ProbeCommand probe;

	private final BenchCommand bench;

	private final ModelCatalog catalog;

	private final DmrProperties properties;

	RunnerToolCommands(ModelsCommand models, ProbeCommand probe, BenchCommand bench, ModelCatalog catalog,
			DmrProperties properties) {
		this.models = models;
		this.probe = probe;
		this.bench = bench;
		this.catalog = catalog;
		this.properties = properties;
	}

	int models(Arguments arguments, boolean json) {
		if (arguments.get("model") != null) {
			return model(arguments.get("model"), json || "json".equals(arguments.get("format")));
		}
		ModelsCommand.Listing listing = listing();
		if (json || "json".equals(arguments.get("format"))) {
			Console.out(JsonMapper.shared().writerWithDefaultPrettyPrinter()
				.writeValueAsString(this.models.json(listing)));
		}
		else {
			Console.out(this.models.table(listing));
		}
		return 0;
	}

	/** One model's details; a model the runner does not have is a mistake in the arguments. */
	private int model(String model, boolean json) {
		String name = available(model);
		ModelsCommand.Details details;
		try {
			details = this.models.details(name);
		}
		catch (IOException ex) {
			throw new RunException("cannot describe model '" + name + "' at " + this.properties.baseUrl() + ": "
					+ ex.getMessage());
		}
		Console.out(json ? JsonMapper.shared().writerWithDefaultPrettyPrinter().writeValueAsString(this.models.json(details))
				: this.models.table(details));
		return 0;
	}

	int probe(Arguments arguments) throws IOException {
		String model = available(model(arguments));
		ModelsCommand.Listing listing = listing();
		ProbeCommand.Probe result = this.probe.probe(model, listing.runner());
		List<Path> files = this.probe.write(result, folder(arguments, "probe", model));
		Console.out(this.probe.table(result));
		files.forEach((file) -> Console.out("written: " + file.toAbsolutePath()));
		return 0;
	}

	int bench(Arguments arguments) throws IOException, InterruptedException {
		String model = model(arguments);
		List<Integer> levels = numbers(arguments.get("concurrency"), "1,2,4,8", "concurrency");
		int requests = numbers(arguments.get("requests"), "32", "requests").get(0);
		int maxTokens = numbers(arguments.get("max_tokens"), "64", "max_tokens").get(0);
		model = available(model);
		ModelsCommand.Listing listing = listing();
		BenchCommand.Bench result = this.bench.bench(model, listing.runner(), levels, requests, maxTokens);
		List<Path> files = this.bench.write(result, folder(arguments, "bench", model));
		Console.out(this.bench.table(result));
		files.forEach((file) -> Console.out("written: " + file.toAbsolutePath()));
		return 0;
	}

	private String model(Arguments arguments) {
		return (arguments.get("model") != null) ? arguments.get("model") : this.properties.defaultModel();
	}

	/** The runner's own name for the model, once it is known to have it. */
	private String available(String model) {
		try {
			return this.catalog.require(model);
		}
		catch (ModelCallException ex) {
			throw new RunException(RunnerEndpoint.unreachable(ex.getMessage(), ex));
		}
	}

	private Path folder(Arguments arguments, String tool, String model) {
		return (arguments.get("output") != null) ? this.properties.resolve(arguments.get("output"))
				: this.properties.resolve("output").resolve(tool).resolve(model.replaceAll("[^A-Za-z0-9._-]", "_"));
	}

	private static List<Integer> numbers(String value, String fallback, String key) {
		String given = (value != null) ? value : fallback;
		try {
			List<Integer> numbers = java.util.Arrays.stream(given.split(",")).map(String::strip).map(Integer::parseInt)
				.toList();
			if (numbers.stream().anyMatch((n) -> n < 1 || n > 256)) {
				throw new NumberFormatException();
			}
			return numbers;
		}
		catch (NumberFormatException ex) {
			throw new RunException(key + "=" + given + " must be " + (key.equals("concurrency")
					? "a list of numbers from 1 to 256, e.g. 1,2,4,8" : "a number from 1 to 256"));
		}
	}

	private ModelsCommand.Listing listing() {
		try {
			this.catalog.modelNames(); // one clear sentence when nothing, or no OpenAI server, answers
			return this.models.list();
		}
		catch (ModelCallException ex) {
			throw new RunException(RunnerEndpoint.unreachable(ex.getMessage(), ex));
		}
		catch (IOException ex) {
			throw new RunException("cannot list the models at " + this.properties.baseUrl() + ": " + ex.getMessage());
		}
	}

}
