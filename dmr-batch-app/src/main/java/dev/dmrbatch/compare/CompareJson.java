package dev.dmrbatch.compare;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dmrbatch.conversation.StoreFolder;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code compare.json}: {@code {"measure", "runs": [each side's facts], "templates": [the prompts against the first
 * side's], "items": [every item across the sides], then what they add up to: "checks": {"<step>.<check>":
 * {"<label>": rate}}, "flips", "summary", "most_changed"}}. Written as the items stream past, never built as a tree.
 */
final class CompareJson implements AutoCloseable {

	static final String FILE = "compare.json";

	private final OutputStream out;

	private final JsonGenerator json;

	private final List<Object> labels;

	CompareJson(Path file, List<Map<String, Object>> runs, List<Map<String, Object>> templates) throws IOException {
		this.labels = runs.stream().map((run) -> run.get("label")).toList();
		this.out = Files.newOutputStream(StoreFolder.privateFile(file));
		this.json = JsonMapper.shared().createGenerator(this.out);
		this.json.writeStartObject();
		this.json.writeName("measure");
		this.json.writeString(Tally.MEASURE);
		this.json.writeName("runs");
		this.json.writePOJO(runs);
		this.json.writeName("templates");
		this.json.writePOJO(templates);
		this.json.writeArrayPropertyStart("items");
	}

	void write(ComparedItem item) {
		this.json.writePOJO(item(item));
	}

	/** An item as {@code compare.json} holds it, each field by label. */
	Map<String, Object> item(ComparedItem item) {
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("id", item.id());
		if (item.sides().size() < this.labels.size()) {
			data.put("only_in", List.copyOf(item.sides().keySet()));
		}
		Map<String, Object> records = new LinkedHashMap<>();
		Map<String, Object> status = new LinkedHashMap<>();
		Map<String, Object> errors = new LinkedHashMap<>();
		Map<String, Object> answers = new LinkedHashMap<>();
		Map<String, Object> checks = new LinkedHashMap<>();
		Map<String, Object> repeated = new LinkedHashMap<>();
		item.sides().forEach((label, entry) -> {
			if (entry.answers() > 1) {
				// a side that asked the item several times: its first answer is compared, and how many passed
				Map<String, Object> counts = new LinkedHashMap<>();
				counts.put("answers", entry.answers());
				counts.put("passed", entry.passed());
				repeated.put(label, counts);
			}
			records.put(label, entry.seq());
			status.put(label, entry.status());
			if (entry.error() != null) {
				errors.put(label, entry.error());
			}
			answers.put(label, entry.answer());
			Map<String, Object> verdicts = new LinkedHashMap<>();
			entry.checks().forEach((check, verdict) -> {
				Map<String, Object> shown = new LinkedHashMap<>();
				shown.put("pass", verdict.pass());
				shown.put("reason", verdict.reason());
				verdicts.put(check, shown);
			});
			checks.put(label, verdicts);
		});
		data.put("record", records);
		data.put("status", status);
		if (!errors.isEmpty()) {
			data.put("errors", errors);
		}
		data.put("answers", answers);
		data.put("distance", item.distances());
		data.put("checks", checks);
		if (!repeated.isEmpty()) {
			data.put("repeat", repeated);
		}
		List<Map<String, Object>> flipped = new ArrayList<>();
		for (ComparedItem.Flip flip : item.flips()) {
			Map<String, Object> shown = new LinkedHashMap<>();
			shown.put("check", flip.check());
			shown.put("label", flip.label());
			shown.put("from", flip.was() ? "pass" : "fail");
			shown.put("to", flip.now() ? "pass" : "fail");
			flipped.add(shown);
		}
		data.put("flipped", flipped);
		return data;
	}

	/** The totals, after the items. */
	void finish(Tally tally) {
		this.json.writeEndArray();
		Map<String, Object> rates = new LinkedHashMap<>();
		Map<String, Object> counts = new LinkedHashMap<>();
		Map<String, Object> flips = new LinkedHashMap<>();
		for (String check : tally.checkNames()) {
			Map<String, Object> byLabel = new LinkedHashMap<>();
			Map<String, Object> countsByLabel = new LinkedHashMap<>();
			for (String label : tally.labels()) {
				byLabel.put(label, tally.rate(check, label));
				long[] passed = tally.counts(check, label);
				if (passed != null) {
					countsByLabel.put(label, Map.of("passed", passed[0], "evaluated", passed[1]));
				}
			}
			rates.put(check, byLabel);
			counts.put(check, countsByLabel);
			flips.put(check,
					Map.of("pass_to_fail", tally.flips(check, true), "fail_to_pass", tally.flips(check, false)));
		}
		this.json.writeName("checks");
		this.json.writePOJO(rates);
		this.json.writeName("check_counts");
		this.json.writePOJO(counts);
		this.json.writeName("flips");
		this.json.writePOJO(flips);
		Map<String, Object> summary = new LinkedHashMap<>();
		summary.put("items", tally.items());
		summary.put("in_all", tally.items() - tally.onlyItems());
		summary.put("in_some_only", tally.onlyItems());
		summary.put("items_flipped_pass_to_fail", tally.passToFailItems());
		summary.put("items_flipped_fail_to_pass", tally.failToPassItems());
		summary.put("answers_measured", tally.measured());
		summary.put("answers_changed", tally.changedItems());
		summary.put("mean_distance", tally.meanDistance());
		this.json.writeName("summary");
		this.json.writePOJO(summary);
		this.json.writeName("most_changed");
		this.json.writePOJO(tally.mostChanged().stream().map(ComparedItem::id).toList());
		this.json.writeEndObject();
	}

	@Override
	public void close() throws IOException {
		this.json.close();
		this.out.close();
	}

}
