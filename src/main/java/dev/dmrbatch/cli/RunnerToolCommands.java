package dev.dmrbatch.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import dev.dmrbatch.model.DmrProperties;
import dev.dmrbatch.model.ModelCallException;
import dev.dmrbatch.model.ModelCatalog;
import dev.dmrbatch.run.RunException;
import dev.dmrbatch.runner.ModelsCommand;
import dev.dmrbatch.runner.ProbeCommand;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/** {@code job=models} and {@code job=probe}: questions about the runner, answered by asking it. */
@Component
class RunnerToolCommands {

	private final ModelsCommand models;

	private final ProbeCommand probe;

	private final ModelCatalog catalog;

	private final DmrProperties properties;

	RunnerToolCommands(ModelsCommand models, ProbeCommand probe, ModelCatalog catalog, DmrProperties properties) {
		this.models = models;
		this.probe = probe;
		this.catalog = catalog;
		this.properties = properties;
	}

	int models(Arguments arguments, boolean json) {
		ModelsCommand.Listing listing = listing();
		if (json || "json".equals(arguments.get("format"))) {
			Console.out(JsonMapper.builder().build().writerWithDefaultPrettyPrinter()
				.writeValueAsString(this.models.json(listing)));
		}
		else {
			Console.out(this.models.table(listing));
		}
		return 0;
	}

	int probe(Arguments arguments) throws IOException {
		String model = (arguments.get("model") != null) ? arguments.get("model") : this.properties.defaultModel();
		ModelsCommand.Listing listing = listing();
		List<String> names = listing.models().stream().map(ModelsCommand.ModelInfo::name).toList();
		if (!names.contains(model)) {
			throw new RunException("model '" + model + "' is not available; the runner has: "
					+ (names.isEmpty() ? "no models" : String.join(", ", names)) + " (with Docker Model Runner: "
					+ "docker model pull " + model + ")");
		}
		ProbeCommand.Probe result = this.probe.probe(model, listing.runner());
		Path folder = (arguments.get("output") != null) ? this.properties.resolve(arguments.get("output"))
				: this.properties.resolve("output").resolve("probe").resolve(model.replaceAll("[^A-Za-z0-9._-]", "_"));
		List<Path> files = this.probe.write(result, folder);
		Console.out(this.probe.table(result));
		files.forEach((file) -> Console.out("written: " + file.toAbsolutePath()));
		return 0;
	}

	private ModelsCommand.Listing listing() {
		try {
			this.catalog.modelNames(); // one clear sentence when nothing, or no OpenAI server, answers
			return this.models.list();
		}
		catch (ModelCallException ex) {
			throw new RunException(ex.getMessage());
		}
		catch (IOException ex) {
			throw new RunException("cannot list the models at " + this.properties.baseUrl() + ": " + ex.getMessage());
		}
	}

}
