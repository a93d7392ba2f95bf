package dev.dmrbatch.prompt;

import freemarker.template.ObjectWrapper;
import freemarker.template.SimpleScalar;
import freemarker.template.TemplateBooleanModel;
import freemarker.template.TemplateHashModel;
import freemarker.template.TemplateModel;
import freemarker.template.TemplateModelException;
import freemarker.template.TemplateScalarModel;

/**
 * An earlier step's answer as a prompt sees it: {@code ${steps.x}} is the answer text (without the reasoning),
 * {@code ${steps.x.json.total}} a field of a JSON answer, {@code ${steps.x.reasoning}} what a reasoning model thought,
 * and {@code steps.x.skipped} whether its {@code when:} skipped it.
 *
 * @param json the parsed answer as maps, lists, strings, numbers and booleans, or {@code null}
 */
public record StepAnswer(String text, String reasoning, Object json, boolean skipped)
		implements TemplateScalarModel, TemplateHashModel {

	public static StepAnswer skippedStep() {
		return new StepAnswer("", null, null, true);
	}

	@Override
	public String getAsString() {
		return this.text;
	}

	@Override
	public TemplateModel get(String key) throws TemplateModelException {
		return switch (key) {
			case "text" -> new SimpleScalar(this.text);
			case "reasoning" -> (this.reasoning != null) ? new SimpleScalar(this.reasoning) : null;
			case "json" -> (this.json != null) ? wrapper().wrap(this.json) : null;
			case "skipped" -> this.skipped ? TemplateBooleanModel.TRUE : TemplateBooleanModel.FALSE;
			default -> null;
		};
	}

	@Override
	public boolean isEmpty() {
		return false;
	}

	/** The locked-down wrapper of {@link PromptTemplates}: maps, lists and plain values only. */
	private static ObjectWrapper wrapper() {
		return Wrapper.INSTANCE;
	}

	private static final class Wrapper {

		static final ObjectWrapper INSTANCE = PromptTemplates.configuration((freemarker.cache.TemplateLoader) null)
			.getObjectWrapper();

	}

}
