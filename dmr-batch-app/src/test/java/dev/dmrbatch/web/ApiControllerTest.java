package dev.dmrbatch.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.chat.BrowserChat;
import dev.dmrbatch.check.CheckStore;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.history.RunHistory;
import dev.dmrbatch.history.RunNotes;
import dev.dmrbatch.history.RunSummary;
import dev.dmrbatch.input.TrialSelection;
import dev.dmrbatch.model.ModelCatalog;
import dev.dmrbatch.model.ModelReply;
import dev.dmrbatch.model.StreamListener;
import dev.dmrbatch.model.TestClients;
import dev.dmrbatch.support.FakeRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;

import static dev.dmrbatch.web.WebSlice.signed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The JSON API as a slice (Spring MVC, its advice and the guard, no server): the runner's models from a fake runner,
 * the store and the history stand-ins. The token and the CSRF token, the arguments checked in one sentence, a chat
 * turn streamed as server-sent events, a job started. {@code WebApiIT} runs the whole app against the real runner.
 */
@WebMvcTest(controllers = ApiController.class,
		properties = { "spring.main.web-application-type=servlet", "spring.autoconfigure.exclude=" })
@Import({ WebSlice.class, ApiControllerTest.Runner.class, RunViews.class, Reviews.class })
class ApiControllerTest {

	static final FakeRunner RUNNER = new FakeRunner();

	@TestConfiguration(proxyBeanMethods = false)
	static class Runner {

		@Bean
		ModelCatalog modelCatalog() throws IOException {
			return TestClients.catalog(RUNNER.properties(Files.createTempDirectory("dmr-batch-slice-")));
		}

	}

	@AfterAll
	static void stopRunner() {
		RUNNER.close();
	}

	@Autowired
	MockMvc mvc;

	@Autowired
	WebAccess access;

	@MockitoBean
	RunHistory history;

	@MockitoBean
	ConversationStore store;

	@MockitoBean
	CheckStore checks;

	@MockitoBean
	RunNotes notes;

	@MockitoBean
	RunEvents events;

	@MockitoBean
	BrowserChat chat;

	@MockitoBean
	JobStarter jobs;

	private static RunSummary run(long id, String job, String status) {
		return new RunSummary(id, null, job, "input/" + job + ".csv", Instant.parse("2026-01-02T03:04:05Z"), 1.5, status,
				3, 3, 0, 10, 20, null, "output/" + job + "/run-" + id, null, List.of(), List.of(), List.of(), null, null);
	}

	@Test
	void theModelsAreTheRunnersAndEveryAnswerCarriesTheSecurityHeaders() throws Exception {
		this.mvc.perform(get("/api/models").header("Authorization", "Bearer " + WebSlice.TOKEN))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.models").value(org.hamcrest.Matchers.contains("ai/tiny", "ai/tiny2")))
			.andExpect(header().string("Content-Security-Policy", WebGuard.CSP))
			.andExpect(header().string("X-Frame-Options", "DENY"))
			.andExpect(header().string("Cache-Control", "no-store"));
	}

	@Test
	void withoutItsTokenOrFromAnotherHostNothingIsAnswered() throws Exception {
		this.mvc.perform(get("/api/runs"))
			.andExpect(status().isUnauthorized())
			.andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
			.andExpect(jsonPath("$.error")
				.value("this app needs its token: open the address job=serve printed (with ?token=)"));
		this.mvc.perform(get("/api/runs").header("Authorization", "Bearer " + WebSlice.TOKEN)
			.header("Host", "attacker.example"))
			.andExpect(status().isForbidden())
			.andExpect(jsonPath("$.detail").value("this app answers only to localhost and 127.0.0.1"));
		verifyNoInteractions(this.history);
	}

	@Test
	void theRunsOfAStatusAndThoseRunning() throws Exception {
		RunSummary done = run(1, "a", "COMPLETED");
		RunSummary going = run(2, "b", "STARTED");
		RunSummary gone = run(3, "b", "ABANDONED");
		given(this.history.list(null)).willReturn(List.of(gone, going, done));

		this.mvc.perform(get("/api/runs?status=running").header("Authorization", "Bearer " + WebSlice.TOKEN))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$[*].id").value(org.hamcrest.Matchers.contains(2)));
		this.mvc.perform(get("/api/runs?status=completed").header("Authorization", "Bearer " + WebSlice.TOKEN))
			.andExpect(jsonPath("$[*].id").value(org.hamcrest.Matchers.contains(1)))
			.andExpect(jsonPath("$[0].job").value("a"))
			.andExpect(jsonPath("$[0].output").value("output/a/run-1"));
		this.mvc.perform(get("/api/runs?status=abandoned").header("Authorization", "Bearer " + WebSlice.TOKEN))
			.andExpect(jsonPath("$[*].id").value(org.hamcrest.Matchers.contains(3)))
			.andExpect(jsonPath("$[0].running").value(false));
		this.mvc.perform(get("/api/runs?status=bogus").header("Authorization", "Bearer " + WebSlice.TOKEN))
			.andExpect(status().isBadRequest());
	}

