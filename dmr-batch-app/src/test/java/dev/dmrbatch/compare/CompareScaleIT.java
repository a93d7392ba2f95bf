package dev.dmrbatch.compare;

import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.dmrbatch.check.CheckStore;
import dev.dmrbatch.check.Evaluation;
import dev.dmrbatch.check.ItemVerdicts;
import dev.dmrbatch.conversation.Verdict;
import dev.dmrbatch.conversation.Conversation;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.RunRecord;
import dev.dmrbatch.support.DmrProcess;
import dev.dmrbatch.support.Workspace;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A comparison of two runs of 10,000 items each, with answers of about 2,000 characters (80 MB of answers between
 * them, as Java holds them), in a JVM of 128 MB: it streams, and what it shows side by side stays at its stated
 * length.
 */
class CompareScaleIT {

	static final int ITEMS = 10_000;

	@TempDir
	Path dir;

	@Test
	void tenThousandItemsStreamThroughASmallHeap() throws Exception {
		// given: two runs in the working folder's store, written directly (no model is needed to compare)
		Workspace workspace = new Workspace(this.dir);
		JdbcDataSource data = new JdbcDataSource();
		data.setURL(workspace.storeUrl());
		data.setUser("sa");
		Flyway.configure().dataSource(data).locations("classpath:db/migration/common", "classpath:db/migration/h2")
			.load().migrate();
		JdbcTemplate jdbc = new JdbcTemplate(data);
		ConversationStore store = new ConversationStore(jdbc);
		CheckStore checks = new CheckStore(jdbc);
		String base = "The quick brown fox jumps over the lazy dog while the answer goes on and on. ".repeat(26);
		for (int run = 1; run <= 2; run++) {
			store.registerRun(new RunRecord(run, "big", "run" + run, "input/big.jsonl",
					workspace.path("output/big/run" + run).toString(),
					"{\"name\":\"ai/tiny\",\"max_tokens\":" + (run * 256) + "}", Instant.now()));
			Evaluation evaluation = checks.beginNew(run, List.of("answer.fox"), null);
			for (int from = 0; from < ITEMS; from += 500) {
				List<Conversation> page = new ArrayList<>();
				List<ItemVerdicts> verdicts = new ArrayList<>();
				for (int i = from + 1; i <= from + 500; i++) {
					String answer = answer(base, run, i);
					page.add(Conversation.answered(i, "item-" + i, "ai/tiny",
							List.of(new Conversation.Turn("user", "answer", "Question " + i),
									new Conversation.Turn("assistant", "answer", answer)),
							List.of(Conversation.Call.answered(0, "answer").finishReason("stop").tokens(30, 400)
									.latency(20 + i % 50).attempts(1).build())));
					verdicts.add(new ItemVerdicts(i, "ai/tiny",
							List.of(new Verdict("answer.fox", answer.contains("fox"), "fox?"))));
				}
				store.saveAll(run, page);
				checks.saveAll(evaluation, verdicts);
			}
		}

		// when: compared in a JVM of its own with a small heap
		List<String> command = new ArrayList<>(
				DmrProcess.command(workspace, "http://127.0.0.1:9/v1", "job=compare", "run=run1", "run=run2"));
		command.add(1, "-Xmx128m");
		Path out = this.dir.resolve("compare.out");
		long start = System.nanoTime();
		Process process = new ProcessBuilder(command).directory(this.dir.toFile())
			.redirectErrorStream(true)
			.redirectOutput(out.toFile())
			.start();
		assertThat(process.waitFor(300, TimeUnit.SECONDS)).isTrue();
		double seconds = (System.nanoTime() - start) / 1e9;
		String printed = Files.readString(out);
		System.out.printf("compare of 2 x %d items: %.1f s%n%s", ITEMS, seconds, printed);

		// then
		assertThat(process.exitValue()).as(printed).isZero();
		Path folder = workspace.path("output/compare/run1-vs-run2");
		// every tenth item lost its fox in run 2, every seventh changed at its middle
		long lost = (ITEMS / 10);
		assertThat(printed).contains("compared run1 vs run2: 10000 items, 10000 in all, 0 in some only")
			.contains("check answer.fox: run1 10000/10000 (100.0%), run2 " + (ITEMS - lost) + "/10000 (90.0%, -10.0 "
					+ "points); " + lost + " flipped pass->fail, 0 fail->pass");
		assertThat(items(folder.resolve("compare.json"))).isEqualTo(ITEMS);
		String html = Files.readString(folder.resolve("compare.html"));
		assertThat(html).contains("Flipped pass → fail (" + lost + ")");
		assertThat(count(html, "<article class=\"item compared\"")).isEqualTo(Tally.FLIPS_LISTED + Tally.CHANGED_LISTED);
		System.out.printf("compare.json %d bytes, compare.md %d bytes, compare.html %d bytes%n",
				Files.size(folder.resolve("compare.json")), Files.size(folder.resolve("compare.md")),
				Files.size(folder.resolve("compare.html")));
	}

	/** Run 1's answer, or run 2's: without its fox every tenth item, changed in the middle every seventh. */
	private static String answer(String base, int run, int item) {
		String answer = "Item " + item + ". " + base;
		if (run == 2 && item % 10 == 0) {
			answer = answer.replace("fox", "cat");
		}
		if (run == 2 && item % 7 == 0) {
			int middle = answer.length() / 2;
			answer = answer.substring(0, middle) + " and something else entirely, " + item + " times over "
					+ answer.substring(middle + (item % 40));
		}
		return answer;
	}

	/** The items in compare.json, counted by a streaming parser. */
	private static long items(Path json) throws Exception {
		long items = 0;
		try (BufferedReader reader = Files.newBufferedReader(json);
				JsonParser parser = JsonMapper.builder().build().createParser(reader)) {
			int depth = 0;
			boolean inItems = false;
			for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
				if (token == JsonToken.PROPERTY_NAME && depth == 1) {
					inItems = parser.currentName().equals("items");
				}
				if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
					if (inItems && depth == 2 && token == JsonToken.START_OBJECT) {
						items++;
					}
					depth++;
				}
				else if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
					depth--;
				}
			}
		}
		return items;
	}

	private static int count(String text, String part) {
		int count = 0;
		for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
			count++;
		}
		return count;
	}

}
