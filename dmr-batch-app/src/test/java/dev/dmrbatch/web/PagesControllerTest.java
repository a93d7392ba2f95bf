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
import dev.dmrbatch.history.RunHistory;
import dev.dmrbatch.history.RunNotes;
import dev.dmrbatch.history.RunSummary;
import dev.dmrbatch.jobfile.JobFiles;
import dev.dmrbatch.model.ModelCatalog;
import dev.dmrbatch.model.TestClients;
import dev.dmrbatch.support.FakeRunner;
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
import static org.mockito.ArgumentMatchers.any;
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