	@Test
	void theRunsOfAPassRateTokensAndAge() throws Exception {
		Instant now = Instant.now();
		RunSummary low = facts(1, now.minusSeconds(7200), 100, 0.5);
		RunSummary high = facts(2, now.minusSeconds(60), 5000, 0.95);
		RunSummary unchecked = facts(3, now.minusSeconds(3 * 86400), 40, null);
		given(this.history.list(null)).willReturn(List.of(unchecked, high, low));

		expectRuns("/api/runs?pass_max=50", 1);
		expectRuns("/api/runs?pass_min=50&pass_max=95", 2, 1);
		expectRuns("/api/runs?pass_min=96");
		expectRuns("/api/runs?tokens_min=100", 2, 1);
		expectRuns("/api/runs?tokens_max=100", 3, 1);
		expectRuns("/api/runs?tokens_min=101&tokens_max=5000", 2);
		expectRuns("/api/runs?since=1h", 2);
		expectRuns("/api/runs?since=24h", 2, 1);
		expectRuns("/api/runs?since=7d&sort=tokens&order=desc", 2, 1, 3);
		expectBadRequest("/api/runs?pass_min=101", "pass_min=101 is not a whole number from 0 to 100");
		expectBadRequest("/api/runs?tokens_max=-1", "tokens_max=-1 is not a whole number from 0 up");
		expectBadRequest("/api/runs?tokens_min=9&tokens_max=3", "tokens_min=9 is more than tokens_max=3");
		expectBadRequest("/api/runs?since=2w", "since=2w is not one of 1h, 24h, 7d, 30d");
	}

	private static RunSummary facts(long id, Instant started, long tokens, Double passRate) {
		return new RunSummary(id, null, "a", "input/a.csv", started, 1.5, "COMPLETED", 3, 3, 0, tokens / 2,
				tokens - tokens / 2, 0, "output/a/run-" + id, null, List.of(), List.of(), List.of(), null, passRate);
	}

	private void expectRuns(String path, Integer... ids) throws Exception {
		String body = this.mvc.perform(get(path).header("Authorization", "Bearer " + WebSlice.TOKEN))
			.andExpect(status().isOk())
			.andReturn()
			.getResponse()
			.getContentAsString();
		List<Integer> listed = new java.util.ArrayList<>();
		tools.jackson.databind.json.JsonMapper.shared().readTree(body).forEach((run) -> listed.add(run.path("id").asInt()));
		assertThat(listed).as(path).containsExactly(ids);
	}

	@Test
	void aPageOfItemsOutsideItsBoundsIsABadRequestNamingTheArgument() throws Exception {
		given(this.history.find("1")).willReturn(new RunRecord(1, "a", null, "input/a.csv", "output/a/run-1", null,
				Instant.now()));

		expectBadRequest("/api/runs/1/items?size=201", "size=201 must be from 1 to 200");
		expectBadRequest("/api/runs/1/items?page=0", "page=0 must be 1 or more");
		expectBadRequest("/api/runs/1/items?status=weird", "status=weird is not ok or failed");
		expectBadRequest("/api/runs/1/items?page=x", "page=x is not a whole number in range");
		verifyNoInteractions(this.store);
	}

	private void expectBadRequest(String path, String sentence) throws Exception {
		this.mvc.perform(get(path).header("Authorization", "Bearer " + WebSlice.TOKEN))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.status").value(400))
			.andExpect(jsonPath("$.detail").value(sentence))
			.andExpect(jsonPath("$.error").value(sentence));
	}

