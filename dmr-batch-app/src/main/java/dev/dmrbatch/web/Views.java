package dev.dmrbatch.web;

import java.io.IOException;
import java.io.StringWriter;
import java.util.Locale;
import java.util.Map;

import dev.dmrbatch.prompt.PromptTemplates;
import dev.dmrbatch.text.SafeText;
import freemarker.cache.ClassTemplateLoader;
import freemarker.cache.MultiTemplateLoader;
import freemarker.cache.TemplateLoader;
import freemarker.template.Configuration;
import freemarker.template.TemplateException;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.stereotype.Component;

/**
 * The pages: FreeMarker {@code .ftlh} views from {@code web/templates/} on the class path, every value escaped as HTML
 * unless a view says otherwise, in the same locked-down configuration as the prompts; they import the report's own
 * macros ({@code /report.ftlh}, {@code /charts.ftlh}) so a conversation and a chart look as they do in report.html.
 */
@Component
@ConditionalOnWebApplication
class Views {

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

	String render(String view, Map<String, ?> model) {
		StringWriter out = new StringWriter();
		try {
			this.freemarker.getTemplate(view).process(model, out);
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

}
