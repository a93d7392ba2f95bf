package dev.dmrbatch.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

import com.jayway.jsonpath.JsonPath;
import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.Verdict;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.model.ModelCallException;
import dev.dmrbatch.model.ModelReply;
import dev.dmrbatch.model.StructuredOutput;
import dev.dmrbatch.plugin.Provided;
import dev.dmrbatch.plugin.api.CheckType;
import dev.dmrbatch.prompt.PromptException;
import dev.dmrbatch.prompt.PromptTemplates;
import dev.dmrbatch.prompt.StepAnswer;
import dev.dmrbatch.text.SafeText;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A job's checks, compiled once when the run is planned: what is checked on each step's answer, in the job file's
 * order. A job without checks has {@link #NONE}, and its items cost nothing more. Thread-safe.
 */
public final class JobChecks {

	/** A job without checks. */
	public static final JobChecks NONE = new JobChecks(List.of(), null, 0);

	/** What is said to the grader after the rubric. */
	static final String GRADE_INSTRUCTION = "\n\nGrade it from 1 (worst) to 5 (best). Answer with JSON only: "
			+ "{\"score\": <1-5>, \"reason\": \"<one short sentence>\"}";

	private static final JsonMapper JSON = JsonMapper.shared();

	private final List<CompiledCheck> checks;

	private final Double gate;

	private final int steps;

	private JobChecks(List<CompiledCheck> checks, Double gate, int steps) {
		this.checks = checks;
		this.gate = gate;
		this.steps = steps;
	}

	/**
	 * Compiles a job's checks; the job file's own check has already refused what cannot be evaluated.
	 * @param graders a judge's model settings as given in the job file, to the settings it is asked with (the
	 * profile's for that model, overridden by the job file's)
	 * @throws PromptException for an expected value or a rubric that is not a template, naming job file, step and
	 * check
	 */
	public static JobChecks compile(JobDefinition job, PromptTemplates templates,
			Function<ModelSettings, ModelSettings> graders) {
		return compile(job, templates, graders, (type) -> null);
	}

	/**
	 * Compiles a job's checks, the check types of plugins among them.
	 * @param plugins the check type a plugin provides under a name, or {@code null}; asked only for types that are not
	 * built in
	 */
	public static JobChecks compile(JobDefinition job, PromptTemplates templates,
			Function<ModelSettings, ModelSettings> graders, Function<String, Provided<CheckType>> plugins) {
		if (!job.hasChecks()) {
			return NONE;
		}
		String file = (job.source() != null) ? job.source().getFileName().toString() : job.name();
		List<CompiledCheck> checks = new ArrayList<>();
		for (int i = 0; i < job.steps().size(); i++) {
			JobDefinition.Step step = job.steps().get(i);
			for (JobDefinition.Check check : step.checksOrEmpty()) {
				String key = step.name() + "." + check.name();
				String where = file + " steps." + step.name() + ".checks." + check.name();
				Pattern pattern = null;
				JsonPath path = null;
				dev.dmrbatch.prompt.TextTemplate template = null;
				ModelSettings grader = null;
				Provided<CheckType> plugin = JobDefinition.Check.TYPES.containsKey(check.type()) ? null
						: plugins.apply(check.type());
				switch (check.type()) {
					case "regex" -> pattern = Pattern.compile(check.pattern(),
							check.ignoresCase() ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0);
					case "json-path" -> path = JsonPath.compile(check.path());
					case "expected" -> template = templates.text(where + ".value", check.value());
					case "judge" -> {
						template = templates.text(where + ".rubric", check.rubric());
						grader = graders.apply(check.model());
					}
					default -> {
						// nothing to compile
					}
				}
				checks.add(new CompiledCheck(key, i, checks.size(), check, pattern, path, template, grader, plugin));
			}
		}
		return new JobChecks(List.copyOf(checks), (job.gate() != null) ? job.gate().minPassRate() : null,
				job.steps().size());
	}

	public boolean isEmpty() {
		return this.checks.isEmpty();
	}

	/** The checks' keys, {@code <step>.<check>}, in the job file's order. */
	public List<String> keys() {
		return this.checks.stream().map(CompiledCheck::key).toList();
	}

	/** The graders' models, in the job file's order, each once. */
	public List<String> graderModels() {
		return this.checks.stream()
			.filter(CompiledCheck::isJudge)
			.map((check) -> check.grader().name())
			.distinct()
			.toList();
	}

	/**
	 * Each check's least pass rate for the quality gate, by key: its own {@code min-pass-rate}, else the job's
	 * {@code gate.min-pass-rate}; a check with neither is absent.
	 */
	public Map<String, Double> minPassRates() {
		Map<String, Double> rates = new LinkedHashMap<>();
		for (CompiledCheck check : this.checks) {
			Double rate = (check.definition().minPassRate() != null) ? check.definition().minPassRate() : this.gate;
			if (rate != null) {
				rates.put(check.key(), rate);
			}
		}
		return rates;
	}

	/**
	 * The checks' definitions as the job file gives them, each with its key and the {@code min-pass-rate} its quality
	 * gate holds it to, as JSON text: kept with an evaluation.
	 */
	public String definitions() {
		List<Map<String, Object>> definitions = new ArrayList<>();
		for (CompiledCheck check : this.checks) {
			Map<String, Object> definition = new LinkedHashMap<>();
			definition.put("key", check.key());
			definition.putAll(JSON.convertValue(check.definition(), Map.class));
			// the rate the quality gate holds this check to, the job's gate.min-pass-rate when it has none of its own
			definition.put("min-pass-rate", minPassRates().get(check.key()));
			definition.values().removeIf(java.util.Objects::isNull);
			definitions.add(definition);
		}
		return JSON.writeValueAsString(definitions);
	}

	/**
	 * Evaluates every check whose step was answered (a step skipped by its {@code when:} has no verdict).
	 * @param model the variables the item's prompts saw, {@code steps} holding each step's {@link StepAnswer}
	 * @param grader who asks a judge's grader; only used when the job has judges
	 * @return the verdicts in the job file's order, and the graders' calls (for a conversation of
	 * {@code stepCount} steps: step indexes follow the steps)
	 * @throws ModelCallException when a grader's runner did not answer at all, after the retries
	 */
	public Evaluated evaluate(Map<String, Object> model, Grader grader) {
		@SuppressWarnings("unchecked")
		Map<String, Object> steps = (Map<String, Object>) model.get("steps");
		List<Verdict> verdicts = new ArrayList<>(this.checks.size());
		List<Conversation.Call> calls = new ArrayList<>();
		for (CompiledCheck check : this.checks) {
			String stepName = check.key().substring(0, check.key().indexOf('.'));
			if (!(steps.get(stepName) instanceof StepAnswer answer) || answer.skipped()) {
				continue;
			}
			verdicts.add(check.isJudge() ? judge(check, model, grader, calls) : check.evaluate(answer, model));
		}
		return new Evaluated(verdicts, calls);
	}

	/** Asks a judge's grader, once more when its reply is not the JSON asked for (three replies at most). */
	private Verdict judge(CompiledCheck check, Map<String, Object> model, Grader grader,
			List<Conversation.Call> calls) {
		String rubric;
		try {
			rubric = check.template().render(model) + GRADE_INSTRUCTION;
		}
		catch (PromptException ex) {
			return new Verdict(check.key(), false, "the rubric cannot be rendered: " + SafeText.excerpt(ex.getMessage(),
					200));
		}
		int stepIndex = this.steps + check.position();
		String invalid = null;
		String last = null;
		for (int attempt = 1; attempt <= 3; attempt++) {
			ModelReply reply;
			try {
				reply = grader.ask(check.grader(), rubric);
			}
			catch (ModelCallException ex) {
				if (ex.status() == 0) {
					throw ex;
				}
				calls.add(new Conversation.Call(stepIndex, check.key(), null, 0, 0, 0, 0, null, null, ex.getMessage(),
						false, check.grader().name(), null, null, null));
				return new Verdict(check.key(), false, "the grader " + SafeText.excerpt(check.grader().name(), 60)
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
			calls.add(new Conversation.Call(stepIndex, check.key(), reply.finishReason(), reply.promptTokens(),
					reply.completionTokens(), reply.latencyMillis(), reply.attempts(), reply.timings(),
					reply.systemFingerprint(), invalid, false, check.grader().name(), reply.ttftMillis(), null, null));
			if (grade != null) {
				return graded(check, grade, reply.content());
			}
		}
		return new Verdict(check.key(), false, "the grader's reply is not a grade: " + SafeText.excerpt(invalid, 200),
				last);
	}

	/** The verdict a grade implies: a pass when its score is at least the check's pass-score. */
	static Verdict graded(CompiledCheck check, JsonNode grade, String reply) {
		int score = grade.path("score").asInt();
		int passScore = check.definition().passScoreOrDefault();
		return new Verdict(check.key(), score >= passScore, "score " + score + " of 5 (passes at " + passScore + "): "
				+ SafeText.excerpt(grade.path("reason").asString(""), 200), reply);
	}

	/**
	 * The verdicts on one conversation and the calls its judges made.
	 * @param calls the graders' requests, to be stored with the conversation's calls
	 */
	public record Evaluated(List<Verdict> verdicts, List<Conversation.Call> calls) {
	}

}
