package dev.dmrbatch.web;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.dmrbatch.chat.BrowserChat;
import dev.dmrbatch.check.CheckStore;
import dev.dmrbatch.compare.Comparisons;
import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.history.RunHistory;
import dev.dmrbatch.history.RunNotes;
import dev.dmrbatch.history.RunSummary;
import dev.dmrbatch.jobfile.JobFiles;
import dev.dmrbatch.model.ModelCatalog;
import dev.dmrbatch.model.TestClients;
import dev.dmrbatch.run.job.RemotePartitions;
import dev.dmrbatch.support.FakeRunner;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

import static dev.dmrbatch.web.WebSlice.signed;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The pages as a slice (Spring MVC, the views, the advice and the guard, no server): the runner's models from a fake
 * runner, the store and the history stand-ins. A page is rendered whole with its form's CSRF token; what cannot be
 * shown is the problem page in one sentence; the jobs form starts a job with its vars. {@code WebPagesIT} runs the
 * whole app in a browser against the real runner.
 */
@WebMvcTest(controllers = PagesController.class,
		properties = { "spring.main.web-application-type=servlet", "spring.autoconfigure.exclude=" })
@Import({ WebSlice.class, PagesControllerTest.Runner.class, RunViews.class, Reviews.class })
class PagesControllerTest {

	static final FakeRunner RUNNER = new FakeRunner();

	/** The profile as the app binds it, its runner the fake one. */
	@TestConfiguration(proxyBeanMethods = false)
	@EnableConfigurationProperties(DmrProperties.class)
	static class Runner {

