package dev.dmrbatch.compare;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

import dev.dmrbatch.check.CheckStore;
import dev.dmrbatch.check.ItemVerdicts;
import dev.dmrbatch.conversation.Verdict;
import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.conversation.AnswerKey;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.conversation.StoreFolder;
import dev.dmrbatch.history.RunHistory;
import dev.dmrbatch.run.job.OutputFolders;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.text.SafeText;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * {@code job=compare}: runs of the same input compared item by item (items matched by their id), or the models of
 * one run with several: each side's facts and prompts, pass rates per check, the items whose verdicts flipped and
 * those whose answers changed most, written as {@code compare.json}, {@code compare.md} and {@code compare.html}.
 * Everything is read from the store, a page of items at a time: what grows with the runs is an index of item ids,
 * and every list shown side by side is cut at a stated length.
 */
@Component
public class Comparisons {

	/** Items read from the store at once, per run. */
	static final int PAGE = 1000;

	private static final JsonMapper JSON = JsonMapper.shared();

	private final ConversationStore store;

	private final CheckStore checks;

	private final RunHistory history;

	private final OutputFolders folders;

	private final DmrProperties properties;

	Comparisons(ConversationStore store, CheckStore checks, RunHistory history, OutputFolders folders,
			DmrProperties properties) {
		this.store = store;
		this.checks = checks;
		this.history = history;
		this.folders = folders;
		this.properties = properties;
	}

	/** What a comparison wrote and what it found, for the command line's summary. */
	public record Result(Path folder, List<Path> files, List<String> summary, List<String> warnings) {
	}

	/**
	 * Compares the runs named (ids or labels), or the models of the one run named.
	 * @param output the folder to write into, or {@code null} for {@code output/compare/<runs>/}
	 * @throws RunException for an unknown run, a run named twice, runs over different inputs, a single run with one
	 * model, or an output folder that is a run's
	 */
	public Result compare(List<String> which, String output) {
		List<RunRecord> runs = runs(which);
		List<Side> sides = index(runs);
		label(sides, runs.size() == 1);
		Path folder = ((output != null) ? this.properties.resolve(output)
				: this.properties.resolve("output").resolve("compare").resolve(folderName(runs, sides)))
			.toAbsolutePath();
		// never into a run's own folder: its marker or its exports say whose it is
		this.folders.check(folder, null);
		List<String> warnings = new ArrayList<>();
		for (Side side : sides) {
			if (side.duplicates() > 0) {
				warnings.add(side.label() + ": " + side.duplicates() + " items repeat an earlier item's id; the first "
						+ "item of each id is compared");
			}
		}
		try {
			StoreFolder.createPrivate(folder);
			Tally tally = new Tally(sides);
			// the checks in the job file's order, those of the first run first
			runs.forEach((run) -> this.checks.checkKeys(run.id()).forEach(tally::check));
			List<Map<String, Object>> facts = facts(sides);
			List<Map<String, Object>> templates = templates(sides);
			try (CompareJson json = new CompareJson(folder.resolve(CompareJson.FILE), facts, templates)) {
				walk(sides, (item) -> {
					tally.add(item);
					json.write(item);
				});
				json.finish(tally);
			}
			CompareReport report = new CompareReport(facts, templates, tally);
			report.markdown(folder.resolve(CompareReport.MARKDOWN));
			report.html(folder.resolve(CompareReport.HTML));
			List<Path> files = List.of(folder.resolve(CompareJson.FILE), folder.resolve(CompareReport.MARKDOWN),
					folder.resolve(CompareReport.HTML));
			List<String> summary = new ArrayList<>(tally.summary());
			for (int i = 0; i < facts.size(); i++) {
				Map<String, Object> run = facts.get(i);
				Map<?, ?> latency = (Map<?, ?>) run.get("latency_ms");
				summary.add(1 + i, String.format(Locale.ROOT, "  %s: job %s, run %s, model %s; %s ok, %s "
						+ "failed; tokens %s in, %s out; latency p50 %s ms, p90 %s ms", run.get("label"),
						run.get("job"), run.get("id"), run.get("model"), run.get("ok"), run.get("failed"),
						run.get("prompt_tokens"), run.get("completion_tokens"),
						Objects.toString(latency.get("p50"), "-"), Objects.toString(latency.get("p90"), "-")));
			}
			for (Side side : sides) {
				if (side.agreement() != null) {
					// a side that asked each item several times: how its answers agree (its first ones are compared)
					side.agreement().totals().lines().forEach((line) -> summary.add("  " + side.label() + ": " + line));
				}
			}
			return new Result(folder, files, summary, warnings);
		}
		catch (IOException | UncheckedIOException | JacksonException ex) {
			// the disk is full, or the folder cannot be written
			Throwable cause = (ex instanceof UncheckedIOException unchecked) ? unchecked.getCause() : ex;
			throw new RunException("cannot write the comparison into " + folder + ": "
					+ SafeText.firstLine(cause.getMessage()));
		}
	}

