package dev.dmrbatch.run.partition;

import dev.dmrbatch.model.ChatService;
import dev.dmrbatch.model.LoadGate;
import dev.dmrbatch.run.pipeline.RepeatChoices;
import dev.dmrbatch.run.plan.RunPlan;

import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * What a run holds for one model runner while it runs: the runner's client, the worker threads that wait on its
 * answers, the gate that keeps its requests in flight at its concurrency, and whether it still gives an item's
 * repeated answers as the choices of one request.
 */
public record RunnerLane(RunPlan.Lane lane, ChatService chat, ThreadPoolTaskExecutor workers, LoadGate gate,
		RepeatChoices choices) implements AutoCloseable {

	public RunnerLane(RunPlan.Lane lane, ChatService chat, ThreadPoolTaskExecutor workers, LoadGate gate) {
		this(lane, chat, workers, gate, new RepeatChoices());
	}

	public String url() {
		return this.lane.url().toString();
	}

	/** Lets the requests in flight finish, then releases the lane's threads. */
	@Override
	public void close() {
		this.workers.shutdown();
		this.gate.close();
	}

}
