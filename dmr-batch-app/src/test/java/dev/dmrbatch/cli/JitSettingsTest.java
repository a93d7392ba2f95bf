package dev.dmrbatch.cli;

import java.lang.management.ManagementFactory;

import javax.management.ObjectName;

import com.sun.management.HotSpotDiagnosticMXBean;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The compiler directive that keeps C2 out of a plain {@code java -jar} run really reaches this JVM. */
class JitSettingsTest {

	private static final ObjectName DIAGNOSTICS = name("com.sun.management:type=DiagnosticCommand");

	@Test
	void excludesC2UnlessTheJvmIsC1OnlyAlready() throws Exception {
		boolean c1Only = "1".equals(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
			.getVMOption("TieredStopAtLevel")
			.getValue());
		String before = directives();

		assertThat(JitSettings.excludeC2()).isTrue();

		String after = directives();
		if (c1Only) {
			assertThat(after).isEqualTo(before);
		}
		else {
			try {
				// a new directive on top of the stack, for every method, with C2 excluded
				assertThat(count(after, "Directive:")).isEqualTo(count(before, "Directive:") + 1);
				String top = after.substring(0, after.indexOf("Directive:", after.indexOf("Directive:") + 1));
				assertThat(top).contains("matching: *.*");
				assertThat(top.substring(top.indexOf("c2 directives:"))).contains("Exclude:true");
			}
			finally {
				ManagementFactory.getPlatformMBeanServer().invoke(DIAGNOSTICS, "compilerDirectivesRemove", null, null);
			}
		}
	}

	private static String directives() throws Exception {
		return (String) ManagementFactory.getPlatformMBeanServer()
			.invoke(DIAGNOSTICS, "compilerDirectivesPrint", null, null);
	}

	private static int count(String text, String part) {
		return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
	}

	private static ObjectName name(String name) {
		try {
			return new ObjectName(name);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
