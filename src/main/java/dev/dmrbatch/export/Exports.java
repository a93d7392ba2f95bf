package dev.dmrbatch.export;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * Writes a run's exports from the store in one pass over its conversations. File names are fixed, so nothing from
 * the input can place a file outside the output folder.
 */
@Component
public class Exports {

	private static final Logger log = LoggerFactory.getLogger(Exports.class);

	private final ConversationStore store;

	private final JsonMapper json = JsonMapper.builder().build();

	Exports(ConversationStore store) {
		this.store = store;
	}

	/** Writes the formats asked for into the run's output folder and returns the files written. */
	public List<Path> write(RunRecord run, List<String> formats) {
		Path folder = Path.of(run.outputDir());
		List<Path> files = new ArrayList<>();
		List<Exporter> exporters = new ArrayList<>();
		try {
			Files.createDirectories(folder);
			for (String format : formats) {
				switch (format) {
					case "jsonl" -> {
						exporters.add(new JsonlExporter(folder, this.json));
						files.add(folder.resolve(JsonlExporter.FILE));
					}
					default -> log.warn("export format '{}' is not available yet; skipped", format);
				}
			}
			if (exporters.isEmpty()) {
				return files;
			}
			this.store.forEach(run.id(), (conversation) -> {
				for (Exporter exporter : exporters) {
					try {
						exporter.write(conversation);
					}
					catch (IOException ex) {
						throw new UncheckedIOException(ex);
					}
				}
			});
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write the exports into " + folder + ": " + ex.getMessage(), ex);
		}
		finally {
			for (Exporter exporter : exporters) {
				try {
					exporter.close();
				}
				catch (IOException ex) {
					log.warn("closing an export in {} failed: {}", folder, ex.getMessage());
				}
			}
		}
		return files;
	}

}
