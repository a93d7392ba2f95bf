package dev.dmrbatch.run.job;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongPredicate;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.conversation.ConversationStore;
import dev.dmrbatch.conversation.StoreFolder;
import dev.dmrbatch.input.InputItem;
import dev.dmrbatch.input.InputReaders;
import dev.dmrbatch.model.ChatMessage;
import dev.dmrbatch.model.ChatService;
import dev.dmrbatch.model.RunnerClients;
import dev.dmrbatch.model.RunnerTokens;
import dev.dmrbatch.run.pipeline.ConversationProcessor;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.run.plan.RunPlan;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.stereotype.Component;

/**
 * {@code dry-run}: what the same command would send, rendered and counted, and sent nowhere. The plan is the run's,
 * checked as a run checks it before its first request (the runners asked for the models; a run that stopped goes on
 * as it started, without the items it stored); each request that can be rendered before any answer exists is
 * written to {@value #FILE} in the run's output folder as the model client would send it, its prompt counted by the
 * runner ({@link RunnerTokens}) or else estimated. Nothing is registered in the store.
 */
@Component
public class DryRuns {

	/** The file of the requests, in the run's output folder. */
	public static final String FILE = "prompts.jsonl";

	/** The output folder of a dry run of a new run without a label or an {@code output=}, under the job's. */
	static final String FOLDER = "dry-run";

	private static final JsonMapper JSON = JsonMapper.shared();

	private final ConversationRuns runs;

	private final ConversationJobFactory jobs;

	private final JobRepository jobRepository;

	private final OutputFolders folders;

	private final ConversationStore store;

	private final RunnerClients clients;

	private final RunnerTokens tokens;

	private final DmrProperties properties;

	DryRuns(ConversationRuns runs, ConversationJobFactory jobs, JobRepository jobRepository, OutputFolders folders,
			ConversationStore store, RunnerClients clients, RunnerTokens tokens, DmrProperties properties) {
		this.runs = runs;
		this.jobs = jobs;
		this.jobRepository = jobRepository;
		this.folders = folders;
		this.store = store;
		this.clients = clients;
		this.tokens = tokens;
		this.properties = properties;
	}

	/**
	 * What a dry run found.
	 * @param run the run it is of, by label or number, or {@code null} for a new run
	 * @param complete whether that run is complete: the same command would send nothing, and nothing was rendered
	 * @param stored the items the run has stored already, which it would not send again
	 * @param counted the requests whose prompt tokens the runner counted; the others' are estimated
	 * @param unanswered per step that cannot be rendered before an earlier step's answer exists, its requests
	 * @param file the {@value #FILE} written, or {@code null}
	 */
	public record Outcome(String job, String run, boolean complete, long items, long stored, long requests,
			long promptTokens, long counted, Map<String, Long> unanswered, Path file) {
	}

	public Outcome dryRun(RunPlan plan) {
		JobExecution last = this.jobRepository.getLastJobExecution(plan.jobName(), ConversationRuns.parameters(plan));
		Long known = (last != null) ? last.getJobInstanceId() : null;
		String run = (last == null) ? null : (plan.label() != null) ? plan.label() : String.valueOf(known);
		if (last != null && last.getStatus() == BatchStatus.COMPLETED) {
			return new Outcome(plan.jobName(), run, true, 0, 0, 0, 0, 0, Map.of(), null);
		}
		if (known != null) {
			plan = this.runs.asStarted(plan, known);
		}
		Path folder;
		if (known != null || plan.output() != null || plan.label() != null) {
			folder = this.jobs.outputFolder(plan, (known != null) ? known : 0);
			this.folders.check(folder, known);
		}
		else {
			folder = this.properties.resolve("output").resolve(plan.jobName()).resolve(FOLDER);
		}
		if (!plan.cluster()) {
			plan = this.runs.checkRunners(plan);
		}
		LongPredicate stored = (known != null) ? this.store.storedBetween(known, 0, Long.MAX_VALUE) : (seq) -> false;
		java.net.URI runner = plan.lanes().get(0).url();
		ConversationProcessor processor = this.jobs.dryProcessor(plan, this.clients.chat(runner));
		RunnerTokens.Counter counter = plan.cluster() ? null : this.tokens.at(runner);
		try {
			boolean made = !Files.isDirectory(folder);
			StoreFolder.createPrivate(folder);
			Path file = folder.resolve(FILE);
			Path written = StoreFolder.privateFile(Files.createTempFile(folder, ".prompts-", ".jsonl"));
			try {
				Tally tally = write(plan, processor, counter, stored, written);
				Files.move(written, StoreFolder.privateFile(file), StandardCopyOption.REPLACE_EXISTING,
						StandardCopyOption.ATOMIC_MOVE);
				return new Outcome(plan.jobName(), run, false, tally.items, tally.stored, tally.requests, tally.tokens,
						tally.counted, tally.unanswered, file);
			}
			finally {
				Files.deleteIfExists(written);
				if (made && Files.isDirectory(folder)) {
					try (var left = Files.list(folder)) {
						if (left.findAny().isEmpty()) {
							Files.delete(folder);
						}
					}
				}
			}
		}
		catch (IOException ex) {
			throw new RunException("cannot write " + folder.resolve(FILE) + ": " + ex.getMessage());
		}
	}

