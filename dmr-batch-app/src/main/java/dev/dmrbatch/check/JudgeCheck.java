package dev.dmrbatch.check;

import java.util.List;
import java.util.Map;

import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.Verdict;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.model.ModelCallException;
import dev.dmrbatch.model.ModelReply;
import dev.dmrbatch.model.StructuredOutput;
import dev.dmrbatch.prompt.PromptException;
import dev.dmrbatch.prompt.StepAnswer;
import dev.dmrbatch.prompt.TextTemplate;
import dev.dmrbatch.text.SafeText;
import jakarta.validation.ConstraintViolation;
import tools.jackson.databind.JsonNode;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code type: judge}: a grader model answers the {@code rubric} (a FreeMarker template that sees the item and the
 * steps) with a score from 1 to 5; the check passes at {@code pass-score} (3 by default) or more. Its grader's calls are
 * kept with the item's.
 */
@Component
@Order(90)
class JudgeCheck implements CheckKind {

	/** What is said to the grader after the rubric. */
	static final String GRADE_INSTRUCTION = "\n\nGrade it from 1 (worst) to 5 (best). Answer with JSON only: "
			+ "{\"score\": <1-5>, \"reason\": \"<one short sentence>\"}";

	@Override
	public String name() {
		return "judge";
	}

	@Override
	public List<String> keys() {
		return List.of("rubric", "model", "pass-score");
	}

	@Override
	public void validate(JobDefinition.Check check, Rules rules) {
		if (check.rubric() == null || check.rubric().isBlank()) {
			rules.problem("a judge check needs a 'rubric', the question its grader answers");
		}
		if (check.model() == null || check.model().name() == null || check.model().name().isBlank()) {
			rules.problem("a judge check needs 'model' with the grader's name, such as { name: ai/tiny2 }");
		}
		else {
			for (ConstraintViolation<?> violation : rules.validator().validate(check.model())) {
				rules.problem("model." + violation.getPropertyPath() + " " + violation.getMessage());
			}
		}
		if (check.passScore() != null && (check.passScore() < 1 || check.passScore() > 5)) {
			rules.problem("pass-score must be from 1 to 5");
		}
	}

	@Override
	public Evaluator compile(JobDefinition.Check check, Compiling compiling) {
		return new Judge(compiling.templates().text(compiling.where() + ".rubric", check.rubric()),
				compiling.graders().apply(check.model()), check.passScoreOrDefault(), compiling);
	}

	/** A judge of a run: its rubric compiled, its grader's settings resolved. */
	private record Judge(TextTemplate rubric, ModelSettings grader, int passScore, Compiling compiling)
			implements Evaluator {

		/** Asks the grader, once more when its reply is not the JSON asked for (three replies at most). */
		@Override
		public Verdict evaluate(StepAnswer answer, Map<String, Object> model, Grader grader,
				List<Conversation.Call> calls) {
			String key = this.compiling.key();
			String asked;
			try {
				asked = this.rubric.render(model) + GRADE_INSTRUCTION;
			}
			catch (PromptException ex) {
				return new Verdict(key, false, "the rubric cannot be rendered: " + SafeText.excerpt(ex.getMessage(),
						200));
			}
			int stepIndex = this.compiling.callIndex();
			String invalid = null;
			String last = null;
			for (int attempt = 1; attempt <= 3; attempt++) {
				ModelReply reply;
				try {
					reply = grader.ask(this.grader, asked);
				}
				catch (ModelCallException ex) {
					if (ex.status() == 0) {
						throw ex;
					}
					calls.add(Conversation.Call.failed(stepIndex, key, ex.getMessage(), this.grader.name()));
					return new Verdict(key, false, "the grader " + SafeText.excerpt(this.grader.name(), 60)
							+ " did not answer: " + SafeText.excerpt(ex.getMessage(), 200));
				}
				last = reply.content();
				JsonNode grade = null;
				try {
					grade = Grader.Grade.FORMAT.check(reply.content());
					invalid = null;
				}
				catch (StructuredOutput.InvalidAnswerException ex) {
					invalid = ex.getMessage();
				}
				calls.add(reply.call(stepIndex, key).error(invalid).requestModel(this.grader.name()).build());
				if (grade != null) {
					return graded(grade, reply.content());
				}
			}
			return new Verdict(key, false, "the grader's reply is not a grade: " + SafeText.excerpt(invalid, 200), last);
		}

		/** The verdict a grade implies: a pass when its score is at least the check's pass-score. */
		private Verdict graded(JsonNode grade, String reply) {
			int score = grade.path("score").asInt();
			return new Verdict(this.compiling.key(), score >= this.passScore, "score " + score + " of 5 (passes at "
					+ this.passScore + "): " + SafeText.excerpt(grade.path("reason").asString(""), 200), reply);
		}

	}

}
