package dev.dmrbatch.run.pipeline;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.cache.CachedCalls;
import dev.dmrbatch.check.Grader;
import dev.dmrbatch.check.JobChecks;
import dev.dmrbatch.config.ModelSettings;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.input.InputItem;
import dev.dmrbatch.jobfile.JobDefinition;
import dev.dmrbatch.model.ChatService;
import dev.dmrbatch.model.LoadGate;
import dev.dmrbatch.model.ModelCallException;
import dev.dmrbatch.prompt.PromptException;
import dev.dmrbatch.prompt.Prompts;
import dev.dmrbatch.prompt.StepAnswer;
import dev.dmrbatch.run.plan.RunPlan;
import dev.dmrbatch.step.Exchange;
import dev.dmrbatch.step.Sending;
import dev.dmrbatch.step.StepKind;

/**
 * Holds one item's conversations, one per model (and, with {@code repeat=N}, N per model, the model's settings'
 * {@code seed}, where one is set, counted up by one per repetition so that each is another sample; where one request
 * can give them all, they are its N choices, {@code n}): runs each step in order, as its type does it ({@link StepKind}: a
 * chat step renders its prompt, sends the conversation so far and keeps the reply, so step two sees step one's
 * exchange). A step may be skipped by its {@code when:}. An item that cannot be answered becomes a failed conversation
 * with the reason. Only a runner that stays unreachable is an exception: it fails the job, whose uncommitted items are
 * sent again when the run resumes. Runs on the worker threads; keeps no state.
 */
public class ConversationProcessor {

	private final RunPlan plan;

	private final Sending sending;

	private final Grader grader;

	/** Each step's type, by the step's index: resolved once for the plan. */
	private final List<StepKind> kinds;

	/** How the runner answers a request for several choices: whether an item's repetitions still go in one. */
	private final RepeatChoices choices;

	/**
	 * @param cache the run's response cache, or {@code null} when it is off
	 * @param kinds each step's type, in the job's order
	 */
	public ConversationProcessor(RunPlan plan, ChatService chat, LoadGate gate, CachedCalls cache,
			List<StepKind> kinds) {
		this(plan, chat, gate, cache, kinds, new RepeatChoices());
	}

	/**
	 * @param choices how the runner answered requests for several choices so far in the run, shared by its lane
	 */
	public ConversationProcessor(RunPlan plan, ChatService chat, LoadGate gate, CachedCalls cache,
			List<StepKind> kinds, RepeatChoices choices) {
		this.plan = plan;
		this.choices = choices;
		this.kinds = List.copyOf(kinds);
		this.sending = new Sending(chat, gate, cache, plan.retry(), plan.prompts(), plan.formats(), plan.maxImageSide());
		this.grader = new Grader(chat, gate, plan.retry());
	}

	/**
	 * The item's conversations, one per model in the plan's order (each model's repetitions in turn);
	 * {@code null} for a blank line.
	 */
	public List<Conversation> process(InputItem item) {
		return process(item, (key) -> true);
	}

	/**
	 * The item's conversations with the models and repetitions {@code asked} names, in the plan's order
	 * ({@code retry=failed} asks only those that failed); {@code null} for a blank line.
	 */
	public List<Conversation> process(InputItem item, java.util.function.Predicate<Conversation.Key> asked) {
		if (item.isBlank()) {
			return null; // a blank line: nothing to ask
		}
		List<ModelSettings> models = this.plan.models();
		int repeat = this.plan.repeat();
		List<Conversation> conversations = new ArrayList<>(models.size() * repeat);
		for (int i = 0; i < models.size(); i++) {
			List<Integer> repetitions = new ArrayList<>(repeat);
			for (int k = 1; k <= repeat; k++) {
				if (asked.test(new Conversation.Key(models.get(i).name(), k))) {
					repetitions.add(k);
				}
			}
			if (repetitions.size() > 1 && oneRequest(i) && this.choices.honoured()) {
				conversations.addAll(chosen(item, i, repetitions));
				continue;
			}
			for (int k : repetitions) {
				conversations.add(converse(item, i, k, null, null).conversation().withRepetition(k));
			}
		}
		return conversations;
	}

	/**
	 * Whether model {@code m}'s repeated answers to an item can be asked in one request for as many choices
	 * ({@code n}): the job has a single step, a chat one, its answer text, sent not streamed, without a {@code seed}
	 * (each repetition has a seed of its own) and with the response cache off (it keeps one answer per request).
	 */
	boolean oneRequest(int m) {
		List<ModelSettings> steps = this.plan.stepSettings().get(m);
		return steps.size() == 1 && oneRequest(this.kinds, this.plan.formats(), steps.get(0), this.plan.cache());
	}

