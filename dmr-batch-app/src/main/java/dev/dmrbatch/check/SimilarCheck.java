package dev.dmrbatch.check;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.Verdict;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.model.ChatService;
import dev.dmrbatch.model.ModelCallException;
import dev.dmrbatch.prompt.PromptException;
import dev.dmrbatch.prompt.StepAnswer;
import dev.dmrbatch.prompt.TextTemplate;
import dev.dmrbatch.text.SafeText;
import jakarta.validation.ConstraintViolation;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code type: similar}: the cosine similarity of the embeddings of the answer and of {@code value} (a FreeMarker
 * template rendered with the item, as {@code expected}'s) is at least {@code min}, from 0 to 1. The embeddings come from
 * {@code model}, an embedding model of the run's runner, asked as an {@code embed} step asks; its two calls are kept
 * with the item's.
 */
@Component
@Order(120)
class SimilarCheck implements CheckKind {

	@Override
	public String name() {
		return "similar";
	}

	@Override
	public List<String> keys() {
		return List.of("value", "min", "model");
	}

	@Override
	public void validate(JobDefinition.Check check, Rules rules) {
		if (check.value() == null || check.value().isBlank()) {
			rules.problem("a similar check needs a 'value', the reference its answer is compared with");
		}
		if (check.min() == null) {
			rules.problem("a similar check needs 'min', the least cosine similarity from 0 to 1 it passes at, such as "
					+ "0.8");
		}
		else if (!(check.min().doubleValue() >= 0 && check.min().doubleValue() <= 1)) {
			rules.problem("min must be a similarity from 0 to 1, such as 0.8");
		}
		if (check.model() == null || check.model().name() == null || check.model().name().isBlank()) {
			rules.problem("a similar check needs 'model' with the embedding model's name, such as "
					+ "{ name: ai/tiny-embed }");
		}
		else {
			for (ConstraintViolation<?> violation : rules.validator().validate(check.model())) {
				rules.problem("model." + violation.getPropertyPath() + " " + violation.getMessage());
			}
		}
	}

	@Override
	public Evaluator compile(JobDefinition.Check check, Compiling compiling) {
		return new Similar(compiling.templates().text(compiling.where() + ".value", check.value()),
				check.min().doubleValue(), compiling.graders().apply(check.model()), compiling);
	}

	/**
	 * The cosine similarity of two vectors, from -1 to 1; 0 when either has no length.
	 * @throws IllegalArgumentException for vectors of different widths
	 */
	static double cosine(float[] a, float[] b) {
		if (a.length != b.length) {
			throw new IllegalArgumentException("the embeddings have " + a.length + " and " + b.length + " dimensions");
		}
		double dot = 0;
		double aa = 0;
		double bb = 0;
		for (int i = 0; i < a.length; i++) {
			dot += (double) a[i] * b[i];
			aa += (double) a[i] * a[i];
			bb += (double) b[i] * b[i];
		}
		if (aa == 0 || bb == 0) {
			return 0;
		}
		return Math.max(-1, Math.min(1, dot / Math.sqrt(aa * bb)));
	}

	/**
	 * What a verdict says: the similarity with two decimals, or as many more as it takes to show it on the right side of
	 * {@code min} and not as 1 when it is less, such as {@code similarity 0.73, below 0.8}.
	 */
	static String reason(double similarity, double min) {
		boolean pass = similarity >= min;
		String shown = null;
		for (int digits = 2; digits <= 9 && shown == null; digits++) {
			BigDecimal rounded = BigDecimal.valueOf(similarity).setScale(digits, RoundingMode.HALF_DOWN);
			if ((rounded.doubleValue() >= min) == pass && (rounded.doubleValue() < 1 || similarity >= 1)) {
				shown = rounded.stripTrailingZeros().toPlainString();
			}
		}
		if (shown == null) {
			shown = BigDecimal.valueOf(similarity).toPlainString();
		}
		return "similarity " + shown + (pass ? ", at least " : ", below ")
				+ BigDecimal.valueOf(min).stripTrailingZeros().toPlainString();
	}

	/** A similar check of a run: its reference compiled, its embedding model's settings resolved. */
	private record Similar(TextTemplate reference, double min, ModelSettings embedder, Compiling compiling)
			implements Evaluator {

		@Override
		public ModelSettings grader() {
			return this.embedder;
		}

		@Override
		public Verdict evaluate(StepAnswer answer, Map<String, Object> model, Grader grader,
				List<Conversation.Call> calls) {
			String reference;
			try {
				reference = this.reference.render(model);
			}
			catch (PromptException ex) {
				return this.compiling.verdict(false, "the reference value cannot be rendered: "
						+ SafeText.excerpt(ex.getMessage(), 200));
			}
			String text = AnswerText.of(answer);
			if (text.isBlank()) {
				return this.compiling.verdict(false, "the answer is empty: there is nothing to compare");
			}
			if (reference.isBlank()) {
				return this.compiling.verdict(false, "the reference value renders empty: there is nothing to compare "
						+ "with");
			}
			float[] answered = embed(grader, text, calls);
			if (answered == null) {
				return failed(calls);
			}
			float[] expected = embed(grader, reference, calls);
			if (expected == null) {
				return failed(calls);
			}
			double similarity;
			try {
				similarity = cosine(answered, expected);
			}
			catch (IllegalArgumentException ex) {
				return this.compiling.verdict(false, ex.getMessage());
			}
			return this.compiling.verdict(similarity >= this.min, reason(similarity, this.min));
		}

		/** A text's embedding, its call kept; {@code null} when the runner refused it (the failed call kept). */
		private float[] embed(Grader grader, String text, List<Conversation.Call> calls) {
			String key = this.compiling.key();
			int stepIndex = this.compiling.callIndex();
			try {
				ChatService.Embedded embedded = grader.embed(this.embedder, text);
				calls.add(Conversation.Call.answered(stepIndex, key)
					.tokens(embedded.promptTokens(), 0)
					.latency(embedded.latencyMillis())
					.attempts(embedded.attempts())
					.requestModel(this.embedder.name())
					.build());
				return embedded.vector();
			}
			catch (ModelCallException ex) {
				if (ex.status() == 0) {
					throw ex;
				}
				calls.add(Conversation.Call.failed(stepIndex, key, ex.getMessage(), this.embedder.name()));
				return null;
			}
		}

		private Verdict failed(List<Conversation.Call> calls) {
			return this.compiling.verdict(false, "the embedding model " + SafeText.excerpt(this.embedder.name(), 60)
					+ " did not answer: " + SafeText.excerpt(calls.get(calls.size() - 1).error(), 200));
		}

	}

}
