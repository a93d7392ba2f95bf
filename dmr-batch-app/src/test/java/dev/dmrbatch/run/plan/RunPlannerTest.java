package dev.dmrbatch.run.plan;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.config.LaunchSettings;
import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.model.ModelCatalog;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RunPlannerTest {

	private static DmrProperties profile() {
		ModelSettings qwen = ModelSettings.of(Map.of("temperature", 0.6, "max_tokens", 1024));
		return new DmrProperties(Path.of("."), URI.create("http://x/v1"), "k", "ai/gemma3", 300, 0.9, 0.8, 5L,
				List.of("STOP"), null, null, null, 4, null, null, new DmrProperties.Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(1)),
				new DmrProperties.Retry(1, Duration.ofMillis(1), Duration.ofMillis(1)), Map.of("ai/qwen3", qwen), Map.of(),
				new DmrProperties.Export(null));
	}

	@Test
	void aPerModelBlockCannotSendASettingOfItsOwnAsAnExtraField() {
		ModelSettings sneaky = new ModelSettings(null, null, null, null, null, null, null, null, null, null, null, null,
				Map.of("n", 4));
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> new DmrProperties(Path.of("."), URI.create("http://x/v1"), "k", "ai/gemma3", 300, null,
					null, null, null, null, null, null, 4, null, null,
					new DmrProperties.Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(1)),
					new DmrProperties.Retry(1, Duration.ofMillis(1), Duration.ofMillis(1)), Map.of("ai/x", sneaky),
					Map.of(), new DmrProperties.Export(null)))
			.withMessage("dmr.models.\"[ai/x]\".extra.n is not an extra field: it is a setting of its own, or one "
					+ "dmr-batch sends itself");
	}

	private static JobDefinition job(ModelSettings model) {
		return new JobDefinition("j", null, null, model, null, null, List.of(new JobDefinition.Step("a", "x", null)),
				null, null, null, null, null, Path.of("jobs/j.yaml"));
	}

	private static RunRequest request(String model) {
		return RunRequest.of("j").model(model).build();
	}

	@Test
	void repeatIsTheCommandLinesThenTheJobFilesThenOnceAndOnlyAWholeNumberFrom1To100() {
		JobDefinition once = job(null);
		JobDefinition thrice = new JobDefinition("j", null, null, null, null, null, null,
				List.of(new JobDefinition.Step("a", "x", null)), null, null, null, null, null, null, null,
				Path.of("jobs/j.yaml"), null, null, null, null, null, 3);
		assertThat(RunPlanner.repeat(once, request(null))).isEqualTo(1);
		assertThat(RunPlanner.repeat(thrice, request(null))).isEqualTo(3);
		assertThat(RunPlanner.repeat(thrice, request(null).withRepeat(" 5"))).isEqualTo(5);
		for (String bad : List.of("0", "101", "three", "2.5")) {
			org.assertj.core.api.Assertions.assertThatThrownBy(() -> RunPlanner.repeat(once, request(null).withRepeat(bad)))
				.isInstanceOf(RunException.class)
				.hasMessage("repeat=" + bad + " must be a whole number from 1 to 100");
		}
	}

	@Test
	void aResumedRunSendsItsImagesAtTheSideItStartedWithWhateverTheProfileSaysNow() {
		JobDefinition job = job(null);
		ModelSettings model = ModelSettings.NONE.withName("ai/x");
		RunPlan now = RunPlan.builder("j", job, null, null).models(List.of(model)).maxImageSide(500).build();

		RunPlan started64 = now.resumed(job, null, null, null, null,
				new RunSpec("", List.of(model), List.of(List.of(model)), null, 64));
		RunPlan keptBeforeItWasKept = now.resumed(job, null, null, null, null,
				new RunSpec("", List.of(model), List.of(List.of(model)), null, null));

		assertThat(started64.maxImageSide()).isEqualTo(64);
		assertThat(keptBeforeItWasKept.maxImageSide()).isEqualTo(500);
	}

	@Test
	void commandLineThenJobThenPerModelThenProfileDefaults() {
		RunPlanner planner = new RunPlanner(null, null, profile(), null, null, List.of(), (name) -> false, LaunchSettings.none(),
				null);
		ModelSettings jobModel = ModelSettings.of(Map.of("model", "ai/qwen3", "max_tokens", 64));

		ModelSettings settings = planner.models(job(jobModel), request(null)).get(0);
		assertThat(settings.name()).isEqualTo("ai/qwen3");
		assertThat(settings.maxTokens()).isEqualTo(64); // job file beats the per-model setting
		assertThat(settings.temperature()).isEqualTo(0.6); // per-model beats the profile default
		assertThat(settings.topP()).isEqualTo(0.8); // profile default
		assertThat(settings.stop()).containsExactly("STOP");

		ModelSettings overridden = planner.models(job(jobModel), request("ai/other")).get(0);
		assertThat(overridden.name()).isEqualTo("ai/other"); // the command line names the model
		assertThat(overridden.temperature()).isEqualTo(0.9); // ai/other has no settings of its own
		assertThat(overridden.maxTokens()).isEqualTo(64);

		ModelSettings defaults = planner.models(job(null), request(null)).get(0);
		assertThat(defaults.name()).isEqualTo("ai/gemma3");
		assertThat(defaults.maxTokens()).isEqualTo(300);
	}

	@Test
	void settingsGivenAtLaunchBeatTheStepTheJobFileAndThePerModelBlock() {
		LaunchSettings launch = LaunchSettings.of(ModelSettings.of(Map.of("max_tokens", 7)));
		RunPlanner planner = new RunPlanner(null, null, profile(), null, null, List.of(), (name) -> false, launch, null);
		JobDefinition.Step own = new JobDefinition.Step("b", "y", null)
			.withSettings(ModelSettings.of(Map.of("temperature", 0.1, "max_tokens", 50)));
		JobDefinition.Step other = new JobDefinition.Step("c", "z", null).withModel("ai/qwen3");
		JobDefinition job = new JobDefinition("j", null, null,
				ModelSettings.of(Map.of("model", "ai/gemma3", "temperature", 0.3, "max_tokens", 64)), null, null,
				List.of(new JobDefinition.Step("a", "x", null), own, other), null, null, null, null, null,
				Path.of("jobs/j.yaml"));

		List<ModelSettings> models = planner.models(job, request(null));
		assertThat(models.get(0).maxTokens()).isEqualTo(7); // over the job file's 64
		List<ModelSettings> steps = planner.stepSettings(job, models).get(0);
		assertThat(steps).extracting(ModelSettings::maxTokens).containsExactly(7, 7, 7); // over the step's 50 too
		assertThat(steps).extracting(ModelSettings::temperature).containsExactly(0.3, 0.1, 0.3); // the step over the job
		assertThat(steps).extracting(ModelSettings::name).containsExactly("ai/gemma3", "ai/gemma3", "ai/qwen3");

		RunPlanner unset = new RunPlanner(null, null, profile(), null, null, List.of(), (name) -> false, LaunchSettings.none(),
				null);
		List<ModelSettings> fromFiles = unset.stepSettings(job, unset.models(job, request(null))).get(0);
		assertThat(fromFiles).extracting(ModelSettings::maxTokens).containsExactly(64, 50, 64);
		ModelSettings qwen = unset.stepSettings(job(null), List.of(unset.settings(job(null), "ai/qwen3"))).get(0).get(0);
		assertThat(qwen.maxTokens()).isEqualTo(1024); // the per-model block over the profile's defaults
	}

	@Test
	void modelNamesFollowDockerModelRunner() {
		assertThat(ModelCatalog.sameModel("ai/gemma3:latest", "ai/gemma3")).isTrue();
		assertThat(ModelCatalog.sameModel("ai/gemma3", "gemma3")).isTrue();
		assertThat(ModelCatalog.sameModel("ai/qwen3:0.6B-Q4_0", "ai/qwen3")).isFalse();
		assertThat(ModelCatalog.sameModel("ai/tiny", "ai/tiny2")).isFalse();
	}


	@Test
	void runNewIsLabelledWithTheTimeInUtcSortableAndAValidLabel() {
		java.time.Clock night = java.time.Clock.fixed(java.time.Instant.parse("2026-11-28T02:30:05Z"),
				java.time.ZoneId.of("Europe/Berlin"));
		RunRequest labelled = RunPlanner.labelled(RunRequest.of("j").label("new").build(), night);
		assertThat(labelled.label()).isEqualTo("20261128-023005");
		RunPlanner.checkLabel(labelled);
		java.time.Clock later = java.time.Clock.offset(night, Duration.ofDays(40));
		assertThat(RunPlanner.labelled(RunRequest.of("j").label("new").build(), later).label())
			.isEqualTo("20270107-023005")
			.isGreaterThan(labelled.label());
		assertThat(RunPlanner.labelled(request(null), night).label()).isNull();
		// a second and a third run=new in the same second: new runs still, in order
		java.util.Set<String> taken = new java.util.HashSet<>(java.util.List.of("20261128-023005"));
		String second = RunPlanner.labelled(RunRequest.of("j").label("new").build(), night,
				taken::contains).label();
		taken.add(second);
		String third = RunPlanner.labelled(RunRequest.of("j").label("new").build(), night,
				taken::contains).label();
		assertThat(java.util.List.of(labelled.label(), second, third, "20261128-023006")).isSorted()
			.containsExactly("20261128-023005", "20261128-023005-2", "20261128-023005-3", "20261128-023006");
	}

	@Test
	void theCacheIsOffByDefaultOnFromTheJobFileAndTheLaunchArgumentWins() {
		JobDefinition plain = job(null);
		JobDefinition cached = new JobDefinition("j", null, null, null, null, null, null,
				List.of(new JobDefinition.Step("a", "x", null)), null, null, null, null, null, null, null,
				Path.of("j.yaml"), true);
		assertThat(RunPlanner.cache(plain, request(null))).isEqualTo(dev.dmrbatch.cache.CacheMode.OFF);
		assertThat(RunPlanner.cache(cached, request(null))).isEqualTo(dev.dmrbatch.cache.CacheMode.ON);
		assertThat(RunPlanner.cache(cached, withCache("off"))).isEqualTo(dev.dmrbatch.cache.CacheMode.OFF);
		assertThat(RunPlanner.cache(plain, withCache("refresh"))).isEqualTo(dev.dmrbatch.cache.CacheMode.REFRESH);
		assertThat(RunPlanner.cache(plain, withCache("on"))).isEqualTo(dev.dmrbatch.cache.CacheMode.ON);
		org.assertj.core.api.Assertions.assertThatThrownBy(() -> RunPlanner.cache(plain, withCache("yes")))
			.isInstanceOf(RunException.class)
			.hasMessage("cache= must be on, off or refresh, not 'yes'");
	}

	private static RunRequest withCache(String mode) {
		return RunRequest.of("j").cache(mode).build();
	}

}