	static boolean oneRequest(List<StepKind> kinds, List<dev.dmrbatch.model.StructuredOutput> formats,
			ModelSettings step, dev.dmrbatch.cache.CacheMode cache) {
		return kinds.size() == 1 && "chat".equals(kinds.get(0).name()) && formats.get(0) == null
				&& !step.streaming() && step.seed() == null && cache == dev.dmrbatch.cache.CacheMode.OFF;
	}

	/**
	 * The item's {@code repetitions} by model {@code m}, asked in one request for as many choices: the first sends it,
	 * each other takes its choice; those the runner gave no choice for are sent one by one, and the runner is asked
	 * for several no more.
	 */
	private List<Conversation> chosen(InputItem item, int m, List<Integer> repetitions) {
		List<Conversation> conversations = new ArrayList<>(repetitions.size());
		int first = repetitions.get(0);
		Conversed asked = converse(item, m, first, repetitions.size(), null);
		conversations.add(asked.conversation().withRepetition(first));
		int given = (asked.exchange() != null) ? asked.exchange().choices() : 0;
		if (given > 0) {
			this.choices.gave(repetitions.size(), given);
		}
		List<dev.dmrbatch.model.ModelReply> others = (given > 0) ? asked.exchange().others() : List.of();
		for (int j = 1; j < repetitions.size(); j++) {
			int k = repetitions.get(j);
			conversations.add(converse(item, m, k, null, (j <= others.size()) ? others.get(j - 1) : null)
				.conversation().withRepetition(k));
		}
		return conversations;
	}

	/** A conversation and the exchange it was held in ({@code null} when no step ran). */
	private record Conversed(Conversation conversation, Exchange exchange) {
	}

	/**
	 * Repetition {@code k} of model {@code m}'s conversation of the item.
	 * @param n how many choices its request asks for, or {@code null} for the settings' own
	 * @param given its chat step's answer, another choice of a request already sent, or {@code null} to send its own
	 */
	private Conversed converse(InputItem item, int m, int k, Integer n, dev.dmrbatch.model.ModelReply given) {
		List<ModelSettings> steps = this.plan.stepSettings().get(m).stream()
			.map((s) -> repetition(s, k))
			.map((s) -> (n != null) ? s.with("n", n) : s)
			.toList();
		return converse(item, repetition(this.plan.models().get(m), k), steps, k, given);
	}

	/** The settings of the {@code k}th repetition: a {@code seed} set is counted up by one per repetition. */
	static ModelSettings repetition(ModelSettings settings, int k) {
		return (k == 1 || settings.seed() == null) ? settings : settings.with("seed", settings.seed() + k - 1);
	}

	private Conversed converse(InputItem item, ModelSettings settings, List<ModelSettings> stepsSettings,
			int repetition, dev.dmrbatch.model.ModelReply given) {
		if (item.error() != null) {
			return new Conversed(failed(item, settings, new ArrayList<>(), new ArrayList<>(), item.error()), null);
		}
		Map<String, Object> answers = new LinkedHashMap<>();
		Map<String, Object> model = model(item, answers);
		Exchange exchange = new Exchange(this.sending, item, settings, stepsSettings, model, answers, repetition)
			.given(given);
		return new Conversed(converse(item, settings, exchange, model), exchange);
	}

	private Conversation converse(InputItem item, ModelSettings settings, Exchange exchange,
			Map<String, Object> model) {
		Prompts prompts = this.plan.prompts();
		try {
			if (prompts.hasSystem()) {
				exchange.system(prompts.renderSystem(model));
			}
			List<JobDefinition.Step> steps = this.plan.job().steps();
			for (int i = 0; i < steps.size(); i++) {
				JobDefinition.Step step = steps.get(i);
				if (!prompts.shouldRun(i, model)) {
					exchange.skipped(i, step.name());
					continue;
				}
				String error;
				try {
					error = this.kinds.get(i).run(i, step, exchange);
				}
				catch (ModelCallException ex) {
					if (ex.status() == 0) {
						// no answer at all, after the retries: the runner is gone, not this item's fault
						throw new RunnerUnavailableException(ex.getMessage(), ex);
					}
					exchange.refused(i, step.name(), ex);
					error = ex.getMessage();
				}
				if (error != null) {
					return failed(item, settings, exchange.turns(), exchange.calls(), "step " + step.name() + ": "
							+ error);
				}
			}
		}
		catch (PromptException ex) {
			return failed(item, settings, exchange.turns(), exchange.calls(), ex.getMessage());
		}
		Conversation answered = Conversation.answered(item.seq(), item.id(), settings.name(),
				exchange.turns(), exchange.calls());
		if (this.plan.checks().isEmpty()) {
			return answered;
		}
		// the checks see what the prompts saw, every step's answer included; a failed check does not fail the item
		JobChecks.Evaluated evaluated = this.plan.checks().evaluate(model, exchange.calls(), this.grader);
		return answered.withVerdicts(evaluated.verdicts(), evaluated.calls());
	}