	@Test
	void aChatTurnStreamsItsPiecesThenItsEndWithTheAnswerAsHtml() throws Exception {
		given(this.chat.send(any(), any(), any(), any(), any())).willAnswer((call) -> {
			StreamListener screen = call.getArgument(2);
			screen.answer("**Hel");
			screen.answer("lo**");
			return new BrowserChat.Answer("morning", 7, ModelReply.answer("ai/tiny", "**Hello**")
				.finishReason("stop")
				.tokens(3, 2)
				.latency(40)
				.ttft(10L)
				.attempts(1)
				.build());
		});

		MvcResult result = this.mvc.perform(signed(post("/api/chat"), this.access)
			.contentType(MediaType.APPLICATION_JSON)
			.content("""
					{"model": "ai/tiny", "session": "morning", "messages": [{"role": "user", "content": "hi"}],
					 "temperature": 0.5, "max_tokens": 9, "settings": {"temperature": 0.2}}
					"""))
			.andExpect(request().asyncStarted())
			.andReturn();
		result.getAsyncResult(10_000);

		String events = result.getResponse().getContentAsString(StandardCharsets.UTF_8);
		assertThat(events).containsSubsequence("data:{\"delta\":\"**Hel\"}", "data:{\"delta\":\"lo**\"}",
				"event:done", "\"session\":\"morning\"", "\"id\":7", "\"finish_reason\":\"stop\"",
				"\"html\":\"<p><strong>Hello</strong></p>");
		ArgumentCaptor<BrowserChat.Request> asked = ArgumentCaptor.forClass(BrowserChat.Request.class);
		verify(this.chat).send(asked.capture(), any(), any(), any(), any());
		assertThat(asked.getValue().session()).isEqualTo("morning");
		assertThat(asked.getValue().model()).isEqualTo("ai/tiny");
		assertThat(asked.getValue().settings()).as("settings win over the top level")
			.containsEntry("temperature", "0.2")
			.containsEntry("max_tokens", "9");
	}

	@Test
	void aChatTurnWhoseMessageIsNotARoleAndAContentIsRefusedBeforeAnythingIsSent() throws Exception {
		this.mvc.perform(signed(post("/api/chat"), this.access)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"model\": \"ai/tiny\", \"messages\": [{\"role\": \"user\"}]}"))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.error")
				.value("each of messages must be {\"role\": \"...\", \"content\": \"...\"}"));
		verifyNoInteractions(this.chat);
		assertThat(RUNNER.requests()).isEmpty();
	}

	@Test
	void aJobIsStartedOnlyWithTheCsrfTokenAndItsVarsAreGivenAsText() throws Exception {
		this.mvc.perform(post("/api/jobs/nightly/runs").header("Authorization", "Bearer " + WebSlice.TOKEN))
			.andExpect(status().isForbidden())
			.andExpect(jsonPath("$.error").value(org.hamcrest.Matchers.startsWith("missing or wrong CSRF token")));
		verifyNoInteractions(this.jobs);

		given(this.jobs.start(eq("nightly"), any(), any(), any(), any(), any(), any(), any()))
			.willReturn(Map.of("job", "nightly", "run", 4));
		this.mvc.perform(signed(post("/api/jobs/nightly/runs"), this.access)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"vars\": {\"n\": 3, \"s\": \"x\"}, \"run\": \"first\", \"input\": \" \"}"))
			.andExpect(status().isAccepted())
			.andExpect(jsonPath("$.run").value(4));
		verify(this.jobs).start("nightly", null, null, Map.of("n", "3", "s", "x"), "first", List.of(), null, null);
	}

	@Test
	void aTrialRunIsStartedAsTheCommandLineStartsOne() throws Exception {
		given(this.jobs.start(eq("nightly"), any(), any(), any(), any(), any(), any(), any()))
			.willReturn(Map.of("job", "nightly", "run", "try-first-10"));
		this.mvc.perform(signed(post("/api/jobs/nightly/runs"), this.access)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"limit\": 10}"))
			.andExpect(status().isAccepted());
		verify(this.jobs).start("nightly", null, null, Map.of(), null, List.of(), TrialSelection.first(10), null);
		this.mvc.perform(signed(post("/api/jobs/nightly/runs"), this.access)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"sample\": \"25\", \"sample_seed\": -3, \"repeat\": 3}"))
			.andExpect(status().isAccepted());
		verify(this.jobs).start("nightly", null, null, Map.of(), null, List.of(), TrialSelection.sample(25, -3), "3");
		expectRefused("{\"limit\": 0}", "limit=0 is not a number of records: give a whole number from 1 to 2147483647");
		expectRefused("{\"limit\": 2.5}", "limit=2.5 is not a number of records: give a whole number from 1 to 2147483647");
		expectRefused("{\"limit\": 5, \"sample\": 5}", "limit= and sample= cannot go together: a trial takes either "
				+ "the first records or a sample of them");
		expectRefused("{\"sample_seed\": 5}", "sample_seed= goes with sample=<n>; it draws that sample");
		expectRefused("{\"sample\": 5, \"sample_seed\": \"x\"}", "sample_seed=x is not a whole number");
		expectRefused("{\"limit\": true}", "limit must be a string");
	}

	private void expectRefused(String body, String sentence) throws Exception {
		this.mvc.perform(signed(post("/api/jobs/nightly/runs"), this.access)
			.contentType(MediaType.APPLICATION_JSON)
			.content(body))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.error").value(sentence));
	}

}
