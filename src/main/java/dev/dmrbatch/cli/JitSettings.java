package dev.dmrbatch.cli;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.management.ObjectName;

/**
 * Keeps the JVM's optimizing compiler (C2) out of a run. Against a fast runner the client's CPU decides the
 * throughput on a small machine, and C2 warming up is the largest single cost over a run of minutes: it competes
 * with the model server for the same cores. C1's code is good enough for a client that mostly waits. Measured with
 * scripts/bench-overhead (README, Performance). Users start {@code java -jar} without flags, so it is done from
 * inside, with a compiler directive added through the DiagnosticCommand MBean; {@code DMR_JIT_C2=true} keeps C2.
 */
final class JitSettings {

	private JitSettings() {
	}

	static void apply() {
		if ("true".equalsIgnoreCase(System.getenv("DMR_JIT_C2"))
				|| "true".equalsIgnoreCase(System.getProperty("dmr.jit.c2"))) {
			return;
		}
		try {
			Path directives = Files.createTempFile("dmr-batch-jit", ".json");
			try {
				Files.writeString(directives, "[{ match: \"*.*\", c2: { Exclude: true } }]");
				ManagementFactory.getPlatformMBeanServer()
					.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesAdd",
							new Object[] { new String[] { directives.toString() } },
							new String[] { String[].class.getName() });
			}
			finally {
				Files.deleteIfExists(directives);
			}
		}
		catch (Exception | LinkageError ex) {
			// another JVM, or management off: C2 stays, which is only slower
		}
	}

}
