package dev.dmrbatch.run.pipeline;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.input.InputItem;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.jobfile.JobFiles;
import dev.dmrbatch.jobfile.TestJobFiles;
import dev.dmrbatch.model.LoadGate;
import dev.dmrbatch.model.StructuredOutput;
import dev.dmrbatch.model.TestClients;
import dev.dmrbatch.plugin.Plugins;
import dev.dmrbatch.prompt.PromptTemplates;
import dev.dmrbatch.run.plan.RunPlan;
import dev.dmrbatch.step.StepKind;
import dev.dmrbatch.support.FakeRunner;
import dev.dmrbatch.support.Kinds;
import dev.dmrbatch.support.Workspace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * One item's conversations, against a fake runner: every step in order, each seeing the conversation and the answers
 * before it; one conversation per model; what fails an item (its own error, a prompt that cannot be rendered, a
 * refusal) fails that item alone, and only a runner that does not answer at all fails the run.
 */
class ConversationProcessorTest {

	@TempDir
	Path home;

	private final FakeRunner runner = new FakeRunner();

	private final LoadGate gate = TestClients.gate(4);

	@AfterEach
	void close() {
		this.gate.close();
		this.runner.close();
	}

	@Test
	void eachStepSendsTheConversationSoFarAndItsPromptSeesTheAnswersBefore() {
		ConversationProcessor processor = processor("""
				model: { name: ai/tiny, max_tokens: 8 }
				system: You are terse.
				vars: { language: French }
				steps:
				  - { name: first, prompt: "Summarize ${text} (item ${record.id}) in ${vars.language}" }
				  - { name: second, prompt: "Keywords for: ${steps.first}" }
				""");

		List<Conversation> conversations = processor.process(item(7, "a7", "the text"));

		assertThat(conversations).singleElement().satisfies((conversation) -> {
			assertThat(conversation.status()).isEqualTo(Conversation.OK);
			assertThat(conversation.itemSeq()).isEqualTo(7);
			assertThat(conversation.itemId()).isEqualTo("a7");
			assertThat(conversation.model()).isEqualTo("ai/tiny");
			assertThat(conversation.turns()).extracting(Conversation.Turn::role)
				.containsExactly("system", "user", "assistant", "user", "assistant");
			assertThat(conversation.turns().get(4).content())
				.isEqualTo("Echo: Keywords for: Echo: Summarize the text (item a7) in French");
			assertThat(conversation.calls()).hasSize(2);
		});
		List<FakeRunner.Request> sent = this.runner.requests();
		assertThat(sent).hasSize(2);
		assertThat(sent.get(0).messages()).extracting((m) -> m.get("role")).containsExactly("system", "user");
		assertThat(sent.get(1).messages()).extracting((m) -> m.get("content")).containsExactly("You are terse.",
				"Summarize the text (item a7) in French", "Echo: Summarize the text (item a7) in French",
				"Keywords for: Echo: Summarize the text (item a7) in French");
		assertThat(sent).allSatisfy((request) -> {
			assertThat(request.model()).isEqualTo("ai/tiny");
			assertThat(request.body().get("max_tokens").asInt()).isEqualTo(8);
		});
	}

	@Test
	void oneConversationPerModelInThePlansOrder() {
		ConversationProcessor processor = processor("""
				models: [ai/tiny2, ai/tiny]
				model: { max_tokens: 8 }
				steps: [ { name: a, prompt: "Say ${text}" } ]
				""");

		List<Conversation> conversations = processor.process(item(1, "1", "hi"));

		assertThat(conversations).extracting(Conversation::model).containsExactly("ai/tiny2", "ai/tiny");
		assertThat(conversations).allSatisfy((c) -> assertThat(c.isOk()).isTrue());
		assertThat(this.runner.requests()).extracting(FakeRunner.Request::model).containsExactly("ai/tiny2", "ai/tiny");
	}

