package dev.dmrbatch.web;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.dmrbatch.config.DmrProperties;
import dev.dmrbatch.history.RunNotes;
import dev.dmrbatch.input.InputReaders;
import dev.dmrbatch.input.TrialSelection;
import dev.dmrbatch.jobfile.JobFiles;
import dev.dmrbatch.run.job.ConversationRuns;
import dev.dmrbatch.run.job.RunOutcome;
import dev.dmrbatch.run.job.UnknownModelException;
import dev.dmrbatch.run.plan.NotFoundException;
import dev.dmrbatch.run.plan.RunException;
import dev.dmrbatch.run.plan.RunPlan;
import dev.dmrbatch.run.plan.RunPlanner;
import dev.dmrbatch.run.plan.RunRequest;
import dev.dmrbatch.run.process.GracefulStop;
import dev.dmrbatch.text.SafeText;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.stereotype.Component;

/**
 * Jobs started from the web app, in this process: planned at once by the same planner as the command line (so a
 * mistake in the job file, the input or the model is answered to the request), then run on a thread of their own
 * by the same {@link ConversationRuns}, which resumes, refuses a completed run and a run another process has going,
 * as {@code job=<name>} does; one run at a time per job and input from here too. A run is going on until its
 * execution ends in the store, as the run list shows it: the next start of its job and input then waits for its
 * thread to write the run's summary and close its log, instead of refusing. A run started here is stopped from here
 * as Ctrl-C stops it ({@link GracefulStop#stop}).
 */
