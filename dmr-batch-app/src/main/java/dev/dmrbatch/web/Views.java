package dev.dmrbatch.web;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

import dev.dmrbatch.prompt.PromptTemplates;
import dev.dmrbatch.text.SafeText;
import freemarker.cache.ClassTemplateLoader;
import freemarker.cache.MultiTemplateLoader;
import freemarker.cache.TemplateLoader;
import freemarker.template.Configuration;
import freemarker.template.TemplateException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.core.Ordered;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.View;
import org.springframework.web.servlet.ViewResolver;

/**
 * The pages' views, resolved by Spring MVC from the name a controller gives ({@code runs} is
 * {@code web/templates/runs.ftlh} on the class path): FreeMarker in the same locked-down configuration as the
 * prompts, every value escaped as HTML unless a view says otherwise, and the model the controller gave, nothing of
 * the request or the session. The views import the report's own macros ({@code /report.ftlh}, {@code /charts.ftlh})
 * so a conversation and a chart look as they do in report.html. Whatever the request accepts, a page is HTML.
 */
@Component
@ConditionalOnWebApplication
class Views implements ViewResolver, Ordered {

	private static final String HTML = new MediaType("text", "html", StandardCharsets.UTF_8).toString();

	private final Configuration freemarker;

	Views() {
		ClassLoader loader = Views.class.getClassLoader();
		this.freemarker = PromptTemplates.configuration(new MultiTemplateLoader(new TemplateLoader[] {
				new ClassTemplateLoader(loader, "web/templates"), new ClassTemplateLoader(loader, "dmr-templates/report") }));
		this.freemarker.setLocale(Locale.ROOT);
		this.freemarker.setOutputEncoding("UTF-8");
		this.freemarker.setURLEscapingCharset("UTF-8");
		this.freemarker.setTemplateUpdateDelayMilliseconds(Long.MAX_VALUE);
	}

	/** A page's view: the app's own views only, which {@code ContentNegotiatingViewResolver} offers first. */
	@Override
	public View resolveViewName(String viewName, Locale locale) {
		return (viewName.matches("[a-z]+") && Views.class.getClassLoader()
			.getResource("web/templates/" + viewName + ".ftlh") != null) ? new Page(viewName) : null;
	}

	/** After Boot's content negotiation, which hands a request for HTML to it, and before every other resolver. */
	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE + 1;
	}

	/** A view rendered as a whole: {@code problem}, the app's error page, for one. */
	String render(String view, Map<String, ?> model) {
		StringWriter out = new StringWriter();
		try {
			this.freemarker.getTemplate(view + ".ftlh").process(model, out);
		}
		catch (TemplateException ex) {
			throw new IllegalStateException("built-in view " + ex.getTemplateSourceName() + " line " + ex.getLineNumber()
					+ ": " + SafeText.firstLine(ex.getMessageWithoutStackTop()), ex);
		}
		catch (IOException ex) {
			throw new IllegalStateException("built-in view " + view + " cannot be read: " + ex.getMessage(), ex);
		}
		return out.toString();
	}

	/** One page: rendered whole before anything is written, so a view that fails leaves the answer to the errors. */
	private final class Page implements View {

		private final String name;

		Page(String name) {
			this.name = name;
		}

		@Override
		public String getContentType() {
			return HTML;
		}

		@Override
		public void render(Map<String, ?> model, HttpServletRequest request, HttpServletResponse response)
				throws IOException {
			String html = Views.this.render(this.name, (model != null) ? model : Map.of());
			response.setContentType(HTML);
			response.getWriter().write(html);
		}

	}

}
