package dev.dmrbatch.support;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.dmrbatch.config.DmrProperties;

/** {@link DmrProperties} for unit tests that need a working folder and nothing else. */
public final class TestProperties {

	private TestProperties() {
	}

	public static DmrProperties home(Path home) {
		return new DmrProperties(home, URI.create("http://localhost:1/v1"), "secret", "ai/gemma3", 512, null, null,
				null, null, null, null, null, 4, null, null, new DmrProperties.Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(5)),
				new DmrProperties.Retry(1, Duration.ofMillis(10), Duration.ofMillis(10)), Map.of(), Map.of(),
				new DmrProperties.Export(null), null);
	}

}