	@Test
	void aRepeatedItemIsAskedOncePerRepetitionEachWithTheSeedCountedUpAndOnlyTheRepetitionsAsked() {
		ConversationProcessor processor = processor("""
				models: [ai/tiny2, ai/tiny]
				model: { max_tokens: 8, seed: 10 }
				repeat: 3
				steps: [ { name: a, prompt: "Say ${text}" } ]
				""");

		List<Conversation> conversations = processor.process(item(1, "1", "hi"));
		List<Conversation> retried = processor.process(item(1, "1", "hi"),
				(key) -> key.equals(new Conversation.Key("ai/tiny", 2)));

		assertThat(conversations).extracting((c) -> c.model() + " " + c.repetition())
			.containsExactly("ai/tiny2 1", "ai/tiny2 2", "ai/tiny2 3", "ai/tiny 1", "ai/tiny 2", "ai/tiny 3");
		assertThat(retried).extracting(Conversation::key).containsExactly(new Conversation.Key("ai/tiny", 2));
		assertThat(this.runner.requests()).extracting((r) -> r.model() + " " + r.body().get("seed").asInt())
			.containsExactly("ai/tiny2 10", "ai/tiny2 11", "ai/tiny2 12", "ai/tiny 10", "ai/tiny 11", "ai/tiny 12",
					"ai/tiny 11");
	}

	@Test
	void aRepeatedSingleChatStepWithoutASeedAsksForNChoicesUntilTheRunnerGivesFewer() {
		// given: a runner that gives one choice, whatever n
		ConversationProcessor processor = processor("""
				model: { name: ai/tiny, max_tokens: 8 }
				repeat: 3
				steps: [ { name: a, prompt: "Say ${text}" } ]
				""");

		List<Conversation> first = processor.process(item(1, "1", "hi"));
		List<Conversation> second = processor.process(item(2, "2", "ho"));

		// then: the first request asked for 3, the missing answers and the next item were asked one by one
		assertThat(first).extracting(Conversation::repetition).containsExactly(1, 2, 3);
		assertThat(second).extracting(Conversation::repetition).containsExactly(1, 2, 3);
		assertThat(first).allSatisfy((c) -> assertThat(c.isOk()).isTrue());
		assertThat(this.runner.requests()).extracting((r) -> r.lastContent() + " " + r.body().path("n").asInt(1))
			.containsExactly("Say hi 3", "Say hi 1", "Say hi 1", "Say ho 1", "Say ho 1", "Say ho 1");
	}

	@Test
	void repeatedAnswersAreAskedOneRequestEachWhereOneRequestCannotGiveThem() {
		// given: two steps, a seed, a streamed step
		List<String> jobs = List.of("""
				model: { name: ai/tiny, max_tokens: 8 }
				repeat: 2
				steps: [ { name: a, prompt: "Say ${text}" }, { name: b, prompt: "Again" } ]
				""", """
				model: { name: ai/tiny, max_tokens: 8, seed: 4 }
				repeat: 2
				steps: [ { name: a, prompt: "Say ${text}" } ]
				""", """
				model: { name: ai/tiny, max_tokens: 8, stream: true }
				repeat: 2
				steps: [ { name: a, prompt: "Say ${text}" } ]
				""");

		for (String job : jobs) {
			processor(job).process(item(1, "1", "hi"));
		}

		assertThat(this.runner.requests()).hasSize(8).allSatisfy((r) -> assertThat(r.body().has("n")).isFalse());
	}

	@Test
	void aStepSkippedByItsWhenSendsNothingAndTheNextStillRuns() {
		ConversationProcessor processor = processor("""
				model: { name: ai/tiny, max_tokens: 8 }
				steps:
				  - { name: a, prompt: "First ${text}", when: "text == 'never'" }
				  - { name: b, prompt: "Second ${text}" }
				""");

		Conversation conversation = processor.process(item(1, "1", "hi")).get(0);

		assertThat(conversation.isOk()).isTrue();
		assertThat(this.runner.requests()).singleElement()
			.satisfies((request) -> assertThat(request.lastContent()).isEqualTo("Second hi"));
	}