@Component
@ConditionalOnWebApplication
class JobStarter implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(JobStarter.class);

	private final ExecutorService executor = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "web-job");
		thread.setDaemon(true);
		return thread;
	});

	/** How long a start waits for a run that has ended to finish its summary, before refusing. */
	static final Duration FINISHING = Duration.ofSeconds(10);

	private final Map<String, Started> running = new ConcurrentHashMap<>();

	private final RunPlanner planner;

	private final ConversationRuns runs;

	private final JobFiles jobFiles;

	private final DmrProperties properties;

	private final RunNotes notes;

	private final JobRepository jobRepository;

	/** {@link #FINISHING}; shorter in tests. */
	Duration finishing = FINISHING;

	JobStarter(RunPlanner planner, ConversationRuns runs, JobFiles jobFiles, DmrProperties properties,
			RunNotes notes, JobRepository jobRepository) {
		this.planner = planner;
		this.runs = runs;
		this.jobFiles = jobFiles;
		this.properties = properties;
		this.notes = notes;
		this.jobRepository = jobRepository;
	}

	/** The job files in {@code jobs/}, by name. */
	List<String> jobs() {
		return this.jobFiles.available();
	}

	/**
	 * Plans the job's run, starts it in the background and answers once it is registered, with its id and label.
	 * @param input a path inside the working folder, or {@code null} for the job file's
	 * @param tags tags the run is given
	 * @param trial the trial run's part of the input ({@code limit=}, {@code sample=}), {@code null} for all of it
	 * @param repeat how many times each item is asked ({@code repeat=}, as written), {@code null} for the job file's
	 * @throws RunException (or the planner's exceptions) in one sentence when it cannot start: a mistake in the job
	 * file, the input or the model
	 * @throws RefusedException in one sentence when the run refuses to start: already running, output folder taken,
	 * already complete
	 */
	synchronized Map<String, Object> start(String job, String input, String model, Map<String, String> vars,
			String label, List<String> tags, TrialSelection trial, String repeat) {
		if (!RunPlanner.isLabel(job) || !jobs().contains(job)) {
			throw new NotFoundException("there is no job file named '" + SafeText.firstLine(String.valueOf(job)) + "' in "
					+ this.jobFiles.jobsFolder());
		}
		String in = blankToNull(input);
		Path home = this.properties.home().toAbsolutePath().normalize();
		if (in != null) {
			Path resolved = home.resolve(in).normalize();
			if (Path.of(in).isAbsolute() || !InputReaders.isInside(home, resolved)) {
				throw new RunException("input=" + in + " is outside the working folder: give a path inside it");
			}
		}
		RunPlan plan = this.planner.plan(RunRequest.of(job)
			.input(in)
			.model(blankToNull(model))
			.label(blankToNull(label))
			.vars(vars)
			.trial(trial)
			.repeat(blankToNull(repeat))
			.build());
		// the input as a file, the job file's own when none is given: two names of one file are one input
		Path inputFile = (plan.input() != null) ? plan.input().path() : null;
		String key = job + "\u0000" + ((inputFile != null) ? realPath(home.resolve(inputFile)) : String.valueOf(in));
		awaitEnded(this.running.get(key), "job " + job + " on " + ((in != null) ? in : "its input"));
		CompletableFuture<Map<String, Object>> answer = new CompletableFuture<>();
		CompletableFuture<Long> executionId = new CompletableFuture<>();
		Future<?> future = this.executor.submit(() -> {
			try {
				RunOutcome outcome = this.runs.run(plan, (execution) -> {
					executionId.complete(execution.getId());
					Map<String, Object> started = new LinkedHashMap<>();
					started.put("id", execution.getJobInstanceId());
					started.put("job", job);
					started.put("input", (plan.input() != null) ? plan.input().display() : in);
					started.put("model", blankToNull(model));
					started.put("run", plan.label());
					started.put("started", Instant.now());
					started.put("tags", tags);
					if (!tags.isEmpty()) {
						this.notes.addTags(execution.getJobInstanceId(), tags);
					}
					answer.complete(started);
				});
				log.info("{}", outcome.alreadyComplete() ? outcome.name() + " is already complete" : outcome.summaryLine());
				answer.completeExceptionally(new RefusedException(outcome.alreadyComplete()
						? outcome.name() + " is already complete: give a new run=<label> to run it again"
						: "job " + job + " ended before it started"));
			}
			catch (Exception ex) {
				String reason = SafeText.reason(ex);
				// a model the runner lacks is a mistake in what was asked (400); anything else refuses the start as
				// things stand (409): already running, its output folder taken, other settings than it started with
				RuntimeException refused = (ex instanceof UnknownModelException unknown) ? unknown
						: new RefusedException(reason);
				if (!answer.completeExceptionally(refused)) {
					log.warn("job {} started from the web app failed: {}", job, reason);
				}
			}
		});
		this.running.put(key, new Started(future, executionId));
		try {
			return answer.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new RefusedException("job " + job + " was interrupted while starting");
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() instanceof RuntimeException refused) ? refused
					: new RefusedException(String.valueOf(ex.getCause()));
		}
	}

	/**
	 * Returns once the run started here earlier on the same job and input, if any, is over: at once when its thread
	 * is done; when its execution has ended in the store (COMPLETED, FAILED, STOPPED), after its thread has written
	 * the run's summary and closed its log, which it does after the store says the run ended.
	 * @param what the job and input, as the refusal names them
	 * @throws RefusedException when it is going on, or has ended but not finished within {@link #finishing}
	 */
	private void awaitEnded(Started earlier, String what) {
		if (earlier == null || earlier.thread().isDone()) {
			return;
		}
		Long id = earlier.execution().getNow(null);
		JobExecution execution = (id != null) ? this.jobRepository.getJobExecution(id) : null;
		if (execution == null || execution.getStatus().isRunning()) {
			throw new RefusedException(what + " is already running (started from this app): one run at a time per job "
					+ "and input");
		}
		try {
			earlier.thread().get(this.finishing.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException ex) {
			throw new RefusedException(what + " has ended but is still writing its summary (started from this app): "
					+ "start it again in a moment");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new RefusedException(what + " was interrupted while waiting for its last run to finish");
		}
		catch (ExecutionException ex) {
			// its thread answers and logs its own failures: it is over
		}
	}

	/**
	 * Stops a run started here as Ctrl-C stops it: after the requests in flight, STOPPED (exit 4), resumable.
	 * @throws RefusedException when no run of that id is going on in this process
	 */
	void stop(long runId) {
		if (!GracefulStop.stop(runId)) {
			throw new RefusedException("run " + runId + " is not going on in this app: a run started elsewhere is "
					+ "stopped where it runs (Ctrl-C)");
		}
	}

	/** The file itself, links followed, or the path as it is when there is no such file. */
	private static Path realPath(Path path) {
		try {
			return path.toRealPath();
		}
		catch (java.io.IOException ex) {
			return path;
		}
	}

	/**
	 * A run started here: its thread, and the id of its execution once it is registered.
	 */
	private record Started(Future<?> thread, CompletableFuture<Long> execution) {
	}

	private static String blankToNull(String value) {
		return (value == null || value.isBlank()) ? null : value.strip();
	}

	@Override
	public void destroy() {
		this.executor.shutdownNow();
	}

}
