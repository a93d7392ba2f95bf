package dev.dmrbatch.config;

import java.nio.file.Path;

import dev.dmrbatch.text.SafeText;

import org.springframework.core.io.Resource;

/**
 * A configuration file ({@code config/application.yaml}, {@code application-<profile>.json}, ...) that cannot be
 * read: the message names the file, the line and what is wrong, in one sentence, never quoting the line itself.
 */
public class ConfigFileException extends IllegalStateException {

	ConfigFileException(Resource resource, int line, String problem) {
		super("config file " + display(resource) + ((line > 0) ? " line " + line : "") + ": " + problem);
	}

	/** A file by its path relative to the current folder when it is inside it, else its description. */
	static String display(Resource resource) {
		try {
			if (resource.isFile()) {
				Path file = resource.getFile().toPath().toAbsolutePath().normalize();
				Path here = Path.of("").toAbsolutePath();
				return SafeText.excerpt((file.startsWith(here) ? here.relativize(file) : file).toString(), 200);
			}
		}
		catch (java.io.IOException ex) {
			// its description, then
		}
		return SafeText.excerpt(resource.getDescription(), 200);
	}

}