	/**
	 * A request a dry run would send: the item, the conversation's model, the step's name, and which of the item's
	 * repeated answers it is for (from 1; {@code repeat=N}).
	 */
	public record Preview(InputItem item, String model, String step, ChatService.Preview request, int repetition) {
	}

	/**
	 * The requests the item's conversations would send, one model (and repetition) after another, rendered as
	 * {@link #process} renders
	 * them but not sent, each told to {@code requests}; a step whose request holds an earlier step's answer (in its
	 * prompt, its {@code when:} or the conversation it carries on) cannot be rendered: its name is told to
	 * {@code unanswered} instead. A step skipped by its {@code when:} sends nothing.
	 * @throws PromptException naming the record, when a prompt cannot be rendered or the record be read: what a run
	 * would fail the item for
	 */
	public void preview(InputItem item, java.util.function.Consumer<Preview> requests,
			java.util.function.Consumer<String> unanswered) {
		if (item.isBlank()) {
			return;
		}
		String record = "record " + item.seq() + " (" + dev.dmrbatch.text.SafeText.excerpt(item.id(), 40) + ")";
		if (item.error() != null) {
			throw new PromptException(record + ": " + item.error());
		}
		List<JobDefinition.Step> steps = this.plan.job().steps();
		Prompts prompts = this.plan.prompts();
		int repeat = this.plan.repeat();
		for (int c = 0; c < this.plan.models().size() * repeat; c++) {
			int m = c / repeat;
			int repetition = c % repeat + 1;
			// the item's repeated answers asked in one request for as many choices: that request, once
			boolean chosen = repeat > 1 && oneRequest(m) && this.choices.honoured();
			if (chosen && repetition > 1) {
				continue;
			}
			ModelSettings settings = repetition(this.plan.models().get(m), repetition);
			Map<String, Object> answers = new LinkedHashMap<>();
			Map<String, Object> model = model(item, answers);
			Exchange exchange = new Exchange(this.sending, item, settings,
					this.plan.stepSettings().get(m).stream()
						.map((s) -> repetition(s, repetition))
						.map((s) -> chosen ? s.with("n", repeat) : s)
						.toList(),
					model, answers, repetition);
			boolean systemKnown = true;
			try {
				if (prompts.hasSystem()) {
					exchange.system(prompts.renderSystem(model));
				}
			}
			catch (StepAnswer.NotYetAnswered ex) {
				systemKnown = false;
			}
			catch (PromptException ex) {
				throw new PromptException(record + ": " + ex.getMessage());
			}
			for (int i = 0; i < steps.size(); i++) {
				String step = steps.get(i).name();
				try {
					if (!systemKnown) {
						throw new StepAnswer.NotYetAnswered();
					}
					if (!prompts.shouldRun(i, model)) {
						answers.put(step, StepAnswer.skippedStep());
						continue;
					}
					ChatService.Preview request = this.kinds.get(i).preview(i, steps.get(i), exchange);
					if (request != null) {
						requests.accept(new Preview(item, settings.name(), step, request, repetition));
					}
				}
				catch (StepAnswer.NotYetAnswered ex) {
					unanswered.accept(step);
				}
				catch (PromptException ex) {
					throw new PromptException(record + ", step " + step + ": " + ex.getMessage());
				}
				answers.put(step, StepAnswer.notYetAnswered());
			}
		}
	}

	/**
	 * The variables a prompt sees: the item's fields, {@code item} (the fields alone, whatever their names),
	 * {@code record} (its {@code number} in the input and its {@code id}), {@code vars} and {@code steps} (the
	 * answers so far). A field named like one of these four is still {@code item.<name>}.
	 */
	private Map<String, Object> model(InputItem item, Map<String, Object> answers) {
		return model(item, this.plan.vars(), answers);
	}

	/**
	 * The variables a prompt sees, as {@link #model(InputItem, Map)} makes them: also what a check's expected value
	 * and a judge's rubric see when a stored run is checked again.
	 * @param answers each step's {@link StepAnswer} by step name
	 */
	public static Map<String, Object> model(InputItem item, Map<String, Object> vars, Map<String, Object> answers) {
		Map<String, Object> model = new HashMap<>(item.fields());
		model.put("item", item.fields());
		model.put("record", Map.of("number", item.seq(), "id", item.id()));
		model.put("vars", vars);
		model.put("steps", answers);
		return model;
	}

	private static Conversation failed(InputItem item, ModelSettings settings, List<Conversation.Turn> turns,
			List<Conversation.Call> calls, String error) {
		return Conversation.failed(item.seq(), item.id(), settings.name(), error, turns, calls);
	}

}