	@Test
	void anItemThatCouldNotBeReadIsFailedWithItsReasonAndNothingIsSent() {
		ConversationProcessor processor = processor("""
				model: { name: ai/tiny, max_tokens: 8 }
				steps: [ { name: a, prompt: "Say ${text}" } ]
				""");

		List<Conversation> conversations = processor
			.process(new InputItem(3, "3", Map.of(), "input/items.csv line 4: 3 fields instead of 2", false));

		assertThat(conversations).singleElement().satisfies((conversation) -> {
			assertThat(conversation.status()).isEqualTo(Conversation.FAILED);
			assertThat(conversation.error()).isEqualTo("input/items.csv line 4: 3 fields instead of 2");
		});
		assertThat(this.runner.requests()).isEmpty();
	}

	@Test
	void aBlankLineIsNothingToAsk() {
		ConversationProcessor processor = processor("""
				model: { name: ai/tiny, max_tokens: 8 }
				steps: [ { name: a, prompt: "Say ${text}" } ]
				""");

		assertThat(processor.process(new InputItem(2, null, Map.of(), null, true))).isNull();
		assertThat(this.runner.requests()).isEmpty();
	}

	@Test
	void aPromptThatCannotBeRenderedFailsItsItemAfterTheStepsBeforeIt() {
		ConversationProcessor processor = processor("""
				model: { name: ai/tiny, max_tokens: 8 }
				steps:
				  - { name: a, prompt: "Say ${text}" }
				  - { name: b, prompt: "And ${missing}" }
				""");

		Conversation conversation = processor.process(item(1, "r1", "hi")).get(0);

		assertThat(conversation.status()).isEqualTo(Conversation.FAILED);
		assertThat(conversation.error()).contains("missing");
		assertThat(conversation.turns()).extracting(Conversation.Turn::content).containsExactly("Say hi", "Echo: Say hi");
		assertThat(this.runner.requests()).hasSize(1);
	}

	@Test
	void aRefusalFailsItsItemWithTheRunnersWordsAndNothingAfterIsSent() {
		this.runner.answers((request) -> request.lastContent().contains("bad")
				? new FakeRunner.Status(400, "{\"error\":{\"message\":\"the prompt is too long\"}}")
				: FakeRunner.ECHO.apply(request));
		ConversationProcessor processor = processor("""
				model: { name: ai/tiny, max_tokens: 8 }
				steps:
				  - { name: a, prompt: "Say ${text}" }
				  - { name: b, prompt: "Then ${steps.a}" }
				""");

		Conversation refused = processor.process(item(1, "r1", "bad")).get(0);
		Conversation answered = processor.process(item(2, "r2", "good")).get(0);

		assertThat(refused.status()).isEqualTo(Conversation.FAILED);
		assertThat(refused.error()).isEqualTo("step a: model 'ai/tiny' at " + this.runner.baseUrl()
				+ " answered 400: the prompt is too long");
		assertThat(answered.isOk()).isTrue();
		assertThat(this.runner.requests()).extracting(FakeRunner.Request::lastContent)
			.containsExactly("Say bad", "Say good", "Then Echo: Say good");
	}

	@Test
	void aRunnerThatDoesNotAnswerAtAllFailsTheRunNotTheItem() {
		this.runner.answers((request) -> new FakeRunner.Drop());
		ConversationProcessor processor = processor("""
				model: { name: ai/tiny, max_tokens: 8 }
				steps: [ { name: a, prompt: "Say ${text}" } ]
				""");

		assertThatExceptionOfType(RunnerUnavailableException.class)
			.isThrownBy(() -> processor.process(item(1, "r1", "hi")))
			.withMessageContaining(this.runner.baseUrl());
		assertThat(this.runner.requests()).as("sent, and sent again").hasSizeGreaterThanOrEqualTo(2);
	}

	@Test
	void theChecksSeeTheAnswersAndGiveTheirVerdictsWithoutFailingTheItem() {
		ConversationProcessor processor = processor("""
				model: { name: ai/tiny, max_tokens: 8 }
				steps:
				  - name: a
				    prompt: "Say ${text}"
				    checks:
				      - { name: echoes, type: contains, value: "Echo" }
				      - { name: polite, type: contains, value: "please" }
				""");

		Conversation conversation = processor.process(item(1, "r1", "hi")).get(0);

		assertThat(conversation.isOk()).isTrue();
		assertThat(conversation.verdicts()).extracting((v) -> v.checkKey() + " " + v.pass())
			.containsExactly("a.echoes true", "a.polite false");
	}

