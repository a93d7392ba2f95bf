package dev.dmrbatch.jobfile;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.plugin.Plugins;
import dev.dmrbatch.support.Kinds;
import jakarta.validation.Validation;

/** {@link JobFiles} as the application has it, built by hand: the built-in kinds and the working folder's plugins. */
public final class TestJobFiles {

	private TestJobFiles() {
	}

	public static JobFiles of(DmrProperties properties) {
		Plugins plugins = Kinds.plugins(properties);
		return new JobFiles(properties, Validation.buildDefaultValidatorFactory().getValidator(), plugins,
				Kinds.inputFormats(plugins), Kinds.exportFormats(plugins), Kinds.stepKinds(plugins),
				Kinds.checkKinds(plugins));
	}

}