	/** The runs named, each once, over the same input. */
	private List<RunRecord> runs(List<String> which) {
		if (which.isEmpty()) {
			throw new RunException("job=compare needs run=<id|label> twice or more, or once for a run made with "
					+ "several models (job=runs lists them)");
		}
		List<RunRecord> runs = new ArrayList<>();
		for (String name : which) {
			RunRecord run = this.history.find(name);
			for (RunRecord earlier : runs) {
				if (earlier.id() == run.id()) {
					throw new RunException("run=" + name + " names run " + run.id() + " again: a run is compared with "
							+ "another run, not with itself");
				}
				if (!Objects.equals(earlier.input(), run.input())) {
					throw new RunException("run " + name(run) + " read " + run.input() + " but run " + name(earlier)
							+ " read " + earlier.input() + ": job=compare compares runs of the same input");
				}
			}
			runs.add(run);
		}
		return runs;
	}

	private static String name(RunRecord run) {
		return (run.label() != null) ? run.label() + " (id " + run.id() + ")" : String.valueOf(run.id());
	}

	/** One side per run and model, in the order the runs were named and their models first answer. */
	private List<Side> index(List<RunRecord> runs) {
		List<Side> sides = new ArrayList<>();
		for (RunRecord run : runs) {
			Map<String, Side> models = new LinkedHashMap<>();
			this.store.forEachItem(run.id(), (facts) -> models.computeIfAbsent(facts.model(), (m) -> new Side(run, m))
				.add(facts));
			if (models.isEmpty()) {
				throw new RunException("run " + name(run) + " has no items stored: there is nothing to compare");
			}
			boolean checked = !this.checks.checkKeys(run.id()).isEmpty();
			models.values().forEach((side) -> side.indexed(checked));
			sides.addAll(models.values());
		}
		if (sides.size() < 2) {
			throw new RunException("run " + name(runs.get(0)) + " answered with one model (" + sides.get(0).model()
					+ "): give another run=<id|label> to compare it with");
		}
		return sides;
	}

	/**
	 * Names the sides: the run's label (else {@code run-<id>}) for runs of one model each, the model for the models of
	 * one run, else both as {@code <run>/<model>}.
	 */
	private static void label(List<Side> sides, boolean oneRun) {
		if (oneRun) {
			sides.forEach((side) -> side.label(side.model()));
			return;
		}
		boolean severalModels = sides.stream().map((s) -> s.run().id()).distinct().count() < sides.size();
		// the runs' labels when they name the sides apart (two jobs may each have a run=baseline), else their ids
		for (boolean byLabel : new boolean[] { true, false }) {
			Set<String> seen = new LinkedHashSet<>();
			for (Side side : sides) {
				String run = (byLabel && side.run().label() != null) ? side.run().label() : "run-" + side.run().id();
				side.label(severalModels ? run + "/" + side.model() : run);
				seen.add(side.label());
			}
			if (seen.size() == sides.size()) {
				return;
			}
		}
	}

	/**
	 * {@code <a>-vs-<b>} from the sides' labels, or {@code <run>-<model>-vs-<model>} for the models of one run, in
	 * characters a folder name may hold.
	 */
	private static String folderName(List<RunRecord> runs, List<Side> sides) {
		String name = String.join("-vs-", sides.stream().map(Side::label).toList());
		if (runs.size() == 1) {
			RunRecord run = runs.get(0);
			name = ((run.label() != null) ? run.label() : "run-" + run.id()) + "-" + name;
		}
		name = name.replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("^[._-]+", "");
		return (name.length() <= 120) ? name : name.substring(0, 100) + "-" + Integer.toHexString(name.hashCode());
	}

	/** Each side's facts: run, job, model, settings, input, figures. */
	private List<Map<String, Object>> facts(List<Side> sides) {
		List<Map<String, Object>> facts = new ArrayList<>();
		for (Side side : sides) {
			Map<String, Object> run = new LinkedHashMap<>();
			run.put("id", side.run().id());
			run.put("label", side.label());
			run.put("run", side.run().label());
			run.put("job", side.run().jobName());
			run.put("model", side.model());
			run.put("input", side.run().input());
			run.put("settings", settings(side));
			run.put("items", side.ok() + side.failed());
			run.put("ok", side.ok());
			run.put("failed", side.failed());
			run.put("prompt_tokens", side.promptTokens());
			run.put("completion_tokens", side.completionTokens());
			Map<String, Object> latency = new LinkedHashMap<>();
			latency.put("p50", side.latency(50));
			latency.put("p90", side.latency(90));
			run.put("latency_ms", latency);
			facts.add(run);
		}
		return facts;
	}