	private static InputItem item(long seq, String id, String text) {
		return new InputItem(seq, id, Map.of("text", text), null, false);
	}

	@Test
	void theProfilesMaxImageSideSizesAStepsImagesAndTheStepsOwnWins() throws Exception {
		java.awt.image.BufferedImage wide = new java.awt.image.BufferedImage(400, 200,
				java.awt.image.BufferedImage.TYPE_INT_RGB);
		Path photo = this.home.resolve("a.png");
		javax.imageio.ImageIO.write(wide, "png", photo.toFile());
		ConversationProcessor processor = processor("""
				model: { name: ai/tiny, max_tokens: 8 }
				steps:
				  - { name: first, prompt: "Look", images: [file] }
				  - { name: second, prompt: "Again", images: [file], max-image-side: 100 }
				""", (plan) -> plan.maxImageSide(64));

		InputItem item = new InputItem(1, "a.png", Map.of("file", "a.png"), null, false, Map.of("file", photo));
		assertThat(processor.process(item)).singleElement()
			.satisfies((conversation) -> assertThat(conversation.status()).isEqualTo(Conversation.OK));

		List<FakeRunner.Request> sent = this.runner.requests();
		assertThat(sent).hasSize(2);
		assertThat(sentWidth(sent.get(0))).isEqualTo(64);
		assertThat(sentWidth(sent.get(1))).isEqualTo(100);
	}

	/** The width of the image the last message of a request carries. */
	private static int sentWidth(FakeRunner.Request request) throws Exception {
		tools.jackson.databind.JsonNode messages = request.body().get("messages");
		for (tools.jackson.databind.JsonNode part : messages.get(messages.size() - 1).get("content")) {
			if (part.path("type").asString().equals("image_url")) {
				String url = part.get("image_url").get("url").asString();
				byte[] bytes = java.util.Base64.getDecoder().decode(url.substring(url.indexOf(',') + 1));
				return javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(bytes)).getWidth();
			}
		}
		throw new AssertionError("no image in " + request.body());
	}

	private ConversationProcessor processor(String yaml) {
		return processor(yaml, (plan) -> plan);
	}

	/** The processor of a run of this job file, planned as the planner plans one, against the fake runner. */
	private ConversationProcessor processor(String yaml,
			java.util.function.UnaryOperator<RunPlan.Builder> more) {
		new Workspace(this.home).file("jobs/j.yaml", yaml);
		DmrProperties properties = this.runner.properties(this.home);
		JobFiles jobFiles = TestJobFiles.of(properties);
		JobDefinition job = jobFiles.load("j");
		PromptTemplates templates = new PromptTemplates(properties);
		Plugins plugins = Kinds.plugins(properties);
		ModelSettings model = (job.model() != null) ? job.model() : ModelSettings.NONE;
		List<ModelSettings> models = (job.models() != null)
				? job.models().stream().map(model::withName).toList() : List.of(model);
		List<StructuredOutput> formats = new ArrayList<>();
		job.steps().forEach((step) -> formats.add(jobFiles.structuredOutput(step)));
		RunPlan plan = more.apply(RunPlan.builder("j", job, templates.compile(job), null)
			.models(models)
			.formats(formats)
			.vars(job.varsOrEmpty())
			.concurrency(4, false)
			.retry(new DmrProperties.Retry(2, Duration.ofMillis(1), Duration.ofMillis(1)))
			.checks(Kinds.checkKinds(plugins).compile(job, templates, (m) -> m))
			.repeat((job.repeat() != null) ? job.repeat() : 1))
			.build();
		List<StepKind> kinds = job.steps().stream().map(Kinds.stepKinds(plugins)::kind).toList();
		return new ConversationProcessor(plan, TestClients.chat(properties), this.gate, null, kinds);
	}

}
