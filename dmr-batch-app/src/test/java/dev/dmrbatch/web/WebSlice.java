package dev.dmrbatch.web;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.DefaultApplicationArguments;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.boot.webmvc.test.autoconfigure.MockMvcBuilderCustomizer;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;

/**
 * What a {@code @WebMvcTest} slice of the web app has besides its controller, its advice and its filter: the views,
 * and the access rules of a {@code job=serve token=}{@value #TOKEN} on loopback. A slice is given the properties
 * {@code job=serve} starts with ({@code cli.CommandLine}): {@code spring.main.web-application-type=servlet} and
 * {@code spring.autoconfigure.exclude=} (the JSON auto-configuration the other commands leave out).
 */
@TestConfiguration(proxyBeanMethods = false)
@Import({ Views.class, WebAccess.class })
class WebSlice {

	static final String TOKEN = "slice-token-0123456789";

	/** Over the slice's own, which holds no arguments. */
	@Bean
	@Primary
	ApplicationArguments serveArguments() {
		return new DefaultApplicationArguments("job=serve", "token=" + TOKEN);
	}

	/** Every request with the Host header a browser sends (the guard refuses one without this machine's name). */
	@Bean
	MockMvcBuilderCustomizer asABrowserSendsThem() {
		return (builder) -> builder.defaultRequest(MockMvcRequestBuilders.get("/").header("Host", "localhost:8080"));
	}

	/** A request as the pages send it: with the token, and with the CSRF token when it changes something. */
	static MockHttpServletRequestBuilder signed(MockHttpServletRequestBuilder request, WebAccess access) {
		return request.header("Authorization", "Bearer " + TOKEN).header(WebAccess.CSRF_HEADER, access.csrf());
	}

}