	/** The model settings the side was answered with, its name aside; those of its model when the run had several. */
	private static Map<String, Object> settings(Side side) {
		Map<String, Object> settings = new LinkedHashMap<>();
		if (side.run().settings() == null) {
			return settings;
		}
		JsonNode stored = JSON.readTree(side.run().settings());
		JsonNode own = stored;
		if (stored.isArray()) {
			own = null;
			for (JsonNode model : stored) {
				if (side.model().equals(model.path("name").asString(null))) {
					own = model;
				}
			}
		}
		if (own != null && own.isObject()) {
			for (Map.Entry<String, JsonNode> field : own.properties()) {
				if (!field.getKey().equals("name")) {
					settings.put(field.getKey(), JSON.treeToValue(field.getValue(), Object.class));
				}
			}
		}
		return settings;
	}

	/**
	 * Each side's prompts against the first side's, template by template: {@code same}, {@code changed} with a line
	 * diff, only in one of them, or {@code not recorded} for a run made before templates were kept with the run.
	 */
	private List<Map<String, Object>> templates(List<Side> sides) {
		Map<Long, Map<String, String>> byRun = new HashMap<>();
		for (Side side : sides) {
			byRun.computeIfAbsent(side.run().id(), this.store::templates);
		}
		Side first = sides.get(0);
		Map<String, String> base = keyed(byRun.get(first.run().id()));
		List<Map<String, Object>> compared = new ArrayList<>();
		for (Side side : sides.subList(1, sides.size())) {
			if (side.run().id() == first.run().id()) {
				continue; // the models of one run share its prompts
			}
			Map<String, String> other = keyed(byRun.get(side.run().id()));
			Set<String> names = new LinkedHashSet<>(base.keySet());
			names.addAll(other.keySet());
			if (base.isEmpty() || other.isEmpty()) {
				Map<String, Object> row = new LinkedHashMap<>();
				row.put("label", side.label());
				row.put("against", first.label());
				row.put("name", "*");
				row.put("status", "not recorded");
				row.put("diff", List.of());
				compared.add(row);
				continue;
			}
			for (String name : names) {
				String was = base.get(name);
				String now = other.get(name);
				Map<String, Object> row = new LinkedHashMap<>();
				row.put("label", side.label());
				row.put("against", first.label());
				row.put("name", name);
				List<LineDiff.Line> diff = LineDiff.diff(was, now);
				row.put("status", (was == null) ? "only in " + side.label() : (now == null) ? "only in " + first.label()
						: LineDiff.changed(diff) ? "changed" : "same");
				row.put("diff",
						LineDiff.changed(diff) ? diff.stream().map(LineDiff.Line::toString).toList() : List.of());
				compared.add(row);
			}
		}
		return compared;
	}

	/** Templates by what they are ({@code steps.summary}), whichever file held them. */
	private static Map<String, String> keyed(Map<String, String> templates) {
		Map<String, String> keyed = new LinkedHashMap<>();
		templates.forEach((name, source) -> {
			int file = name.indexOf(" (");
			keyed.put((file < 0) ? name : name.substring(0, file), source);
		});
		return keyed;
	}

	/**
	 * Every item across the sides, in order: the first side's items in input order, then those it lacks. A page of
	 * {@value #PAGE} items at a time: each run's conversations of that page are read from the store in ranges of
	 * record numbers, then matched by id.
	 */
	private void walk(List<Side> sides, Consumer<ComparedItem> action) {
		Set<String> order = new LinkedHashSet<>();
		sides.forEach((side) -> order.addAll(side.items().keySet()));
		List<RunRecord> runs = sides.stream().map(Side::run).distinct().toList();
		List<String> page = new ArrayList<>(PAGE);
		long[] position = { 0 };
		for (String id : order) {
			page.add(id);
			if (page.size() == PAGE) {
				page(sides, runs, page, position, action);
				page.clear();
			}
		}
		if (!page.isEmpty()) {
			page(sides, runs, page, position, action);
		}
	}

