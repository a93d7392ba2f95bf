package dev.dmrbatch.web;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.dmrbatch.check.CheckStore;
import dev.dmrbatch.check.ItemVerdicts;
import dev.dmrbatch.conversation.AnswerKey;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.conversation.Verdict;
import dev.dmrbatch.run.plan.NotFoundException;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.text.SafeText;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.stereotype.Component;

/**
 * People's reviews of a run's answers, given in the grid or on a conversation's page and kept by the checks' store
 * ({@link CheckStore#review}) as the {@code <step>.human} check's verdicts; and a run's conversations read with their
 * verdicts, the reviews among them, as the exports read them.
 */
@Component
@ConditionalOnWebApplication
class Reviews {

	private static final List<String> KEYS = List.of("item", "model", "repeat", "step", "pass", "score", "comment",
			"reviewer", "clear");

	private final ConversationStore store;

	private final CheckStore checks;

	Reviews(ConversationStore store, CheckStore checks) {
		this.store = store;
		this.checks = checks;
	}

	/** Who reviews when the request names no one: the user that runs the app. */
	static String defaultReviewer() {
		return System.getProperty("user.name", "reviewer");
	}

	/**
	 * Keeps (or with {@code "clear": true} takes back) a review of one step's answer, from a request's body.
	 * @return the review as kept, with its item, model, step and check
	 * @throws RunException naming what in the body is wrong; {@link NotFoundException} for an item, model or step the
	 * run does not have
	 */
	Map<String, Object> review(RunRecord run, JsonNode body) {
		if (body == null || !body.isObject()) {
			throw new RunException("the body must be {\"item\", \"model\"?, \"repeat\"?, \"step\"?, \"pass\"?, \"score\"?, "
					+ "\"comment\"?, \"reviewer\"?}");
		}
		for (String key : body.propertyNames()) {
			if (!KEYS.contains(key)) {
				throw new RunException(SafeText.excerpt(key, 80) + " is not one of " + String.join(", ", KEYS));
			}
		}
		String item = string(body, "item");
		if (item == null) {
			throw new RunException("item is missing: the id of the item whose answer is reviewed");
		}
		long seq = this.store.itemSeq(run.id(), item)
			.orElseThrow(() -> new NotFoundException("there is no item '" + SafeText.excerpt(item, 80) + "' in run "
					+ run.id()));
		List<Conversation> conversations = new ArrayList<>();
		this.store.forEachOf(run.id(), List.of(seq), conversations::add);
		String model = string(body, "model");
		JsonNode repeat = body.path("repeat");
		if (!repeat.isMissingNode() && !repeat.isNull() && !(repeat.isIntegralNumber() && repeat.asInt() >= 1)) {
			throw new RunException("repeat must be a whole number from 1: which answer of a repeated item is reviewed");
		}
		List<Conversation> answers = conversations.stream()
			.filter((c) -> model == null || c.model().equals(model))
			.filter((c) -> !repeat.isIntegralNumber() || c.repetition() == repeat.asInt())
			.toList();
		if (answers.isEmpty()) {
			throw new NotFoundException("item " + SafeText.excerpt(item, 80) + " has no answer"
					+ ((model != null) ? " of model '" + SafeText.excerpt(model, 80) + "'" : "")
					+ (repeat.isIntegralNumber() ? " numbered " + repeat.asInt() : ""));
		}
		if (answers.size() > 1) {
			boolean models = answers.stream().map(Conversation::model).distinct().count() > 1;
			throw new RunException((models ? "model" : "repeat") + " is missing: item " + SafeText.excerpt(item, 80)
					+ " was answered " + (models ? "by " + String.join(", ",
							answers.stream().map(Conversation::model).distinct().toList())
							: answers.size() + " times (repeat 1 to " + answers.size() + ")"));
		}
		Conversation conversation = answers.get(0);
		List<String> steps = steps(conversation);
		String step = string(body, "step");
		if (step == null) {
			if (steps.isEmpty()) {
				throw new RunException("item " + SafeText.excerpt(item, 80) + " has no answer to review");
			}
			step = steps.get(steps.size() - 1);
		}
		else if (!steps.contains(step)) {
			throw new NotFoundException("item " + SafeText.excerpt(item, 80) + " has no answer of step '"
					+ SafeText.excerpt(step, 80) + "'" + (steps.isEmpty() ? "" : " (" + String.join(", ", steps) + ")"));
		}
		Map<String, Object> shown = new LinkedHashMap<>();
		shown.put("item", item);
		shown.put("model", conversation.model());
		if (conversations.stream().anyMatch((c) -> c.repetition() > 1)) {
			shown.put("repeat", conversation.repetition());
		}
		shown.put("step", step);
		shown.put("check", step + "." + CheckStore.HUMAN_CHECK);
		if (body.path("clear").asBoolean(false)) {
			shown.put("cleared", this.checks.unreview(run.id(), seq, conversation.model(),
					conversation.repetition(), step));
			return shown;
		}
		JsonNode pass = body.path("pass");
		if (!pass.isMissingNode() && !pass.isNull() && !pass.isBoolean()) {
			throw new RunException("pass must be true or false");
		}
		JsonNode score = body.path("score");
		if (!score.isMissingNode() && !score.isNull() && !(score.isIntegralNumber() && score.asInt() >= 1
				&& score.asInt() <= 5)) {
			throw new RunException("score must be a whole number from 1 to 5");
		}
		String comment = string(body, "comment");
		if (comment != null && comment.length() > CheckStore.REASON_LENGTH / 2) {
			throw new RunException("comment: " + comment.length() + " characters, at most " + CheckStore.REASON_LENGTH / 2);
		}
		String reviewer = string(body, "reviewer");
		if (reviewer == null) {
			reviewer = defaultReviewer();
		}
		if (reviewer.length() > 100) {
			throw new RunException("reviewer: a name of at most 100 characters");
		}
		CheckStore.Review review = new CheckStore.Review(pass.isBoolean() ? pass.asBoolean() : null,
				score.isIntegralNumber() ? score.asInt() : null, comment, reviewer, Instant.now());
		try {
			this.checks.review(run.id(), seq, conversation.model(), conversation.repetition(), step, review);
		}
		catch (IllegalArgumentException ex) {
			throw new RunException(ex.getMessage());
		}
		shown.put("pass", review.verdict());
		shown.put("score", review.score());
		shown.put("comment", review.comment());
		shown.put("reviewer", review.reviewer());
		shown.put("at", review.at());
		shown.put("reason", review.reason());
		return shown;
	}