	private static final class Tally {

		long items;

		long stored;

		long requests;

		long tokens;

		long counted;

		final Map<String, Long> unanswered = new LinkedHashMap<>();

	}

	/** A request rendered, its prompt being counted by the runner meanwhile. */
	private record Counting(ConversationProcessor.Preview preview, Future<OptionalLong> tokens) {
	}

	private Tally write(RunPlan plan, ConversationProcessor processor, RunnerTokens.Counter counter,
			LongPredicate stored, Path file) throws IOException {
		Tally tally = new Tally();
		ItemStreamReader<InputItem> reader = InputReaders.reader(plan.input());
		// the runner counts as many prompts at once as the run would send; the lines keep the input's order
		int slots = plan.lanes().get(0).concurrency();
		ExecutorService counting = Executors.newFixedThreadPool(slots, (task) -> {
			Thread thread = new Thread(task, "tokenize");
			thread.setDaemon(true);
			return thread;
		});
		ArrayDeque<Counting> waiting = new ArrayDeque<>();
		try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
			reader.open(new ExecutionContext());
			for (InputItem item = reader.read(); item != null; item = reader.read()) {
				if (item.isBlank()) {
					continue;
				}
				if (stored.test(item.seq())) {
					tally.stored++;
					continue;
				}
				tally.items++;
				processor.preview(item, (preview) -> {
					waiting.add(new Counting(preview, (counter != null)
							? counting.submit(() -> counter.count(preview.request()))
							: CompletableFuture.completedFuture(OptionalLong.empty())));
					while (waiting.size() > 4 * slots) {
						write(waiting.poll(), tally, out, plan.repeat() > 1);
					}
				}, (step) -> tally.unanswered.merge(step, 1L, Long::sum));
			}
			while (!waiting.isEmpty()) {
				write(waiting.poll(), tally, out, plan.repeat() > 1);
			}
		}
		catch (UncheckedIOException ex) {
			throw ex.getCause();
		}
		catch (IOException | RuntimeException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw new RunException("input " + plan.input().display() + " cannot be read: " + ex.getMessage());
		}
		finally {
			counting.shutdownNow();
			reader.close();
		}
		return tally;
	}

	/**
	 * A request's line: the item, the model (and, when the run asks each item several times, which answer), the step,
	 * the endpoint, the prompt's tokens, and the body last.
	 */
	private static void write(Counting counting, Tally tally, BufferedWriter out, boolean repeats) {
		ConversationProcessor.Preview preview = counting.preview();
		ChatService.Preview request = preview.request();
		OptionalLong counted;
		try {
			counted = counting.tokens().get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new RunException("the dry run was interrupted");
		}
		catch (ExecutionException ex) {
			counted = OptionalLong.empty();
		}
		long tokens = counted.orElseGet(() -> estimate(request));
		tally.requests++;
		tally.tokens += tokens;
		if (counted.isPresent()) {
			tally.counted++;
		}
		Map<String, Object> line = new LinkedHashMap<>();
		line.put("item", preview.item().id());
		line.put("record", preview.item().seq());
		line.put("model", preview.model());
		if (repeats) {
			line.put("repeat", preview.repetition());
		}
		line.put("step", preview.step());
		line.put("endpoint", request.endpoint());
		line.put("prompt_tokens", tokens);
		if (counted.isEmpty()) {
			line.put("estimated", true);
		}
		String head = JSON.writeValueAsString(line);
		try {
			// the body last, as the client writes it, byte for byte
			out.write(head, 0, head.length() - 1);
			out.write(",\"body\":");
			out.write(request.body());
			out.write("}\n");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** A prompt's tokens where the runner does not count them: about one a four characters. */
	static long estimate(ChatService.Preview request) {
		long characters = (request.messages() != null)
				? request.messages().stream().map(ChatMessage::content).mapToLong(String::length).sum()
				: request.text().length();
		return (characters + 3) / 4;
	}

}
