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

	/**
	 * An answer that does not exist yet, as a dry run renders the steps after the one it belongs to: a prompt or a
	 * {@code when:} that reads any of it throws {@link NotYetAnswered}, so a dry run tells which requests cannot be
	 * rendered before the run, whatever the template does with the answer.
	 */
	public static TemplateModel notYetAnswered() {
		return Pending.INSTANCE;
	}

	/** Thrown by a prompt that reads an answer a dry run does not have: the request cannot be rendered before it. */
	public static final class NotYetAnswered extends RuntimeException {

		public NotYetAnswered() {
			super("it uses an earlier step's answer", null, false, false);
		}

	}

	private enum Pending implements TemplateScalarModel, TemplateHashModel {

		INSTANCE;

		@Override
		public String getAsString() {
			throw new NotYetAnswered();
		}

		@Override
		public TemplateModel get(String key) {
			throw new NotYetAnswered();
		}

		@Override
		public boolean isEmpty() {
			throw new NotYetAnswered();
		}

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
