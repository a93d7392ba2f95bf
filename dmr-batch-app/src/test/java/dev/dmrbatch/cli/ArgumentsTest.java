package dev.dmrbatch.cli;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

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
	void everyArgumentTheCommandLineAcceptsIsDocumentedInHelp() {
		String help = Usage.keptLines();
		for (String key : Arguments.KEYS) {
			// key=..., or a switch given alone: [dry-run]
			assertThat(Pattern.compile("(?<![\\w.-])" + Pattern.quote(key) + "(=|\\])").matcher(help).find())
				.as("%s= is accepted but help does not name it", key)
				.isTrue();
		}
		assertThat(Arguments.KEYS).containsAll(JobRun.arguments().stream().filter((key) -> !key.equals("var.")).toList());
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

	@Test
	void aTrialIsTheFirstRecordsOrASampleWithItsSeedAndABadValueIsRefusedInOneSentence() {
		assertThat(Arguments.parse(List.of("job=j", "limit=10")).toRequest().trial())
			.isEqualTo(dev.dmrbatch.input.TrialSelection.first(10));
		assertThat(Arguments.parse(List.of("job=j", "sample=5", "sample-seed=7")).toRequest().trial().label())
			.isEqualTo("try-sample-5-seed-7");
		assertThat(Arguments.parse(List.of("job=j", "sample=5")).toRequest().trial().label())
			.isEqualTo("try-sample-5-seed-0");
		assertThat(Arguments.parse(List.of("job=j")).toRequest().trial()).isNull();
		for (String bad : List.of("0", "-3", "ten", "1.5", "99999999999")) {
			assertThatThrownBy(() -> Arguments.parse(List.of("job=j", "limit=" + bad)).toRequest())
				.isInstanceOf(ArgumentException.class)
				.hasMessage("limit=" + bad + " is not a number of records: give a whole number from 1 to 2147483647");
		}
		assertThatThrownBy(() -> Arguments.parse(List.of("job=j", "sample=0")).toRequest())
			.hasMessageStartingWith("sample=0 is not a number of records");
		assertThatThrownBy(() -> Arguments.parse(List.of("job=j", "limit=3", "sample=3")).toRequest())
			.isInstanceOf(ArgumentException.class)
			.hasMessage("limit= and sample= cannot go together: a trial takes either the first records or a sample of them");
		assertThatThrownBy(() -> Arguments.parse(List.of("job=j", "sample=3", "sample-seed=x")).toRequest())
			.hasMessage("sample-seed=x is not a whole number");
		assertThatThrownBy(() -> Arguments.parse(List.of("job=j", "limit=3", "sample-seed=2")).toRequest())
			.hasMessage("sample-seed= goes with sample=<n>; it draws that sample");
	}

	@Test
	void dryRunIsAWordAnywhereOrTrueOrFalseAndAJobRunTakesIt() {
		assertThat(Arguments.parse(List.of("job=j", "dry-run")).dryRun()).isTrue();
		assertThat(Arguments.parse(List.of("dry-run", "job=j")).dryRun()).isTrue();
		assertThat(Arguments.parse(List.of("dry-run", "job=j")).job()).isEqualTo("j");
		assertThat(Arguments.parse(List.of("job=j", "dry-run=true")).dryRun()).isTrue();
		assertThat(Arguments.parse(List.of("job=j", "dry-run=false")).dryRun()).isFalse();
		assertThat(Arguments.parse(List.of("job=j")).dryRun()).isFalse();
		assertThatThrownBy(() -> Arguments.parse(List.of("job=j", "dry-run=yes")))
			.isInstanceOf(ArgumentException.class)
			.hasMessage("dry-run=yes is not true or false");
		assertThatThrownBy(() -> Arguments.parse(List.of("job=j", "dry-run", "dry-run=true")))
			.isInstanceOf(ArgumentException.class)
			.hasMessage("argument dry-run= is given twice");
		JobCommand.refuseUnused(Arguments.parse(List.of("job=j", "dry-run")), JobRun.arguments(), "a job run");
		assertThatThrownBy(() -> JobCommand.refuseUnused(Arguments.parse(List.of("runs", "dry-run")), Set.of("of"),
				"runs"))
			.hasMessage("runs does not take dry-run=; its arguments are job=<name>, profile=");
	}

}
