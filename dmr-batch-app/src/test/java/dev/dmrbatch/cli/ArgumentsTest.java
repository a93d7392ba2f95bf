package dev.dmrbatch.cli;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The command line's own arguments: request settings given by their job file names, and arguments a command does not use. */
class ArgumentsTest {

	@Test
	void aRequestSettingByItsJobFileNameIsTheCommandLinesDmrSetting() {
		assertThat(CommandLine.requestSettings(new String[] { "job=j", "max_tokens=7", "top_p=0.5", "--dmr.seed=3" }))
			.containsExactly("job=j", "max_tokens=7", "top_p=0.5", "--dmr.seed=3", "--dmr.max-tokens=7", "--dmr.top-p=0.5");
		assertThat(CommandLine.requestSettings(new String[] { "job=j", "--dmr.max-tokens=7" }))
			.containsExactly("job=j", "--dmr.max-tokens=7");
	}

	@Test
	void theSameSettingTwiceAtLaunchIsRefused() {
		assertThatThrownBy(() -> CommandLine.requestSettings(new String[] { "job=j", "max_tokens=7", "--dmr.max-tokens=9" }))
			.isInstanceOf(ArgumentException.class)
			.hasMessage("max_tokens= and --dmr.max-tokens both set max_tokens: give one");
	}

	@Test
	void anArgumentTheCommandDoesNotUseIsRefusedWithTheOnesItDoes() {
		Arguments runs = Arguments.parse(List.of("job=runs", "max_tokens=3"));
		assertThatThrownBy(() -> JobCommand.refuseUnused(runs, Set.of("of"), "job=runs"))
			.isInstanceOf(ArgumentException.class)
			.hasMessage("job=runs does not take max_tokens=; its arguments are job=<name>, profile=");
		Arguments vars = Arguments.parse(List.of("job=show", "run=1", "var.x=1"));
		assertThatThrownBy(() -> JobCommand.refuseUnused(vars, Set.of("run"), "job=show"))
			.hasMessage("job=show does not take var.x=; its arguments are run=, profile=");
		Arguments run = Arguments.parse(
				List.of("job=j", "max_tokens=3", "var.x=1", "profile=dev", "input=a.csv", "cache=on"));
		JobCommand.refuseUnused(run, JobRun.arguments(), "a job run");
		assertThatThrownBy(() -> JobCommand.refuseUnused(Arguments.parse(List.of("job=j", "requests=3")),
				JobRun.arguments(), "a job run"))
			.hasMessageStartingWith("a job run does not take requests=; its arguments are base-url=, cache=, cluster=, concurrency=, ")
			.hasMessageContaining("max_tokens=");
	}

}