	private void page(List<Side> sides, List<RunRecord> runs, List<String> ids, long[] position,
			Consumer<ComparedItem> action) {
		// per run: record number, then model, to its conversations (several when the run repeats each item)
		Map<Long, Map<Long, Map<String, List<Conversation>>>> read = new HashMap<>();
		Map<Long, Map<AnswerKey, Map<String, ComparedItem.Verdict>>> verdicts = new HashMap<>();
		for (RunRecord run : runs) {
			TreeSet<Long> seqs = new TreeSet<>();
			for (Side side : sides) {
				if (side.run().id() == run.id()) {
					ids.stream().map(side.items()::get).filter(Objects::nonNull).forEach(seqs::add);
				}
			}
			Map<Long, Map<String, List<Conversation>>> conversations = new HashMap<>();
			Map<AnswerKey, Map<String, ComparedItem.Verdict>> runVerdicts = new HashMap<>();
			// ranges of at most a page of record numbers; one range when the runs read the same input
			while (!seqs.isEmpty()) {
				long from = seqs.first() - 1;
				long to = Math.min(seqs.last(), from + PAGE);
				this.store.forEachBetween(run.id(), from, to, (c) -> {
					if (seqs.contains(c.itemSeq())) {
						conversations.computeIfAbsent(c.itemSeq(), (s) -> new HashMap<>())
							.computeIfAbsent(c.model(), (m) -> new ArrayList<>())
							.add(c);
					}
				});
				verdicts(run.id(), from, to, runVerdicts);
				seqs.headSet(to, true).clear();
			}
			read.put(run.id(), conversations);
			verdicts.put(run.id(), runVerdicts);
		}
		for (String id : ids) {
			Map<String, ComparedItem.Entry> entries = new LinkedHashMap<>();
			for (Side side : sides) {
				Long seq = side.items().get(id);
				List<Conversation> answers = (seq != null)
						? read.get(side.run().id()).getOrDefault(seq, Map.of()).getOrDefault(side.model(), List.of())
						: List.of();
				if (!answers.isEmpty()) {
					Map<AnswerKey, Map<String, ComparedItem.Verdict>> runVerdicts = verdicts.get(side.run().id());
					// the first answer is compared; a repeated run's others say how many passed
					Conversation c = answers.get(0);
					int passed = 0;
					for (Conversation answer : answers) {
						Map<String, ComparedItem.Verdict> checks = runVerdicts.getOrDefault(AnswerKey.of(answer), Map.of());
						Conversation checked = answer.withVerdicts(checks.entrySet()
							.stream()
							.map((v) -> new Verdict(v.getKey(), v.getValue().pass(), v.getValue().reason()))
							.toList(), List.of());
						if (checked.passed()) {
							passed++;
						}
						if (side.agreement() != null) {
							side.agreement().add(checked);
						}
					}
					entries.put(side.label(), new ComparedItem.Entry(seq, c.status(), c.error(), answer(c),
							runVerdicts.getOrDefault(AnswerKey.of(c), Map.of()), answers.size(), passed));
				}
			}
			action.accept(item(position[0]++, id, sides.get(0).label(), entries));
		}
	}

	/** The item across the sides: each side's distance and flips against the first side. */
	static ComparedItem item(long position, String id, String first, Map<String, ComparedItem.Entry> entries) {
		Map<String, Double> distances = new LinkedHashMap<>();
		List<ComparedItem.Flip> flips = new ArrayList<>();
		ComparedItem.Entry base = entries.get(first);
		if (base != null) {
			for (Map.Entry<String, ComparedItem.Entry> other : entries.entrySet()) {
				if (other.getKey().equals(first)) {
					continue;
				}
				ComparedItem.Entry entry = other.getValue();
				if (base.isOk() && entry.isOk()) {
					distances.put(other.getKey(), TextDistance.normalised(base.answer(), entry.answer()));
				}
				base.checks().forEach((check, was) -> {
					ComparedItem.Verdict now = entry.checks().get(check);
					if (now != null && now.pass() != was.pass()) {
						flips.add(new ComparedItem.Flip(check, other.getKey(), was.pass(), now.pass()));
					}
				});
			}
		}
		// pass to fail first
		flips.sort(Comparator.comparing((ComparedItem.Flip flip) -> !flip.was()));
		return new ComparedItem(position, id, entries, distances, flips);
	}

	/** The answers of a conversation's steps in order, joined by a blank line. */
	static String answer(Conversation c) {
		StringBuilder answer = new StringBuilder();
		for (Conversation.Turn turn : c.turns()) {
			if ("assistant".equals(turn.role()) || Conversation.Turn.PLUGIN.equals(turn.role())) {
				answer.append((answer.length() > 0) ? "\n\n" : "").append(turn.content());
			}
		}
		return answer.toString();
	}

	/**
	 * The verdicts of the run's latest evaluation for the record numbers in {@code (from, to]}, into
	 * {@code verdicts} by conversation and check.
	 */
	private void verdicts(long runId, long from, long to, Map<AnswerKey, Map<String, ComparedItem.Verdict>> verdicts) {
		for (ItemVerdicts item : this.checks.latestIn(runId, from, to)) {
			Map<String, ComparedItem.Verdict> byCheck = new LinkedHashMap<>();
			for (Verdict verdict : item.verdicts()) {
				byCheck.put(verdict.checkKey(), new ComparedItem.Verdict(verdict.pass(), verdict.reason()));
			}
			verdicts.put(item.answerKey(), byCheck);
		}
	}

}
