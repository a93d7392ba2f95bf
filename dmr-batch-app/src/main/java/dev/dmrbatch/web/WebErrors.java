package dev.dmrbatch.web;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

import dev.dmrbatch.history.RunHistory;
import dev.dmrbatch.input.InputException;
import dev.dmrbatch.jobfile.JobFileException;
import dev.dmrbatch.model.ModelCallException;
import dev.dmrbatch.prompt.PromptException;
import dev.dmrbatch.run.plan.NotFoundException;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.text.SafeText;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.databind.json.JsonMapper;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.http.converter.json.ProblemDetailJacksonMixin;
import org.springframework.web.ErrorResponse;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Every request that fails, whichever controller it reached, is answered here, by the type of what it threw: nothing
 * by that name ({@link NotFoundException}) a 404; a mistake in what was asked (a job file, a template, an input, a
 * request's parameter or body, {@link RunException}) a 400; a job that will not start a 409; a runner that does not
 * answer a 502; anything else a 500, logged in one line. The answer is one sentence: under {@code /api} a problem
 * detail (RFC 9457) as JSON whatever the request accepts, its {@code detail} and its {@code error} the sentence; else
 * the app's problem page. Never a stack trace.
 */
@ControllerAdvice
@ConditionalOnWebApplication
class WebErrors {

	private static final Logger log = LoggerFactory.getLogger(WebErrors.class);

	private static final MediaType HTML = new MediaType("text", "html", StandardCharsets.UTF_8);

	/** Problem details as the API writes them: their {@code error} beside the standard members. */
	private static final JsonMapper JSON = JsonMapper.builder()
		.addMixIn(ProblemDetail.class, ProblemDetailJacksonMixin.class)
		.build();

	private final Views views;

	private final WebAccess access;

	WebErrors(Views views, WebAccess access) {
		this.views = views;
		this.access = access;
	}

	@ExceptionHandler(Exception.class)
	ResponseEntity<?> handle(Exception ex, HttpServletRequest request) {
		if (ex instanceof AsyncRequestNotUsableException) {
			return null; // the browser closed a stream: there is no one to answer
		}
		return answer(ex, request.getRequestURI());
	}

	/** The answer to a request to the given path that failed with this exception. */
	ResponseEntity<?> answer(Exception ex, String path) {
		Map.Entry<HttpStatus, String> error = status(ex).orElseGet(() -> {
			log.warn("request failed: {}", SafeText.firstLine(String.valueOf(ex.getMessage())));
			return Map.entry(HttpStatus.INTERNAL_SERVER_ERROR, SafeText.firstLine(String.valueOf(ex.getMessage())));
		});
		return answer(error.getKey(), error.getValue(), path);
	}

	/** One sentence with its status: a problem detail under {@code /api}, else the app's problem page. */
	ResponseEntity<?> answer(HttpStatus status, String message, String path) {
		if (isApi(path)) {
			return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(problem(status, message));
		}
		return ResponseEntity.status(status)
			.contentType(HTML)
			.body(this.views.render("problem", Map.of("title", "Not possible", "active", "", "csrf",
					this.access.csrf(), "message", message)));
	}

	static boolean isApi(String path) {
		return path != null && path.startsWith("/api/");
	}

	/** The problem detail of an API error: the sentence as its {@code detail} and its {@code error}. */
	static ProblemDetail problem(HttpStatus status, String message) {
		String sentence = SafeText.clipped(message);
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, sentence);
		problem.setProperty("error", sentence);
		return problem;
	}

	/** A problem detail as JSON text, for an answer written outside Spring MVC ({@link WebGuard}'s refusals). */
	static String json(ProblemDetail problem) {
		return JSON.writeValueAsString(problem);
	}

	/** The status and sentence of what a request threw, empty for a failure of the app's own (a 500). */
	static Optional<Map.Entry<HttpStatus, String>> status(Exception ex) {
		String message = SafeText.firstLine(String.valueOf(ex.getMessage()));
		if (ex instanceof NotFoundException) {
			return Optional.of(Map.entry(HttpStatus.NOT_FOUND, message));
		}
		if (ex instanceof RefusedException || ex instanceof RunHistory.RunBusyException) {
			return Optional.of(Map.entry(HttpStatus.CONFLICT, message));
		}
		if (ex instanceof RunException || ex instanceof JobFileException || ex instanceof PromptException
				|| ex instanceof InputException) {
			return Optional.of(Map.entry(HttpStatus.BAD_REQUEST, message));
		}
		if (ex instanceof ModelCallException) {
			return Optional.of(Map.entry(HttpStatus.BAD_GATEWAY, message));
		}
		return clientError(ex);
	}

	/** A status and sentence for a request Spring MVC could not take as it came, empty for anything else. */
	private static Optional<Map.Entry<HttpStatus, String>> clientError(Exception ex) {
		if (ex instanceof MethodArgumentTypeMismatchException mismatch) {
			return Optional.of(Map.entry(HttpStatus.BAD_REQUEST, mismatch.getName() + "="
					+ SafeText.firstLine(String.valueOf(mismatch.getValue())) + " is not "
					+ ((mismatch.getRequiredType() == int.class || mismatch.getRequiredType() == long.class)
							? "a whole number in range" : "valid")));
		}
		if (ex instanceof TypeMismatchException mismatch) {
			return Optional.of(Map.entry(HttpStatus.BAD_REQUEST, SafeText.firstLine(String.valueOf(mismatch.getValue()))
					+ " is not valid for " + mismatch.getPropertyName()));
		}
		if (ex instanceof HttpMessageNotReadableException) {
			return Optional.of(Map.entry(HttpStatus.BAD_REQUEST, "the request body is not valid JSON"));
		}
		if (ex instanceof MissingServletRequestParameterException missing) {
			return Optional.of(Map.entry(HttpStatus.BAD_REQUEST, "parameter " + missing.getParameterName()
					+ " is missing"));
		}
		if (ex instanceof HttpMediaTypeNotSupportedException) {
			return Optional.of(Map.entry(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "send the body as application/json"));
		}
		if (ex instanceof HttpRequestMethodNotSupportedException method) {
			return Optional.of(Map.entry(HttpStatus.METHOD_NOT_ALLOWED, method.getMethod() + " is not allowed here"));
		}
		if (ex instanceof NoResourceFoundException) {
			return Optional.of(Map.entry(HttpStatus.NOT_FOUND, WebErrorController.NOTHING));
		}
		if (ex instanceof ErrorResponse response && response.getStatusCode().is4xxClientError()) {
			return Optional.of(Map.entry(HttpStatus.valueOf(response.getStatusCode().value()),
					SafeText.firstLine(String.valueOf(response.getBody().getDetail()))));
		}
		return Optional.empty();
	}

}
