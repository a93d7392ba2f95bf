package dev.dmrbatch.prompt;

import java.util.Map;

import freemarker.template.Template;

/**
 * One compiled template of a job file beside its prompts, such as a check's expected value or a judge's rubric:
 * locked down as prompts are, rendered with the same variables. Thread-safe.
 */
public final class TextTemplate {

	private final Template template;

	TextTemplate(Template template) {
		this.template = template;
	}

	/**
	 * Renders the template.
	 * @throws PromptException naming the template and line, as a prompt's would
	 */
	public String render(Map<String, Object> model) {
		return Prompts.render(this.template, model);
	}

}
