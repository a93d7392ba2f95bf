package dev.dmrbatch.web;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * {@code /error}, in place of Boot's Whitelabel page: an error the servlet container forwards there (one raised outside
 * Spring MVC's handlers) is answered as {@link WebErrors} answers the others, for the path that failed; a request for
 * {@code /error} itself finds nothing there, a 404.
 */
@Controller
@ConditionalOnWebApplication
class WebErrorController implements ErrorController {

	static final String NOTHING = "there is nothing at this address";

	private final WebErrors errors;

	WebErrorController(WebErrors errors) {
		this.errors = errors;
	}

	@RequestMapping("${server.error.path:/error}")
	ResponseEntity<?> error(HttpServletRequest request) {
		Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
		if (request.getDispatcherType() != DispatcherType.ERROR || !(status instanceof Integer code)) {
			return this.errors.answer(HttpStatus.NOT_FOUND, NOTHING, request.getRequestURI());
		}
		String path = (request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI) instanceof String uri) ? uri : null;
		if (request.getAttribute(RequestDispatcher.ERROR_EXCEPTION) instanceof Exception ex) {
			return this.errors.answer(ex, path);
		}
		HttpStatus known = HttpStatus.resolve(code);
		if (known == null || !(known.isError())) {
			known = HttpStatus.INTERNAL_SERVER_ERROR;
		}
		String message = (known == HttpStatus.NOT_FOUND) ? NOTHING
				: "the request could not be served (" + known.value() + " " + known.getReasonPhrase() + ")";
		return this.errors.answer(known, message, path);
	}

}