		@Bean
		ModelCatalog modelCatalog(DmrProperties properties) {
			return TestClients.catalog(properties.withBaseUrl(URI.create(RUNNER.baseUrl())));
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
	RunFiles files;

	@MockitoBean
	RunEvents events;

	@MockitoBean
	BrowserChat chat;

	@MockitoBean
	JobStarter jobs;

	@MockitoBean
	JobFiles jobFiles;

	@MockitoBean
	Comparisons comparisons;

	private static RunSummary run(long id, String label, String job, String status) {
		return new RunSummary(id, label, job, "input/" + job + ".csv", Instant.parse("2026-01-02T03:04:05Z"), 1.5,
				status, 3, 2, 1, 10, 20, 3, "output/" + job + "/run-" + id, null, List.of(), List.of(), List.of(), null,
				null);
	}

	@Test
	void theRunHistoryIsOnePageWithItsRunsItsFormsCsrfTokenAndTheSecurityHeaders() throws Exception {
		RunSummary first = run(1, "nightly", "summarize", "COMPLETED");
		RunSummary second = run(2, null, "classify", "FAILED");
		given(this.history.list(null)).willReturn(List.of(second, first));

		this.mvc.perform(get("/").header("Authorization", "Bearer " + WebSlice.TOKEN))
			.andExpect(status().isOk())
			.andExpect(content().contentTypeCompatibleWith(MediaType.TEXT_HTML))
			.andExpect(header().string("Content-Security-Policy", WebGuard.CSP))
			.andExpect(content().string(allOf(containsString("<table id=\"runs\">"), containsString("nightly"),
					containsString("summarize"), containsString("classify"), containsString(this.access.csrf()),
					not(containsString("<script>")))));
	}

	@Test
	void aClusterRunsPageListsItsWorkersWithTheirPartitionsItemsRateAndWhetherTheyAreAliveAndItsProgressToo()
			throws Exception {
		Instant started = Instant.parse("2026-01-02T03:04:05Z");
		RunRecord record = new RunRecord(7, "items", null, "input/items.csv", "output/items/run-7", null, started);
		List<RemotePartitions.WorkerShare> workers = List.of(
				new RemotePartitions.WorkerShare("gpu-1", 4242, "http://localhost:12434/engines/llama.cpp/v1", 2, 60,
						10, "conversations:items-51-100", true),
				new RemotePartitions.WorkerShare("gpu-2", 977, "http://localhost:12434/engines/llama.cpp/v1", 1, 40,
						8, null, false),
				new RemotePartitions.WorkerShare("gpu-3", 31, "http://localhost:12434/engines/llama.cpp/v1", 1, 0, 0,
						null, true));
		RunSummary summary = new RunSummary(7, null, "items", "input/items.csv", started, 12, "STARTED", 100, 100, 0,
				0, 0, null, "output/items/run-7", null, List.of(), workers, List.of(), null, null);
		given(this.history.find("7")).willReturn(record);
		given(this.history.summary(record)).willReturn(summary);
		given(this.store.itemCounts(7)).willReturn(new ConversationStore.ItemCounts(100, 0));
		given(this.store.itemPage(anyLong(), any(), anyInt(), anyInt()))
			.willReturn(new ConversationStore.ItemPage(List.of(), 0, 1, RunViews.DEFAULT_SIZE));
		given(this.store.histogram(anyLong(), any(), anyInt()))
			.willReturn(new ConversationStore.Histogram(0, 1, new long[0]));

		this.mvc.perform(get("/runs/7").header("Authorization", "Bearer " + WebSlice.TOKEN))
			.andExpect(status().isOk())
			.andExpect(content().string(allOf(containsString("<section id=\"workers\" aria-labelledby=\"workers-title\">"),
					containsString("<tr class=\"worker\"><th scope=\"row\">gpu-1</th><td>4242</td>"
							+ "<td>http://localhost:12434/engines/llama.cpp/v1</td><td>2</td><td>60</td><td>6.0</td>"
							+ "<td class=\"state\">running conversations:items-51-100</td></tr>"),
					containsString("<th scope=\"row\">gpu-2</th><td>977</td>"
							+ "<td>http://localhost:12434/engines/llama.cpp/v1</td><td>1</td><td>40</td><td>5.0</td>"
							+ "<td class=\"state\">gone</td></tr>"),
					containsString("<th scope=\"row\">gpu-3</th><td>31</td>"
							+ "<td>http://localhost:12434/engines/llama.cpp/v1</td><td>1</td><td>0</td><td>0.0</td>"
							+ "<td class=\"state\">alive</td></tr>"))));
		// the progress events carry the same rows, live
		assertThat(RunEvents.progress(new ConversationStore.ItemCounts(100, 0), 300L, 7.5, workers).get("workers"))
			.isEqualTo(RunViews.workers(workers))
			.asInstanceOf(InstanceOfAssertFactories.LIST)
			.first()
			.isEqualTo(Map.of("host", "gpu-1", "pid", "4242", "runner", "http://localhost:12434/engines/llama.cpp/v1",
					"partitions", "2", "items", "60", "rate", "6.0", "state", "running conversations:items-51-100"));
	}

	@Test
	void aRunOfOneProcessHasNoWorkersToShow() throws Exception {
		Instant started = Instant.parse("2026-01-02T03:04:05Z");
		RunRecord record = new RunRecord(8, "items", null, "input/items.csv", "output/items/run-8", null, started);
		given(this.history.find("8")).willReturn(record);
		given(this.history.summary(record)).willReturn(run(8, null, "items", "COMPLETED"));
		given(this.store.itemCounts(8)).willReturn(new ConversationStore.ItemCounts(3, 1));
		given(this.store.itemPage(anyLong(), any(), anyInt(), anyInt()))
			.willReturn(new ConversationStore.ItemPage(List.of(), 0, 1, RunViews.DEFAULT_SIZE));
		given(this.store.histogram(anyLong(), any(), anyInt()))
			.willReturn(new ConversationStore.Histogram(0, 1, new long[0]));

		this.mvc.perform(get("/runs/8").header("Authorization", "Bearer " + WebSlice.TOKEN))
			.andExpect(status().isOk())
			.andExpect(content().string(allOf(containsString("<section id=\"workers\" aria-labelledby=\"workers-title\" hidden>"),
					not(containsString("<tr class=\"worker\">")))));
	}

	@Test
	void theChatPageOffersTheRunnersModelsWithTheDefaultChosen() throws Exception {
		given(this.chat.sessions()).willReturn(List.of());

		this.mvc.perform(get("/chat").header("Authorization", "Bearer " + WebSlice.TOKEN))
			.andExpect(status().isOk())
			.andExpect(content().string(allOf(containsString("<option value=\"ai/tiny\">ai/tiny</option>"),
					containsString("<option value=\"ai/tiny2\">ai/tiny2</option>"))));
	}

	@Test
	void aSessionThatIsNotThereIsTheProblemPageInOneSentence() throws Exception {
		given(this.chat.sessions()).willReturn(List.of());
		given(this.chat.turns("nope")).willReturn(Optional.empty());

		this.mvc.perform(get("/chat?session=nope").header("Authorization", "Bearer " + WebSlice.TOKEN))
			.andExpect(status().isNotFound())
			.andExpect(content().contentTypeCompatibleWith(MediaType.TEXT_HTML))
			.andExpect(content().string(allOf(containsString("there is no session named"), containsString("nope"),
					not(containsString("Exception")))));
	}

	@Test
	void theJobsFormStartsTheJobWithItsVarsAndGoesToItsRuns() throws Exception {
		given(this.jobs.start(any(), any(), any(), any(), any(), any(), any(), any())).willReturn(Map.of("id", 4));
		this.mvc.perform(signed(post("/jobs/summarize/runs"), this.access)
			.contentType(MediaType.APPLICATION_FORM_URLENCODED)
			.param("vars", "language = French\r\n\r\nlength=short")
			.param("run", "weekly")
			.param("limit", "")
			.param("sample", "20")
			.param("sample_seed", "7")
			.param("repeat", "3"))
			.andExpect(status().isSeeOther())
			.andExpect(header().string("Location", "/?job=summarize&started=4"));

		verify(this.jobs).start("summarize", null, null, Map.of("language", "French", "length", "short"), "weekly",
				List.of(), dev.dmrbatch.input.TrialSelection.sample(20, 7), "3");
	}

	@Test
	void aVarThatIsNotKeyEqualsValueOrAFormWithoutItsCsrfTokenStartsNothing() throws Exception {
		this.mvc.perform(signed(post("/jobs/summarize/runs"), this.access)
			.contentType(MediaType.APPLICATION_FORM_URLENCODED)
			.param("vars", "language French"))
			.andExpect(status().isBadRequest())
			.andExpect(content().string(containsString("vars: &#39;language French&#39; is not key=value")));
		this.mvc.perform(post("/jobs/summarize/runs").header("Authorization", "Bearer " + WebSlice.TOKEN)
			.contentType(MediaType.APPLICATION_FORM_URLENCODED)
			.param("vars", "language=French"))
			.andExpect(status().isForbidden())
			.andExpect(content().string(containsString("missing or wrong CSRF token")));

		verifyNoInteractions(this.jobs);
	}

}
