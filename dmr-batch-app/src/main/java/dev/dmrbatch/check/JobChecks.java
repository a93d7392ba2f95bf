package dev.dmrbatch.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.Verdict;
import dev.dmrbatch.model.ModelCallException;
import dev.dmrbatch.prompt.StepAnswer;
import tools.jackson.databind.json.JsonMapper;

/**
 * A job's checks, compiled once when the run is planned ({@link CheckKinds#compile}): what is checked on each step's
 * answer, in the job file's order. A job without checks has {@link #NONE}, and its items cost nothing more.
 * Thread-safe.
 */
public final class JobChecks {

	/** A job without checks. */
	public static final JobChecks NONE = new JobChecks(List.of(), null);

	private static final JsonMapper JSON = JsonMapper.shared();

	private final List<CompiledCheck> checks;

	private final Double gate;

	JobChecks(List<CompiledCheck> checks, Double gate) {
		this.checks = checks;
		this.gate = gate;
	}

	public boolean isEmpty() {
		return this.checks.isEmpty();
	}

	/** The checks' keys, {@code <step>.<check>}, in the job file's order. */
	public List<String> keys() {
		return this.checks.stream().map(CompiledCheck::key).toList();
	}

	/**
	 * The checks that compare the answer with a value it should be ({@code expected}, {@code one-of}), by key, each
	 * with the step it checks, in the job file's order: those a repeated run's majority answer is held to
	 * ({@link Agreement}).
	 */
	public Map<String, String> valueChecks() {
		Map<String, String> checks = new LinkedHashMap<>();
		for (CompiledCheck check : this.checks) {
			if (List.of("expected", "one-of").contains(check.definition().type())) {
				checks.put(check.key(), check.step());
			}
		}
		return checks;
	}

	/** The graders' models, in the job file's order, each once. */
	public List<String> graderModels() {
		return this.checks.stream()
			.map((check) -> check.evaluator().grader())
			.filter(Objects::nonNull)
			.map(ModelSettings::name)
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
			definition.values().removeIf(Objects::isNull);
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
		return evaluate(model, List.of(), grader);
	}

	/**
	 * Evaluates every check whose step was answered, as {@link #evaluate(Map, Grader)} does, the checks of a step's
	 * calls ({@code latency}, {@code tokens}) on the facts of its stored calls.
	 * @param conversationCalls the conversation's calls, as they are stored
	 */
	public Evaluated evaluate(Map<String, Object> model, List<Conversation.Call> conversationCalls, Grader grader) {
		@SuppressWarnings("unchecked")
		Map<String, Object> steps = (Map<String, Object>) model.get("steps");
		List<Verdict> verdicts = new ArrayList<>(this.checks.size());
		List<Conversation.Call> calls = new ArrayList<>();
		for (CompiledCheck check : this.checks) {
			if (!(steps.get(check.step()) instanceof StepAnswer answer) || answer.skipped()) {
				continue;
			}
			List<Conversation.Call> stepCalls = conversationCalls.stream()
				.filter((call) -> check.step().equals(call.step()) && !call.skipped())
				.toList();
			verdicts.add(check.evaluator().evaluate(answer, stepCalls, model, grader, calls));
		}
		return new Evaluated(verdicts, calls);
	}

	/**
	 * The verdicts on one conversation and the calls its judges made.
	 * @param calls the graders' requests, to be stored with the conversation's calls
	 */
	public record Evaluated(List<Verdict> verdicts, List<Conversation.Call> calls) {
	}

}
