package dev.dmrbatch.cli;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.management.ObjectName;

import com.sun.management.HotSpotDiagnosticMXBean;

/**
 * Keeps the JVM's optimizing compiler (C2) out of a run. Against a fast runner the client's CPU decides the
 * throughput on a small machine, and C2 warming up is the largest single cost over a run of minutes: it competes
 * with the model server for the same cores. C1's code is good enough for a client that mostly waits. Measured with
 * scripts/bench-overhead (README, Performance). Users start {@code java -jar} without flags, so it is done from
 * inside, with a compiler directive added through the DiagnosticCommand MBean; {@code DMR_JIT_C2=true} keeps C2.
 * scripts/dmr-batch starts the JVM with {@code -XX:TieredStopAtLevel=1} instead, which is cheaper still (hot methods
 * are compiled once, without profiling code), and then nothing is done here.
 */
final class JitSettings {

	/** Once per JVM: tests run the application many times in one JVM, and directives stack up. */
	private static final AtomicBoolean applied = new AtomicBoolean();

	private JitSettings() {
	}

	/**
	 * Adds the directive on a thread of its own: the platform MBean server it needs takes about 100 ms to create,
	 * which the start-up should not wait for, and the few methods hot enough for C2 that early do not matter.
	 */
	static void apply() {
		if ("true".equalsIgnoreCase(System.getenv("DMR_JIT_C2"))
				|| "true".equalsIgnoreCase(System.getProperty("dmr.jit.c2")) || applied.getAndSet(true)) {
			return;
		}
		Thread thread = new Thread(JitSettings::excludeC2, "jit-settings");
		thread.setDaemon(true);
		thread.start();
	}

	/** Adds the directive now, unless the JVM compiles with C1 only already; false when it could not. */
	static boolean excludeC2() {
		try {
			HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
			if ("1".equals(hotSpot.getVMOption("TieredStopAtLevel").getValue())) {
				return true; // C1 only already, by the launcher's flag
			}
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
			return true;
		}
		catch (Exception | LinkageError ex) {
			// another JVM, or management off: C2 stays, which is only slower
			return false;
		}
	}

}
