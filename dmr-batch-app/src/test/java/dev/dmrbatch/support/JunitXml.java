package dev.dmrbatch.support;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks a JUnit XML file against the common JUnit schema, Jenkins' {@code junit-10.xsd} (a test resource), with
 * xmllint from Debian's {@code libxml2-utils}, which {@code scripts/test} installs.
 */
public final class JunitXml {

	private JunitXml() {
	}

	/** Asserts that xmllint finds the file valid against {@code junit-10.xsd}. */
	public static void assertValid(Path file) throws IOException, InterruptedException {
		Path schema;
		try {
			schema = Path.of(JunitXml.class.getResource("/junit/junit-10.xsd").toURI());
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException(ex);
		}
		Process xmllint = new ProcessBuilder(List.of("xmllint", "--noout", "--schema", schema.toString(),
				file.toString())).redirectErrorStream(true).start();
		String output = new String(xmllint.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(xmllint.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(xmllint.exitValue()).as(output).isZero();
		assertThat(output).contains("validates");
	}

}
