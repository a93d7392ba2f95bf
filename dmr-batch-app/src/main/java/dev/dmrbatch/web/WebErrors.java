package dev.dmrbatch.web;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

import dev.dmrbatch.text.SafeText;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.beans.TypeMismatchException;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * A request the app cannot take (an unknown path, a wrong method or body, a parameter that is not a number): one
 * sentence, as {@code {"error": "..."}} under {@code /api} whatever the request accepts, else a small page; a 4xx,
 * never a stack trace in the log.
 */
@ControllerAdvice
@ConditionalOnWebApplication
@Order(Ordered.LOWEST_PRECEDENCE)
class WebErrors {

	private static final MediaType HTML = new MediaType("text", "html", StandardCharsets.UTF_8);

	private final Views views;

	private final WebAccess access;

	WebErrors(Views views, WebAccess access) {
		this.views = views;
		this.access = access;
	}

	/** A status and sentence for a request the client got wrong, empty for anything else. */
	static Optional<Map.Entry<HttpStatus, String>> clientError(Exception ex) {
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

	/** The JSON answer of an API error: JSON whatever the request accepts (an event stream included). */
	static ResponseEntity<Map<String, Object>> json(HttpStatus status, String message) {
		return ResponseEntity.status(status)
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("error", SafeText.clipped(message)));
	}

	@ExceptionHandler(Exception.class)
	ResponseEntity<?> handle(Exception ex, HttpServletRequest request) {
		return answer(ex, request.getRequestURI());
	}

	/** The answer to a request to the given path that failed with this exception. */
	ResponseEntity<?> answer(Exception ex, String path) {
		Map.Entry<HttpStatus, String> error = clientError(ex).orElseGet(() -> {
			org.slf4j.LoggerFactory.getLogger(WebErrors.class)
				.warn("request failed: {}", SafeText.firstLine(String.valueOf(ex.getMessage())));
			return Map.entry(HttpStatus.INTERNAL_SERVER_ERROR, SafeText.firstLine(String.valueOf(ex.getMessage())));
		});
		return answer(error.getKey(), error.getValue(), path);
	}

	/** One sentence with its status: JSON under {@code /api}, else the app's problem page. */
	ResponseEntity<?> answer(HttpStatus status, String message, String path) {
		if (path != null && path.startsWith("/api/")) {
			return json(status, message);
		}
		return ResponseEntity.status(status).contentType(HTML)
			.body(this.views.render("problem.ftlh", Map.of("title", "Not possible", "active", "", "csrf",
					this.access.csrf(), "message", message)));
	}

}
