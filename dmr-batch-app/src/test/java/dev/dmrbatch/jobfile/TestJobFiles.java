package dev.dmrbatch.jobfile;

import java.nio.file.Path;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.plugin.Plugins;
import dev.dmrbatch.support.Kinds;
import dev.dmrbatch.support.TestProperties;
import jakarta.validation.Validation;

/** {@link JobFiles} for unit tests: a working folder's, with the built-in types and its plugins. */
final class TestJobFiles {

	private TestJobFiles() {
	}

	static JobFiles in(Path home) {
		DmrProperties properties = TestProperties.home(home);
		Plugins plugins = Kinds.plugins(properties);
		return new JobFiles(properties, Validation.buildDefaultValidatorFactory().getValidator(), plugins,
				Kinds.steps(plugins), Kinds.checks(plugins));
	}

}