	/** The steps a conversation answered, in order. */
	static List<String> steps(Conversation conversation) {
		List<String> steps = new ArrayList<>();
		for (Conversation.Turn turn : conversation.turns()) {
			if (turn.step() != null && ("assistant".equals(turn.role()) || Conversation.Turn.PLUGIN.equals(turn.role()))
					&& !steps.contains(turn.step())) {
				steps.add(turn.step());
			}
		}
		return steps;
	}

	/** Some items' conversations in input order, each with its verdicts, the reviews among them. */
	void withVerdicts(long runId, List<Long> seqs, Consumer<Conversation> action) {
		if (seqs.isEmpty()) {
			return;
		}
		long from = seqs.stream().mapToLong(Long::longValue).min().getAsLong() - 1;
		long to = seqs.stream().mapToLong(Long::longValue).max().getAsLong();
		Map<AnswerKey, List<Verdict>> verdicts = new HashMap<>();
		for (ItemVerdicts item : this.checks.latestIn(runId, from, to)) {
			verdicts.put(item.answerKey(), item.verdicts());
		}
		this.store.forEachOf(runId, seqs, (c) -> action.accept(c.withVerdicts(
				verdicts.getOrDefault(AnswerKey.of(c), List.of()), List.of())));
	}

	/** The reviews of some items, by conversation and step. */
	Map<Reviewed, CheckStore.StoredReview> reviews(long runId, List<Long> seqs) {
		Map<Reviewed, CheckStore.StoredReview> reviews = new HashMap<>();
		if (seqs.isEmpty()) {
			return reviews;
		}
		long from = seqs.stream().mapToLong(Long::longValue).min().getAsLong() - 1;
		long to = seqs.stream().mapToLong(Long::longValue).max().getAsLong();
		for (CheckStore.StoredReview review : this.checks.reviews(runId, from, to)) {
			reviews.put(new Reviewed(review.answerKey(), review.step()), review);
		}
		return reviews;
	}

	/** What a review is of: one step's answer in one conversation. */
	record Reviewed(AnswerKey answer, String step) {
	}

	private static String string(JsonNode body, String name) {
		JsonNode value = body.path(name);
		if (value.isMissingNode() || value.isNull()) {
			return null;
		}
		if (!value.isString()) {
			throw new RunException(name + " must be a string");
		}
		return value.asString().isBlank() ? null : value.asString().strip();
	}

}
