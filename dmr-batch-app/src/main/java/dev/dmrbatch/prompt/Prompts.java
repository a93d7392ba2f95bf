package dev.dmrbatch.prompt;

import java.io.IOException;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.text.Causes;
import dev.dmrbatch.text.SafeText;

import freemarker.core.InvalidReferenceException;
import freemarker.template.Template;
import freemarker.template.TemplateException;

/**
 * A job's compiled prompts: the optional system prompt and one template per step. Compiled once, before any
 * request; rendering is thread-safe.
 */
public final class Prompts {

	private final Template system;

	private final List<Template> steps;

	private final List<Template> conditions;

	private final Map<String, String> sources;

	Prompts(Template system, List<Template> steps, List<Template> conditions, Map<String, String> sources) {
		this.system = system;
		this.steps = steps;
		this.conditions = conditions;
		this.sources = sources;
	}

	/**
	 * The sources they were compiled from, in order: {@code system}, then per step {@code steps.<name>} (with the
	 * template file's name in brackets when it has one) and {@code steps.<name>.when}.
	 */
	public Map<String, String> sources() {
		return this.sources;
	}

	/** Whether step {@code index} runs for this item: its {@code when:} holds, or it has none. */
	public boolean shouldRun(int index, Map<String, Object> model) {
		Template condition = this.conditions.get(index);
		return condition == null || "true".equals(render(condition, model));
	}

	public boolean hasSystem() {
		return this.system != null;
	}

	public String renderSystem(Map<String, Object> model) {
		return render(this.system, model);
	}

	public String renderStep(int index, Map<String, Object> model) {
		return render(this.steps.get(index), model);
	}

	static String render(Template template, Map<String, Object> model) {
		StringWriter out = new StringWriter(256);
		try {
			template.process(model, out);
		}
		catch (InvalidReferenceException ex) {
			String variable = ex.getBlamedExpressionString();
			throw new PromptException("variable '" + variable + "' is missing in " + where(template, ex)
					+ (("item.id".equals(variable) || "item.seq".equals(variable))
							? " (item holds the input's fields only: the record's id is record.id, its number "
									+ "record.number)"
							: ""));
		}
		catch (TemplateException ex) {
			// a dry run's answer read where FreeMarker wraps what a value throws
			java.util.Optional<StepAnswer.NotYetAnswered> notYet = Causes.find(ex.getCause(),
					StepAnswer.NotYetAnswered.class);
			if (notYet.isPresent()) {
				throw notYet.get();
			}
			throw new PromptException("template error in " + where(template, ex) + ": "
					+ SafeText.firstLine(ex.getMessageWithoutStackTop()));
		}
		catch (IOException ex) {
			throw new PromptException("template " + template.getSourceName() + " could not be rendered: "
					+ ex.getMessage());
		}
		return out.toString();
	}

	private static String where(Template template, TemplateException ex) {
		String name = (ex.getTemplateSourceName() != null) ? ex.getTemplateSourceName() : template.getSourceName();
		return "template " + name + ((ex.getLineNumber() != null) ? " line " + ex.getLineNumber() : "");
	}

}
