package dev.dmrbatch.web;

import java.util.Map;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import org.junit.jupiter.api.Test;

import org.springframework.boot.DefaultApplicationArguments;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.mock.web.MockHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /error} in place of Boot's Whitelabel page: asked for itself, a 404; an error the servlet container forwards
 * there, answered for the path that failed, as a problem detail under {@code /api} and the app's page elsewhere.
 */
class WebErrorControllerTest {

	private final WebErrorController controller = new WebErrorController(new WebErrors(new Views(),
			new WebAccess(new MockEnvironment(), new DefaultApplicationArguments())));

	@Test
	void errorItselfIsNotFound() {
		ResponseEntity<?> answer = this.controller.error(new MockHttpServletRequest("GET", "/error"));
		assertThat(answer.getStatusCode().value()).isEqualTo(404);
		assertThat(answer.getHeaders().getContentType()).isNotNull()
			.matches((type) -> type.isCompatibleWith(MediaType.TEXT_HTML));
		assertThat(String.valueOf(answer.getBody())).contains("there is nothing at this address")
			.doesNotContain("Whitelabel", "999");
	}

	@Test
	void aForwardedErrorIsAnsweredForThePathThatFailed() {
		ResponseEntity<?> api = this.controller.error(forwarded("/api/runs/1/items", 400));
		assertThat(api.getStatusCode().value()).isEqualTo(400);
		assertThat(api.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_JSON);
		assertProblem(api, 400, "the request could not be served (400 Bad Request)");
		ResponseEntity<?> missing = this.controller.error(forwarded("/api/nosuch", 404));
		assertProblem(missing, 404, "there is nothing at this address");
		ResponseEntity<?> page = this.controller.error(forwarded("/runs/1", 400));
		assertThat(page.getStatusCode().value()).isEqualTo(400);
		assertThat(String.valueOf(page.getBody())).contains("the request could not be served (400 Bad Request)");
		MockHttpServletRequest thrown = forwarded("/api/runs", 500);
		thrown.setAttribute(RequestDispatcher.ERROR_EXCEPTION, new IllegalStateException("the store is gone\nat line 2"));
		ResponseEntity<?> failed = this.controller.error(thrown);
		assertThat(failed.getStatusCode().value()).isEqualTo(500);
		assertProblem(failed, 500, "the store is gone");
	}

	/** Under /api, a problem detail: the status, and the sentence as its detail and its error, nothing else. */
	private static void assertProblem(ResponseEntity<?> answer, int status, String sentence) {
		assertThat(answer.getBody()).isInstanceOf(ProblemDetail.class);
		ProblemDetail problem = (ProblemDetail) answer.getBody();
		assertThat(problem.getStatus()).isEqualTo(status);
		assertThat(problem.getDetail()).isEqualTo(sentence);
		assertThat(problem.getProperties()).isEqualTo(Map.of("error", sentence));
		assertThat(problem.getInstance()).isNull();
	}

	private static MockHttpServletRequest forwarded(String path, int status) {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/error");
		request.setDispatcherType(DispatcherType.ERROR);
		request.setAttribute(RequestDispatcher.ERROR_REQUEST_URI, path);
		request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, status);
		return request;
	}

}
