package dev.dmrbatch.web;

import java.io.IOException;
import java.util.Set;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Every request: the security headers (a Content-Security-Policy that lets the pages load only the app's own script,
 * styles and data, no inline script), the token ({@link WebAccess}: from {@code ?token=}, which leaves the port's
 * cookie, the cookie, or {@code Authorization: Bearer}), the CSRF token on every request that changes something, and
 * on loopback a {@code Host} that names this machine, so a web page elsewhere cannot reach the app under a name of its
 * own (DNS rebinding). A refusal is one sentence and nothing else: under {@code /api} a problem detail whose
 * {@code detail} and {@code error} are the sentence, as {@link WebErrors} answers, text elsewhere.
 */
@Component
@ConditionalOnWebApplication
class WebGuard extends OncePerRequestFilter {

	static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
			+ "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
			+ "form-action 'self'";

	private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

	private static final Set<String> LOCAL_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]");

	private final WebAccess access;

	WebGuard(WebAccess access) {
		this.access = access;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		response.setHeader("Content-Security-Policy", CSP);
		response.setHeader("X-Content-Type-Options", "nosniff");
		response.setHeader("Referrer-Policy", "no-referrer");
		response.setHeader("X-Frame-Options", "DENY");
		response.setHeader("Cache-Control", "no-store");
		if (this.access.isLoopback() && !localHost(hostName(request.getHeader("Host")))) {
			refuse(request, response, HttpServletResponse.SC_FORBIDDEN,
					"this app answers only to localhost and 127.0.0.1");
			return;
		}
		if (this.access.needsToken()) {
			String name = WebAccess.cookie(request.getLocalPort());
			String query = request.getParameter("token");
			if (this.access.tokenMatches(query)) {
				Cookie cookie = new Cookie(name, query);
				cookie.setHttpOnly(true);
				cookie.setPath("/");
				cookie.setAttribute("SameSite", "Strict");
				response.addCookie(cookie);
			}
			else if (!this.access.tokenMatches(cookie(request, name)) && !this.access.tokenMatches(bearer(request))) {
				refuse(request, response, HttpServletResponse.SC_UNAUTHORIZED,
						"this app needs its token: open the address job=serve printed (with ?token=)");
				return;
			}
		}
		if (!SAFE.contains(request.getMethod())) {
			String given = request.getHeader(WebAccess.CSRF_HEADER);
			if (given == null) {
				given = request.getParameter(WebAccess.CSRF_FIELD);
			}
			if (!this.access.csrfMatches(given)) {
				refuse(request, response, HttpServletResponse.SC_FORBIDDEN, "missing or wrong CSRF token (header "
						+ WebAccess.CSRF_HEADER + " or form field " + WebAccess.CSRF_FIELD + "; GET /api/csrf gives it)");
				return;
			}
		}
		chain.doFilter(request, response);
	}

	/** A name of this machine: localhost, 127.0.0.1, ::1, or the loopback address the app is bound to. */
	boolean localHost(String host) {
		String bound = this.access.address();
		return LOCAL_HOSTS.contains(host) || host.equalsIgnoreCase(bound) || host.equalsIgnoreCase("[" + bound + "]");
	}

	static String hostName(String host) {
		if (host == null) {
			return "";
		}
		int colon = host.lastIndexOf(':');
		return (colon > 0 && !host.endsWith("]")) ? host.substring(0, colon) : host;
	}

	private static String cookie(HttpServletRequest request, String name) {
		if (request.getCookies() != null) {
			for (Cookie cookie : request.getCookies()) {
				if (name.equals(cookie.getName())) {
					return cookie.getValue();
				}
			}
		}
		return null;
	}

	private static String bearer(HttpServletRequest request) {
		String header = request.getHeader("Authorization");
		return (header != null && header.startsWith("Bearer ")) ? header.substring(7).strip() : null;
	}

	private static void refuse(HttpServletRequest request, HttpServletResponse response, int status, String why)
			throws IOException {
		response.setStatus(status);
		if (WebErrors.isApi(request.getRequestURI())) {
			response.setContentType("application/json");
			response.setCharacterEncoding("UTF-8");
			response.getWriter().write(WebErrors.json(WebErrors.problem(HttpStatus.valueOf(status), why)));
		}
		else {
			response.setContentType("text/plain;charset=UTF-8");
			response.getWriter().write(why + "\n");
		}
	}

}
