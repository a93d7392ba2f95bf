package dev.dmrbatch.cli;

import java.sql.SQLException;
import java.util.List;

import dev.dmrbatch.conversation.ForeignStoreException;
import org.junit.jupiter.api.Test;

import org.springframework.boot.ExitCodeGenerator;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalysisReporter;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;

/** Startup failures are Boot's failure analyses, registered ahead of Boot's own, and reported in one sentence. */
class StartupFailureAnalyzersTest {

	private static FailureAnalysis analyze(Throwable failure) {
		// Boot's analyzers that need the context cannot be made here; these are the ones that run without it
		SpringFactoriesLoader.FailureHandler skip = (type, implementation, ex) -> {
		};
		for (FailureAnalyzer analyzer : SpringFactoriesLoader.forDefaultResourceLocation()
			.load(FailureAnalyzer.class, skip)) {
			FailureAnalysis analysis = analyzer.analyze(failure);
			if (analysis != null) {
				return analysis;
			}
		}
		return null;
	}

	@Test
	void theSentenceIsTheAnalysisOfTheCauseWhereverItIsInTheChain() {
		Throwable argument = new IllegalStateException("context failed",
				new RuntimeException("listener failed", new ArgumentException("profile=nope: no such profile")));
		assertThat(analyze(argument).getDescription()).isEqualTo("profile=nope: no such profile");
		Throwable inUse = new IllegalStateException("pool", new SQLException(
				"Database may be already in use: \"/data/store.mv.db\". Possible solutions: close all other connections"));
		assertThat(analyze(inUse).getDescription()).isEqualTo("the data file /data/store.mv.db is in use by another "
				+ "dmr-batch process (one started with dmr.store.shared=false, or the store server of the others): "
				+ "wait for it to end, or let every process share the store (dmr.store.shared=true, the default)");
		Throwable other = new IllegalStateException("outer", new IllegalArgumentException("port 1 in use\nat line 2"));
		assertThat(analyze(other).getDescription()).isEqualTo("dmr-batch could not start: port 1 in use");
	}

	@Test
	void theStoresOwnRefusalIsItsSentenceAndAnExitCodeTheFailureCarriesIsTheCommands() {
		Throwable foreign = new IllegalStateException("bean", new ForeignStoreException(
				"the data folder /w/data belongs to nobody, not to me: dmr-batch keeps every prompt and answer there"));
		assertThat(analyze(foreign).getDescription())
			.isEqualTo("the data folder /w/data belongs to nobody, not to me: dmr-batch keeps every prompt and answer there");
		assertThat(CommandLine.exitCode(foreign)).isEqualTo(CommandLine.NOTHING_RAN);

		class NotAnswering extends RuntimeException implements ExitCodeGenerator {

			@Override
			public int getExitCode() {
				return 5;
			}

		}
		assertThat(CommandLine.exitCode(new IllegalStateException("bean", new NotAnswering()))).isEqualTo(5);
	}

	@Test
	void theReporterPrintsTheOneSentence() {
		List<FailureAnalysisReporter> reporters = SpringFactoriesLoader.forDefaultResourceLocation()
			.load(FailureAnalysisReporter.class);
		assertThat(reporters).anyMatch(StartupFailureAnalyzers.ConsoleReporter.class::isInstance);
	}

}
