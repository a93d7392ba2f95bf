package dev.dmrbatch.export;

import java.io.IOException;
import java.io.StringReader;
import java.io.Writer;
import java.util.Locale;
import java.util.Map;

import dev.dmrbatch.prompt.PromptTemplates;
import dev.dmrbatch.text.SafeText;
import freemarker.cache.ClassTemplateLoader;
import freemarker.template.Configuration;
import freemarker.template.Template;
import freemarker.template.TemplateException;

/**
 * The built-in HTML pages ({@code report.html}, {@code bench.html}): FreeMarker {@code .ftlh} templates from
 * {@code dmr-templates/report/} on the class path only, so a working folder's {@code templates/} cannot replace them,
 * with every value escaped as HTML unless a template says otherwise. One locked-down configuration serves both.
 */
public final class HtmlPages {

	private static final Configuration FREEMARKER = configuration();

	private HtmlPages() {
	}

	private static Configuration configuration() {
		Configuration configuration = PromptTemplates
			.configuration(new ClassTemplateLoader(HtmlPages.class.getClassLoader(), "dmr-templates/report"));
		// numbers in attributes and coordinates are read by browsers: always a dot, never grouped
		configuration.setLocale(Locale.ROOT);
		// they come with the application and do not change while it runs
		configuration.setTemplateUpdateDelayMilliseconds(Long.MAX_VALUE);
		return configuration;
	}

	/**
	 * A call of one macro of a page's template, {@code <@macro argument=argument/>}: render it once per call with the
	 * argument in the model, so a page can be written a part at a time.
	 */
	public static Template macro(String page, String macro, String argument) {
		String source = "<#import \"/" + page + "\" as built_in><@built_in." + macro + " " + argument + "=" + argument
				+ "/>";
		try {
			return new Template(page + "#" + macro, new StringReader(source), FREEMARKER);
		}
		catch (IOException ex) {
			throw new IllegalStateException("built-in template " + page + " cannot be read: " + ex.getMessage(), ex);
		}
	}

	/** Renders a {@link #macro} call with the model into the writer. */
	public static void render(Template call, Map<String, ?> model, Writer out) throws IOException {
		try {
			call.process(model, out);
		}
		catch (TemplateException ex) {
			throw new IOException("built-in template " + ex.getTemplateSourceName() + " line " + ex.getLineNumber()
					+ ": " + SafeText.firstLine(ex.getMessageWithoutStackTop()), ex);
		}
	}

}
